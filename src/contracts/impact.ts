import { z } from "zod";
import { DEFAULT_IDENTITY_CLAIMS } from "./latent.js";

/**
 * What `serve` keeps of a pair so that `impact` can replay it against a candidate policy
 * (docs/impact.md). Off when the section is omitted.
 */
export const impactConfigSchema = z
  .object({
    /** Share of pairs whose decisions agree that is kept too (every decision mismatch is). */
    matchedSampleRate: z.number().min(0).max(1).default(0.01),
    /** Token claims whose values identify someone: renamed before anything is stored. */
    identityClaims: z.array(z.string().min(1)).default(DEFAULT_IDENTITY_CLAIMS),
    /** Request attributes whose values identify someone (records, patients, staff): renamed too. */
    identityAttributes: z
      .array(
        z
          .string()
          .regex(/^(resource|context)\.[^.]+(\.[^.]+)*$/, "resource.<attribute> or context.<attribute>"),
      )
      .default(["resource.id", "resource.ownerId", "resource.careTeam"]),
  })
  .strict();
export type ImpactConfig = z.infer<typeof impactConfigSchema>;

export const IMPACT_REPORT_SCHEMA = "entitlement-diff.impact.v1";

const count = z.number().int().nonnegative();

/** One cohort's replay: what the candidate policy would change against the legacy oracle. */
export const cohortImpactSchema = z.object({
  cohort: z.string(),
  /** Stored decision mismatches replayed, and how many the candidate fixes (it now agrees with legacy). */
  mismatches: count,
  fixed: count,
  /** Sampled agreeing pairs replayed, and how many the candidate breaks, by direction. */
  matchedSample: count,
  introducedOverPermission: count,
  introducedUnderPermission: count,
  /** Stored facts whose replay under the deployed policy did not reproduce its decision: left out. */
  notReplayable: count,
  /** Stored facts the candidate failed to evaluate (an error in the candidate): each fails the check. */
  candidateErrors: count,
});
export type CohortImpact = z.infer<typeof cohortImpactSchema>;

export const impactChangeSchema = z.object({
  cohort: z.string(),
  change: z.enum(["fixed", "introduced_over_permission", "introduced_under_permission"]),
  action: z.string(),
  resourceType: z.string(),
  legacyRuleId: z.string().nullable(),
  /** The candidate's reasons for its decision. */
  candidateReasons: z.array(z.string()),
  pairs: count,
});
export type ImpactChange = z.infer<typeof impactChangeSchema>;

export const impactReportSchema = z.object({
  schema: z.literal(IMPACT_REPORT_SCHEMA),
  generatedAt: z.string(),
  since: z.string(),
  until: z.string(),
  candidate: z.object({ file: z.string(), policyBundleSha256: z.string() }),
  deployed: z.object({ policyBundleSha256: z.string(), legacyRulesSha256: z.string() }),
  matchedSampleRate: z.number(),
  cohorts: z.array(cohortImpactSchema),
  /** Grouped by request path and the candidate's reasons, introduced over-permissions first. */
  changes: z.array(impactChangeSchema),
  /** More stored pairs than --max-pairs were in the window: the replay is incomplete. */
  truncated: z.boolean(),
  /**
   * `fail` (exit 1): an introduced over-permission or a candidate error; `insufficient_evidence`
   * (exit 2): nothing replayable, or the read was cut; `pass` (exit 0) otherwise.
   */
  status: z.enum(["pass", "fail", "insufficient_evidence"]),
  reasons: z.array(z.string()),
  /** status is pass. */
  ok: z.boolean(),
});
export type ImpactReport = z.infer<typeof impactReportSchema>;
