import { type FindingKind, MISMATCH_KINDS, type Side } from "../../../src/contracts/index.js";
import type { ExpectedLifecycleFinding } from "./lifecycle.js";
import { PLANTED_CASES, type PlantedCase } from "./planted-cases.js";
import { PLANTED_LATENT, type PlantedLatent } from "./planted-latent.js";
import { COHORT_OF } from "./principal.js";

/** Wire name of the ground-truth manifest (expected.json) written next to the demo events. */
export const EXPECTED_MANIFEST_SCHEMA = "entitlement-diff.demo-expected.v1";

/** One finding the replay must report, and the planted case it comes from. */
export interface ExpectedFinding {
  correlationId: string;
  kind: FindingKind;
  side: Side | null;
  cohort: string;
  planted: PlantedCase;
}

/** A line the replay must reject; `reasonContains` is a stable part of the reason. */
export interface ExpectedRejected {
  line: number;
  reasonContains: string;
  correlationId: string;
  planted: PlantedCase;
}

export interface ExpectedDuplicate {
  line: number;
  duplicateOfLine: number;
  correlationId: string;
}

/** The gate evidence of one cohort, as the replay must count it. */
export interface ExpectedCohort {
  pairs: number;
  unpaired: number;
  mismatchedPairs: number;
  overPermission: number;
  observedDriftPairs: number;
  findings: Partial<Record<FindingKind, number>>;
}

export interface PlantedSummary {
  description: string;
  findings: number;
  rejected: number;
  duplicates: number;
  /** The first few correlation ids of the case, to look at by hand. */
  examples: string[];
}

export interface ExpectedManifest {
  schema: typeof EXPECTED_MANIFEST_SCHEMA;
  generator: { seed: number; events: number; start: string; principals: number; requestsPerSecond: number };
  /** Same meaning as the report's totals; `lines` is every line of the file, `events` the parseable ones. */
  totals: {
    lines: number;
    events: number;
    duplicates: number;
    rejected: number;
    pairs: number;
    unpaired: number;
    mismatches: number;
  };
  cohorts: Record<string, ExpectedCohort>;
  planted: Record<PlantedCase, PlantedSummary>;
  /** Every finding of the replay, nothing more: in file order of the request. */
  findings: ExpectedFinding[];
  rejected: ExpectedRejected[];
  duplicates: ExpectedDuplicate[];
  /** Planted differences no request exercises: the latent drift the entitlement matrix must find. */
  latent: PlantedLatent[];
  /**
   * The token lifecycle mirror (tokens.ndjson): how many lines, and every lifecycle finding the
   * session judge must report (one per session, kind and mapping), nothing more.
   */
  lifecycle: { lines: number; findings: ExpectedLifecycleFinding[] };
}

const EXAMPLES = 3;

/** Accumulates the ground truth while the traffic is generated. */
export class ExpectedManifestBuilder {
  private readonly findings: ExpectedFinding[] = [];
  private readonly rejected: ExpectedRejected[] = [];
  private readonly duplicates: ExpectedDuplicate[] = [];
  private readonly cohorts = new Map<string, ExpectedCohort>();
  private readonly planted = new Map<PlantedCase, PlantedSummary>();
  private pairs = 0;
  private unpaired = 0;

  constructor(private readonly generator: ExpectedManifest["generator"]) {
    for (const cohort of Object.values(COHORT_OF)) this.cohorts.set(cohort, emptyCohort());
    for (const [id, description] of Object.entries(PLANTED_CASES) as [PlantedCase, string][]) {
      this.planted.set(id, { description, findings: 0, rejected: 0, duplicates: 0, examples: [] });
    }
  }

  /** A request seen on both sides, with the findings its pair must produce. */
  pair(cohort: string, findings: ExpectedFinding[]): void {
    this.pairs++;
    const c = this.cohort(cohort);
    c.pairs++;
    if (findings.some((f) => MISMATCH_KINDS.has(f.kind))) c.mismatchedPairs++;
    if (findings.some((f) => f.kind === "observed_drift")) c.observedDriftPairs++;
    for (const f of findings) this.finding(c, f);
  }

  /** A request seen on one side only. */
  unpairedEvent(finding: ExpectedFinding): void {
    this.unpaired++;
    const c = this.cohort(finding.cohort);
    c.unpaired++;
    this.finding(c, finding);
  }

  rejectedLine(entry: ExpectedRejected): void {
    this.rejected.push(entry);
    this.note(entry.planted, entry.correlationId).rejected++;
  }

  duplicate(entry: ExpectedDuplicate): void {
    this.duplicates.push(entry);
    this.note("duplicate", entry.correlationId).duplicates++;
  }

  build(lines: number, lifecycle: ExpectedManifest["lifecycle"]): ExpectedManifest {
    for (const f of lifecycle.findings) this.note(f.planted, f.sessionId).findings++;
    const malformed = this.rejected.filter((r) => r.planted !== "conflict").length;
    return {
      schema: EXPECTED_MANIFEST_SCHEMA,
      generator: this.generator,
      totals: {
        lines,
        events: lines - malformed,
        duplicates: this.duplicates.length,
        rejected: this.rejected.length,
        pairs: this.pairs,
        unpaired: this.unpaired,
        mismatches: this.findings.length,
      },
      cohorts: Object.fromEntries(this.cohorts),
      planted: Object.fromEntries(this.planted) as Record<PlantedCase, PlantedSummary>,
      findings: this.findings,
      rejected: this.rejected,
      latent: PLANTED_LATENT.map((l) => ({ ...l })),
      duplicates: this.duplicates,
      lifecycle,
    };
  }

  private finding(c: ExpectedCohort, f: ExpectedFinding): void {
    this.findings.push(f);
    c.findings[f.kind] = (c.findings[f.kind] ?? 0) + 1;
    if (f.kind === "over_permission") c.overPermission++;
    this.note(f.planted, f.correlationId).findings++;
  }

  private note(planted: PlantedCase, correlationId: string): PlantedSummary {
    const summary = this.planted.get(planted) as PlantedSummary;
    if (summary.examples.length < EXAMPLES && !summary.examples.includes(correlationId)) {
      summary.examples.push(correlationId);
    }
    return summary;
  }

  private cohort(id: string): ExpectedCohort {
    const c = this.cohorts.get(id);
    if (!c) throw new Error(`unknown cohort ${id}`);
    return c;
  }
}

function emptyCohort(): ExpectedCohort {
  return {
    pairs: 0,
    unpaired: 0,
    mismatchedPairs: 0,
    overPermission: 0,
    observedDriftPairs: 0,
    findings: {},
  };
}
