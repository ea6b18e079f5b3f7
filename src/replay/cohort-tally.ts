import type { GateEvidence } from "../contracts/gate.js";
import type { FindingKind } from "../contracts/index.js";
import type { PairOutcome } from "../diff/pair-outcome.js";

export interface CohortCounts extends GateEvidence {
  findings: Partial<Record<FindingKind, number>>;
}

/** Per-cohort counters of outcomes: the gate's evidence, kept complete however many findings are listed. */
export class CohortTally {
  private readonly counts = new Map<string, CohortCounts>();

  record(outcome: PairOutcome): void {
    const c = this.cohort(outcome.cohort);
    if (outcome.paired) c.pairs++;
    else c.unpaired++;
    if (outcome.mismatch) c.mismatchedPairs++;
    if (outcome.observedDrift) c.observedDriftPairs++;
    for (const f of outcome.findings) {
      c.findings[f.kind] = (c.findings[f.kind] ?? 0) + 1;
      if (f.kind === "over_permission") c.overPermission++;
    }
  }

  get(cohort: string): CohortCounts {
    return this.counts.get(cohort) ?? emptyCounts();
  }

  cohorts(): string[] {
    return [...this.counts.keys()];
  }

  private cohort(id: string): CohortCounts {
    let c = this.counts.get(id);
    if (!c) {
      c = emptyCounts();
      this.counts.set(id, c);
    }
    return c;
  }
}

function emptyCounts(): CohortCounts {
  return {
    pairs: 0,
    mismatchedPairs: 0,
    overPermission: 0,
    unpaired: 0,
    observedDriftPairs: 0,
    findings: {},
  };
}
