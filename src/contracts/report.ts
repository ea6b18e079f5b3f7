import { z } from "zod";
import { findingKindSchema, findingSchema } from "./findings.js";
import { gateResultSchema } from "./gate.js";
import { latentReportSchema } from "./latent.js";

export const REPORT_SCHEMA = "entitlement-diff.report.v1";

export const rejectedSchema = z.object({
  file: z.string(),
  line: z.number().int().positive(),
  reason: z.string(),
});
export type Rejected = z.infer<typeof rejectedSchema>;

export const mismatchCountsSchema = z.partialRecord(findingKindSchema, z.number().int().nonnegative());

export const cohortReportSchema = z.object({
  id: z.string(),
  pairs: z.number().int().nonnegative(),
  unpaired: z.number().int().nonnegative(),
  mismatchedPairs: z.number().int().nonnegative(),
  /** Findings per kind (a pair can carry several). */
  mismatches: mismatchCountsSchema,
  gate: gateResultSchema,
});
export type CohortReport = z.infer<typeof cohortReportSchema>;

export const reportSchema = z.object({
  schema: z.literal(REPORT_SCHEMA),
  generatedAt: z.string(),
  inputs: z.array(z.string()),
  /** Content hashes of what decided: the compiled policy and the legacy rules file. */
  provenance: z.object({
    policyBundleSha256: z.string(),
    legacyRulesSha256: z.string(),
    entrypoint: z.string(),
  }),
  totals: z.object({
    events: z.number().int().nonnegative(),
    duplicates: z.number().int().nonnegative(),
    rejected: z.number().int().nonnegative(),
    pairs: z.number().int().nonnegative(),
    unpaired: z.number().int().nonnegative(),
    mismatches: z.number().int().nonnegative(),
  }),
  cohorts: z.array(cohortReportSchema),
  mismatches: z.array(findingSchema),
  /** True when `mismatches` was cut at the report's limit; the counts above are always complete. */
  mismatchesTruncated: z.boolean(),
  rejected: z.array(rejectedSchema),
  rejectedTruncated: z.boolean(),
  /**
   * Latent entitlement drift over the replayed principals (docs/latent.md), when the config has a
   * latent section; `since`/`until` span the replayed event times.
   */
  latent: latentReportSchema.optional(),
});
export type Report = z.infer<typeof reportSchema>;
