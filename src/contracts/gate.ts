import { z } from "zod";
import { gateThresholdsSchema } from "./config.js";

export const gateStatusSchema = z.enum(["pass", "fail", "insufficient_evidence"]);
export type GateStatus = z.infer<typeof gateStatusSchema>;
export const GATE_STATUSES = gateStatusSchema.options;

/** The evidence a gate decides on: counts for one cohort. */
export const gateEvidenceSchema = z.object({
  pairs: z.number().int().nonnegative(),
  /** Pairs with at least one of over_permission, under_permission, subject_mismatch, token_invalid, policy_error. */
  mismatchedPairs: z.number().int().nonnegative(),
  overPermission: z.number().int().nonnegative(),
  unpaired: z.number().int().nonnegative(),
  /** Pairs with at least one observed_drift finding. */
  observedDriftPairs: z.number().int().nonnegative(),
});
export type GateEvidence = z.infer<typeof gateEvidenceSchema>;

export const gateStatisticsSchema = z.object({
  mismatchRate: z.number(),
  /** One-sided Wilson score upper bound of the mismatch rate at `thresholds.confidence`. */
  mismatchRateUpperBound: z.number(),
  /** unpaired / (pairs + unpaired). */
  unpairedRate: z.number(),
  /** observedDriftPairs / pairs. */
  observedDriftRate: z.number(),
});
export type GateStatistics = z.infer<typeof gateStatisticsSchema>;

export const gateResultSchema = z.object({
  cohort: z.string(),
  status: gateStatusSchema,
  reasons: z.array(z.string()),
  evidence: gateEvidenceSchema,
  statistics: gateStatisticsSchema,
  thresholds: gateThresholdsSchema,
});
export type GateResult = z.infer<typeof gateResultSchema>;
