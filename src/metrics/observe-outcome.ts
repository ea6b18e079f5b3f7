import type { PairOutcome } from "../diff/pair-outcome.js";
import type { ServiceMetrics } from "./catalog.js";

/** Counts one stored outcome: the pair (or unpaired event) and each of its findings. */
export function observeOutcome(m: ServiceMetrics, o: PairOutcome): void {
  if (o.paired) {
    const outcome = o.mismatch ? "mismatch" : o.observedDrift ? "drift_only" : "match";
    m.pairsEvaluated.inc({ cohort: o.cohort, outcome });
  } else m.unpaired.inc({ cohort: o.cohort, side: o.onlySide ?? "unknown" });
  for (const f of o.findings) m.findings.inc({ cohort: f.cohort, kind: f.kind, severity: f.severity });
}
