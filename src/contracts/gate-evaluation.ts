import { z } from "zod";
import { gateEvidenceSchema, gateResultSchema } from "./gate.js";
import { latentEntitlementSchema } from "./latent.js";
import { waiverScopeSchema } from "./waiver.js";

export const GATE_EVALUATION_SCHEMA = "entitlement-diff.gate-evaluation.v1";

export const GATE_CHECK_IDS = [
  "evidence",
  "overPermission",
  "mismatch",
  "unpaired",
  "drift",
  "coverage",
  "latent",
  "lifecycle",
  "setAside",
  "waivers",
] as const;
export const gateCheckIdSchema = z.enum(GATE_CHECK_IDS);
export type GateCheckId = z.infer<typeof gateCheckIdSchema>;

/**
 * One check of a gate, e.g. a JUnit test case. `insufficient` means it cannot pass yet for want of
 * evidence; `info` never blocks (the waivers in use).
 */
export const gateCheckSchema = z.object({
  id: gateCheckIdSchema,
  outcome: z.enum(["pass", "fail", "insufficient", "info"]),
  message: z.string(),
});
export type GateCheck = z.infer<typeof gateCheckSchema>;

export const coverageResultSchema = z.object({
  action: z.string(),
  resourceType: z.string(),
  legacyRuleId: z.string().nullable(),
  minPairs: z.number().int().positive(),
  observed: z.number().int().nonnegative(),
  ok: z.boolean(),
});
export type CoverageResult = z.infer<typeof coverageResultSchema>;

const waiverRefSchema = z.object({
  id: z.string(),
  owner: z.string(),
  ticket: z.string(),
  reason: z.string(),
  expiresAt: z.string(),
  scope: waiverScopeSchema,
  allowOverPermission: z.boolean(),
});

export const appliedWaiverSchema = waiverRefSchema.extend({
  /** Pairs this waiver took out of the mismatch or drift count (alone or with other waivers). */
  matchedPairs: z.number().int().nonnegative(),
});
export type AppliedWaiver = z.infer<typeof appliedWaiverSchema>;

export const expiredWaiverSchema = waiverRefSchema.extend({
  /** Pairs it would still cover: they count against the gate again. */
  wouldMatchPairs: z.number().int().nonnegative(),
});
export type ExpiredWaiver = z.infer<typeof expiredWaiverSchema>;

/**
 * Requests in a gate's window that the service gave up judging (set aside to the dead-letter
 * topic) and that no outcome has judged since, of every cohort: their cohort was never read.
 */
export const setAsideEvidenceSchema = z.object({
  requests: z.number().int().nonnegative(),
  /** Up to three of their correlation ids, in their order. */
  examples: z.array(z.string()),
});
export type SetAsideEvidence = z.infer<typeof setAsideEvidenceSchema>;

/**
 * A gate decided from the store: the core's result (status, reasons, evidence after waivers,
 * statistics, thresholds) plus what it was decided on. Appended to gate_evaluations as audit
 * evidence of each promotion decision; `gate --format json` prints it.
 */
export const gateEvaluationSchema = gateResultSchema.extend({
  schema: z.literal(GATE_EVALUATION_SCHEMA),
  id: z.string(),
  evaluatedAt: z.string(),
  evaluatedBy: z.string(),
  window: z.object({
    since: z.string(),
    until: z.string(),
    /** `config`: the configured window ending now; `flags`: --since/--until. */
    source: z.enum(["config", "flags"]),
  }),
  deployed: z.object({
    policyBundleSha256: z.string(),
    legacyRulesSha256: z.string(),
    /** True when only outcomes under these two hashes count (the default). */
    pinned: z.boolean(),
    /** Outcomes in the window produced under other versions (not counted when pinned). */
    otherVersionOutcomes: z.number().int().nonnegative(),
    /** Event time of the first counted outcome; null when none. */
    evidenceSince: z.string().nullable(),
  }),
  /** Evidence before waivers were applied. */
  rawEvidence: gateEvidenceSchema,
  coverage: z.array(coverageResultSchema),
  waivers: z.object({ applied: z.array(appliedWaiverSchema), expired: z.array(expiredWaiverSchema) }),
  checks: z.array(gateCheckSchema),
  /**
   * Only when the cohort's gate bounds latent over-permission (maxLatentOverPermission): the
   * modelled over-permissions no traffic exercised, under the deployed versions.
   */
  latent: z
    .object({
      principalsEvaluated: z.number().int().nonnegative(),
      overPermissions: z.array(latentEntitlementSchema),
    })
    .optional(),
  /**
   * Only with the token lifecycle mirror (a `lifecycle` section): sessions of the cohort with
   * each lifecycle finding kind in the window (docs/lifecycle.md).
   */
  lifecycle: z
    .object({
      lifetimeDrift: z.number().int().nonnegative(),
      sessionDrift: z.number().int().nonnegative(),
      claimDrift: z.number().int().nonnegative(),
    })
    .optional(),
  /** Absent only from evaluations recorded before the store kept set-aside requests. */
  setAside: setAsideEvidenceSchema.optional(),
});
export type GateEvaluation = z.infer<typeof gateEvaluationSchema>;
