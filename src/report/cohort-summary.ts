import type { CohortReport, GateStatus, Report } from "../contracts/index.js";

/** One cohort's row as every renderer shows it. */
export interface CohortSummary {
  id: string;
  status: GateStatus;
  pairs: number;
  mismatchedPairs: number;
  overPermission: number;
  underPermission: number;
  subjectMismatch: number;
  tokenInvalid: number;
  policyError: number;
  unpaired: number;
  observedDrift: number;
  mismatchRate: number;
  mismatchRateUpperBound: number;
  maxMismatchRate: number;
  confidence: number;
  reasons: readonly string[];
}

export function summarizeCohort(c: CohortReport): CohortSummary {
  const count = (kind: keyof CohortReport["mismatches"]) => c.mismatches[kind] ?? 0;
  return {
    id: c.id,
    status: c.gate.status,
    pairs: c.pairs,
    mismatchedPairs: c.mismatchedPairs,
    overPermission: count("over_permission"),
    underPermission: count("under_permission"),
    subjectMismatch: count("subject_mismatch"),
    tokenInvalid: count("token_invalid"),
    policyError: count("policy_error"),
    unpaired: c.unpaired,
    observedDrift: count("observed_drift"),
    mismatchRate: c.gate.statistics.mismatchRate,
    mismatchRateUpperBound: c.gate.statistics.mismatchRateUpperBound,
    maxMismatchRate: c.gate.thresholds.maxMismatchRate,
    confidence: c.gate.thresholds.confidence,
    reasons: c.gate.reasons,
  };
}

/** How many cohorts ended in each status, in a fixed order. */
export function countStatuses(report: Report): Record<GateStatus, number> {
  const counts: Record<GateStatus, number> = { pass: 0, fail: 0, insufficient_evidence: 0 };
  for (const c of report.cohorts) counts[c.gate.status]++;
  return counts;
}

/** The per-kind finding counts in the column order every renderer shows them. */
export function findingCountColumns(c: CohortSummary): number[] {
  return [
    c.overPermission,
    c.underPermission,
    c.subjectMismatch,
    c.tokenInvalid,
    c.policyError,
    c.unpaired,
    c.observedDrift,
  ];
}
