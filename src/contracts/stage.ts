import { z } from "zod";
import { gateStatusSchema } from "./gate.js";

export const STAGES = ["shadow", "canary", "live"] as const;
export const stageSchema = z.enum(STAGES);
export type Stage = z.infer<typeof stageSchema>;

/** Where a cohort with no recorded transition is: its traffic only mirrored. */
export const INITIAL_STAGE: Stage = "shadow";

export const STAGE_TRANSITION_SCHEMA = "entitlement-diff.cohort-stage.v1";

/** What a cohort's first transition names as the one it follows. */
export const FIRST_TRANSITION = "initial";

/** One recorded move of a cohort between stages; also the Kafka message the traffic router reads. */
export const stageTransitionSchema = z.object({
  schema: z.literal(STAGE_TRANSITION_SCHEMA),
  id: z.string(),
  cohort: z.string(),
  /**
   * The id of the transition this one follows (the cohort's current one when it was recorded), or
   * FIRST_TRANSITION; null on transitions recorded before this field existed (they follow in time
   * order). Two transitions that follow the same one raced: docs/gates.md says which one counts.
   */
  after: z.string().nullable().default(null),
  from: stageSchema,
  to: stageSchema,
  direction: z.enum(["promote", "rollback"]),
  at: z.string(),
  by: z.string(),
  /** The gate evaluation that allowed a promotion; null for a rollback (always allowed). */
  gateEvaluationId: z.string().nullable(),
  gateStatus: gateStatusSchema.nullable(),
  policyBundleSha256: z.string(),
  legacyRulesSha256: z.string(),
});
export type StageTransition = z.infer<typeof stageTransitionSchema>;
