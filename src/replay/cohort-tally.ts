import type { GateEvidence } from "../contracts/gate.js";
import type { Finding, FindingKind } from "../contracts/index.js";
import type { PairOutcome } from "../diff/pair-outcome.js";
import type { LifecycleEvidence } from "../gates/decide-stored-gate.js";

export interface CohortCounts extends GateEvidence {
  findings: Partial<Record<FindingKind, number>>;
}

/** Per-cohort counters of outcomes: the gate's evidence, kept complete however many findings are listed. */
export class CohortTally {
  private readonly counts = new Map<string, CohortCounts>();
  private readonly sessions = new Map<string, Map<FindingKind, Set<string>>>();

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

  /** A token lifecycle finding: counted by kind, and its session once per kind (the gate's unit). */
  recordLifecycle(f: Finding): void {
    const c = this.cohort(f.cohort);
    c.findings[f.kind] = (c.findings[f.kind] ?? 0) + 1;
    let sessions = this.sessions.get(f.cohort);
    if (!sessions) {
      sessions = new Map();
      this.sessions.set(f.cohort, sessions);
    }
    const set = sessions.get(f.kind) ?? new Set<string>();
    set.add(f.correlationId);
    sessions.set(f.kind, set);
  }

  /** Sessions of a cohort with each lifecycle finding kind. */
  lifecycle(cohort: string): LifecycleEvidence {
    const of = (kind: FindingKind) => this.sessions.get(cohort)?.get(kind)?.size ?? 0;
    return {
      lifetimeDrift: of("lifetime_drift"),
      sessionDrift: of("session_drift"),
      claimDrift: of("claim_drift"),
    };
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
