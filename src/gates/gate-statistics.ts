import type { GateEvidence, GateStatistics } from "../contracts/index.js";
import { wilsonUpperBound } from "./wilson.js";

/** The rates a gate compares with its thresholds. Empty denominators give a rate of 0. */
export function gateStatistics(evidence: GateEvidence, confidence: number): GateStatistics {
  assertConsistent(evidence);
  const { pairs, mismatchedPairs, unpaired, observedDriftPairs } = evidence;
  return {
    mismatchRate: ratio(mismatchedPairs, pairs),
    mismatchRateUpperBound: wilsonUpperBound(mismatchedPairs, pairs, confidence),
    unpairedRate: ratio(unpaired, pairs + unpaired),
    observedDriftRate: ratio(observedDriftPairs, pairs),
  };
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}

const EVIDENCE_COUNTS = [
  "pairs",
  "mismatchedPairs",
  "overPermission",
  "unpaired",
  "observedDriftPairs",
] as const;

/** Counts that contradict each other are a bug upstream; a gate decided on them would be meaningless. */
function assertConsistent(e: GateEvidence): void {
  for (const name of EVIDENCE_COUNTS) {
    const value = e[name];
    if (!Number.isInteger(value) || value < 0)
      throw new RangeError(`gate evidence ${name} must be a count, got ${value}`);
  }
  if (e.mismatchedPairs > e.pairs)
    throw new RangeError(`gate evidence: ${e.mismatchedPairs} mismatched pairs > ${e.pairs} pairs`);
  if (e.observedDriftPairs > e.pairs)
    throw new RangeError(`gate evidence: ${e.observedDriftPairs} drift pairs > ${e.pairs} pairs`);
  if (e.overPermission > e.pairs)
    throw new RangeError(`gate evidence: ${e.overPermission} over-permissions > ${e.pairs} pairs`);
}
