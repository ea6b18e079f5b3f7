import type { Counter } from "prom-client";
import type { OutcomeSummary } from "../stream/outcome-maker.js";
import type { ServiceMetrics } from "./catalog.js";

/**
 * Counts stored outcomes: the pair (or unpaired event) and each of its findings. The label
 * children are looked up once per label set: this runs for every pair of the stream.
 */
export function outcomeObserver(m: ServiceMetrics): (o: OutcomeSummary) => void {
  const pairs = children(m.pairsEvaluated);
  const unpaired = children(m.unpaired);
  const findings = children(m.findings);
  return (o) => {
    if (o.paired) {
      const outcome = o.mismatch ? "mismatch" : o.observedDrift ? "drift_only" : "match";
      pairs(`${o.cohort}\u0000${outcome}`, { cohort: o.cohort, outcome }).inc();
    } else {
      const side = o.onlySide ?? "unknown";
      unpaired(`${o.cohort}\u0000${side}`, { cohort: o.cohort, side }).inc();
    }
    for (const f of o.findings) {
      const labels = { cohort: f.cohort, kind: f.kind, severity: f.severity };
      findings(`${f.cohort}\u0000${f.kind}`, labels).inc();
    }
  };
}

/** A cache of a counter's children by a key the caller builds from the labels. */
function children<L extends string>(counter: Counter<L>) {
  const cache = new Map<string, Counter.Internal>();
  return (key: string, labels: Partial<Record<L, string | number>>): Counter.Internal => {
    let child = cache.get(key);
    if (!child) {
      child = counter.labels(labels);
      cache.set(key, child);
    }
    return child;
  };
}
