import { z } from "zod";
import { gateStatusSchema } from "./gate.js";

export const STAGES = ["shadow", "canary", "live"] as const;
export const stageSchema = z.enum(STAGES);
export type Stage = z.infer<typeof stageSchema>;

/** Where a cohort with no recorded transition is: its traffic only mirrored. */
export const INITIAL_STAGE: Stage = "shadow";

export const STAGE_TRANSITION_SCHEMA = "entitlement-diff.cohort-stage.v1";

/** One recorded move of a cohort between stages; also the Kafka message the traffic router reads. */
export const stageTransitionSchema = z.object({
  schema: z.literal(STAGE_TRANSITION_SCHEMA),
  id: z.string(),
  cohort: z.string(),
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
