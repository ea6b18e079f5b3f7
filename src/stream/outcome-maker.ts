import type { Finding, Report } from "../contracts/index.js";
import type { PairDiffer, PairOptions } from "../diff/pair-differ.js";
import type { ObservedEvent, PairOutcome } from "../diff/pair-outcome.js";
import { type EncodedRows, encodeRows } from "../store/encoded-rows.js";
import { toOutcomeRows } from "../store/outcome-rows.js";
import type { Pseudonymizer } from "../store/pseudonymize.js";
import { toStoredOutcome } from "./to-stored-outcome.js";

/** What the counters of a stored outcome need (metrics/observe-outcome.ts): a PairOutcome is one. */
export interface OutcomeSummary {
  cohort: string;
  paired: boolean;
  onlySide: PairOutcome["onlySide"];
  mismatch: boolean;
  observedDrift: boolean;
  findings: readonly Pick<Finding, "cohort" | "kind" | "severity">[];
}

/** One diffed pair (or unpaired event): its rows for the store, and what it counts. */
export interface MadeOutcome {
  rows: EncodedRows;
  summary: OutcomeSummary;
}

/**
 * The diff of the streaming pipeline, up to the store's rows: the pair's outcome made, stamped,
 * pseudonymized and encoded. In this thread (createOutcomeMaker) or in differ worker threads
 * (runtime/worker-pool.ts), which then hand the main thread the encoded bytes and the counts.
 */
export interface OutcomeMaker {
  pair(legacy: ObservedEvent, next: ObservedEvent, options?: PairOptions): Promise<MadeOutcome>;
  unpaired(only: ObservedEvent, detail: string): Promise<MadeOutcome>;
  /** The same in two steps, as PairDiffer's: verification, then the rest without yielding. */
  preparePair(legacy: ObservedEvent, next: ObservedEvent, options?: PairOptions): Promise<() => MadeOutcome>;
  prepareUnpaired(only: ObservedEvent, detail: string): Promise<() => MadeOutcome>;
}

export interface OutcomeMakerDeps {
  differ: PairDiffer;
  provenance: Report["provenance"];
  pseudonymizer: Pseudonymizer;
}

export function createOutcomeMaker(deps: OutcomeMakerDeps): OutcomeMaker {
  const made = (outcome: PairOutcome, first: ObservedEvent): MadeOutcome => {
    const stored = toStoredOutcome(outcome, first, deps.provenance);
    return { rows: encodeRows(toOutcomeRows(stored, deps.pseudonymizer)), summary: outcome };
  };
  const preparePair = async (legacy: ObservedEvent, next: ObservedEvent, options?: PairOptions) => {
    const judge = await deps.differ.preparePair(legacy, next, options);
    return () => made(judge(), legacy);
  };
  const prepareUnpaired = async (only: ObservedEvent, detail: string) => {
    const judge = await deps.differ.prepareUnpaired(only, detail);
    return () => made(judge(), only);
  };
  return {
    preparePair,
    prepareUnpaired,
    pair: async (legacy, next, options) => (await preparePair(legacy, next, options))(),
    unpaired: async (only, detail) => (await prepareUnpaired(only, detail))(),
  };
}

/** The summary alone, without the outcome's other fields: what crosses back from a worker thread. */
export function summaryOf(o: OutcomeSummary): OutcomeSummary {
  return {
    cohort: o.cohort,
    paired: o.paired,
    onlySide: o.onlySide,
    mismatch: o.mismatch,
    observedDrift: o.observedDrift,
    findings: o.findings.map((f) => ({ cohort: f.cohort, kind: f.kind, severity: f.severity })),
  };
}
