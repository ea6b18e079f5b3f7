import type {
  GateCheck,
  GateEvidence,
  GateResult,
  GateStatistics,
  GateStatus,
  GateThresholds,
} from "../contracts/index.js";
import {
  countOf,
  formatConfidence,
  formatCount,
  formatPercent,
  formatPercentPair,
} from "./format-numbers.js";
import { gateStatistics } from "./gate-statistics.js";
import { pairsNeededToPass } from "./pairs-needed.js";

/** The five things a gate looks at, in the order their reasons are listed. */
const CHECKS = ["overPermission", "evidence", "mismatch", "unpaired", "drift"] as const;
type CheckId = (typeof CHECKS)[number];

interface Check {
  ok: boolean;
  reason: string;
}
type Checks = Record<CheckId, Check>;

interface Decision {
  status: GateStatus;
  /** What decided the status, listed first; a replacement reason overrides the check's own wording. */
  decisive: ReadonlyArray<{ id: CheckId; reason?: string }>;
}

/**
 * Decides one cohort's parity gate. Order (docs/gates.md):
 * 1. over-permissions above the allowance fail outright, whatever the sample size;
 * 2. too few pairs is insufficient evidence;
 * 3. mismatch upper bound, unpaired rate and drift rate all within bounds pass;
 * 4. a mismatch point estimate above the maximum, or an unpaired/drift rate above its maximum, fails;
 * 5. otherwise the rate looks fine but the bound does not yet: insufficient evidence.
 * Reasons list the deciding check first, then every other check with its numbers.
 */
export function evaluateGate(cohort: string, evidence: GateEvidence, thresholds: GateThresholds): GateResult {
  const statistics = gateStatistics(evidence, thresholds.confidence);
  const checks = describeChecks(evidence, statistics, thresholds);
  const { status, decisive } = decide(evidence, statistics, thresholds, checks);
  const decided = new Set(decisive.map((d) => d.id));
  const reasons = [
    ...decisive.map((d) => d.reason ?? checks[d.id].reason),
    ...CHECKS.filter((id) => !decided.has(id)).map((id) => checks[id].reason),
  ];
  return {
    cohort,
    status,
    reasons,
    evidence: copyEvidence(evidence),
    statistics,
    thresholds: { ...thresholds },
  };
}

/**
 * The five checks one by one, for CI systems that show each as a test case. A check's outcome is
 * its own: the mismatch check is `insufficient` when the rate is within the maximum but its bound
 * is not yet, `fail` when the rate itself is above.
 */
export function gateChecks(evidence: GateEvidence, thresholds: GateThresholds): GateCheck[] {
  const statistics = gateStatistics(evidence, thresholds.confidence);
  const checks = describeChecks(evidence, statistics, thresholds);
  const outcome = (id: CheckId): GateCheck["outcome"] => {
    if (checks[id].ok) return "pass";
    if (id === "evidence") return "insufficient";
    if (id === "mismatch" && statistics.mismatchRate <= thresholds.maxMismatchRate) return "insufficient";
    return "fail";
  };
  const order: CheckId[] = ["evidence", "overPermission", "mismatch", "unpaired", "drift"];
  return order.map((id) => ({ id, outcome: outcome(id), message: checks[id].reason }));
}

/** Only the contract's fields: callers may pass a richer tally object. */
function copyEvidence(e: GateEvidence): GateEvidence {
  const { pairs, mismatchedPairs, overPermission, unpaired, observedDriftPairs } = e;
  return { pairs, mismatchedPairs, overPermission, unpaired, observedDriftPairs };
}

function decide(e: GateEvidence, s: GateStatistics, t: GateThresholds, checks: Checks): Decision {
  if (!checks.overPermission.ok) return { status: "fail", decisive: [{ id: "overPermission" }] };
  if (!checks.evidence.ok) return { status: "insufficient_evidence", decisive: [{ id: "evidence" }] };
  if (checks.mismatch.ok && checks.unpaired.ok && checks.drift.ok) return { status: "pass", decisive: [] };

  const failures: Array<{ id: CheckId; reason?: string }> = [];
  if (s.mismatchRate > t.maxMismatchRate)
    failures.push({ id: "mismatch", reason: pointEstimateExceeded(e, s, t) });
  if (!checks.unpaired.ok) failures.push({ id: "unpaired" });
  if (!checks.drift.ok) failures.push({ id: "drift" });
  if (failures.length > 0) return { status: "fail", decisive: failures };

  return {
    status: "insufficient_evidence",
    decisive: [{ id: "mismatch", reason: boundNotYetWithin(e, s, t) }],
  };
}

function describeChecks(e: GateEvidence, s: GateStatistics, t: GateThresholds): Checks {
  const overOk = e.overPermission <= t.maxOverPermission;
  const evidenceOk = e.pairs >= t.minPairs;
  const mismatchOk = s.mismatchRateUpperBound <= t.maxMismatchRate;
  const unpairedOk = s.unpairedRate <= t.maxUnpairedRate;
  const driftOk = s.observedDriftRate <= t.maxObservedDriftRate;
  const [bound, maxMismatch] = formatPercentPair(s.mismatchRateUpperBound, t.maxMismatchRate);
  const [unpaired, maxUnpaired] = formatPercentPair(s.unpairedRate, t.maxUnpairedRate);
  const [drift, maxDrift] = formatPercentPair(s.observedDriftRate, t.maxObservedDriftRate);
  return {
    overPermission: {
      ok: overOk,
      reason: `${countOf(e.overPermission, "over-permission")} ${overOk ? "<=" : ">"} allowed ${formatCount(t.maxOverPermission)}`,
    },
    evidence: {
      ok: evidenceOk,
      reason: evidenceOk
        ? `${countOf(e.pairs, "pair")} >= minimum ${formatCount(t.minPairs)}`
        : `${countOf(e.pairs, "pair")} < minimum ${formatCount(t.minPairs)}: not enough evidence to decide`,
    },
    mismatch: {
      ok: mismatchOk,
      reason: `${mismatchRate(e, s)}, ${formatConfidence(t.confidence)} upper bound ${bound} ${mismatchOk ? "<=" : ">"} max ${maxMismatch}`,
    },
    unpaired: {
      ok: unpairedOk,
      reason: `unpaired rate ${unpaired} (${fraction(e.unpaired, e.pairs + e.unpaired)}) ${unpairedOk ? "<=" : ">"} max ${maxUnpaired}`,
    },
    drift: {
      ok: driftOk,
      reason: `observed drift rate ${drift} (${fraction(e.observedDriftPairs, e.pairs)}) ${driftOk ? "<=" : ">"} max ${maxDrift}`,
    },
  };
}

function pointEstimateExceeded(e: GateEvidence, s: GateStatistics, t: GateThresholds): string {
  const [, max] = formatPercentPair(s.mismatchRate, t.maxMismatchRate);
  return `${mismatchRate(e, s, t.maxMismatchRate)} > max ${max} (${formatConfidence(t.confidence)} upper bound ${formatPercent(s.mismatchRateUpperBound)})`;
}

function boundNotYetWithin(e: GateEvidence, s: GateStatistics, t: GateThresholds): string {
  const [bound, max] = formatPercentPair(s.mismatchRateUpperBound, t.maxMismatchRate);
  const needed = pairsNeededToPass(s.mismatchRate, t.maxMismatchRate, t.confidence);
  const advice =
    needed === null
      ? "at this rate no number of pairs can bring the bound within the maximum"
      : `at this rate about ${formatCount(needed)} pairs are needed to pass`;
  return `${mismatchRate(e, s, t.maxMismatchRate)} <= max ${max}, but its ${formatConfidence(t.confidence)} upper bound ${bound} > max ${max}: ${advice}`;
}

/** "mismatch rate 0.42% (12/2,850)"; with `comparedWith`, enough decimals to differ from it. */
function mismatchRate(e: GateEvidence, s: GateStatistics, comparedWith?: number): string {
  const rate =
    comparedWith === undefined
      ? formatPercent(s.mismatchRate)
      : formatPercentPair(s.mismatchRate, comparedWith)[0];
  return `mismatch rate ${rate} (${fraction(e.mismatchedPairs, e.pairs)})`;
}

function fraction(part: number, whole: number): string {
  return `${formatCount(part)}/${formatCount(whole)}`;
}
