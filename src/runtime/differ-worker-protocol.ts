import type { Side } from "../contracts/index.js";
import type { PairOptions } from "../diff/pair-differ.js";
import type { ObservedEvent } from "../diff/pair-outcome.js";
import type { VerifiedToken } from "../identity/jose-verifier.js";
import type { Observations } from "../metrics/recording-instruments.js";
import type { DecodedAuthz, DecodedLine } from "../stream/evaluator.js";
import type { MadeOutcome } from "../stream/outcome-maker.js";
import type { JudgingCell } from "./judging-mark.js";

/** What a differ worker is started with: it loads the same runtime from the same config. */
export interface DifferWorkerData {
  configFile: string;
  env: Record<string, string | undefined>;
  /** Pass on the tokens this worker verifies (there are other workers to take them). */
  shareVerified?: boolean;
  /**
   * One Int32 over shared memory: the id of the job this worker is judging (the synchronous
   * step after verification), 0 while it judges none. The pool reads it when the worker exits or
   * stops answering, to blame that job and not the ones that only waited behind it.
   */
  judging?: JudgingCell;
}

/**
 * An event a job names: one this worker decoded and holds (by id), a line to parse again (its
 * holder is gone or is another worker), or an event parsed on the main thread (HTTP ingest).
 */
export type EventInput = { held: number } | { text: string } | { event: ObservedEvent };

export type DiffJob =
  | { id: number; kind: "pair"; legacy: EventInput; next: EventInput; options?: PairOptions }
  | { id: number; kind: "unpaired"; only: EventInput; detail: string };

/** A decoded line as it crosses back: an authorization event stays in the worker, under `held`. */
export type WorkerDecodedLine =
  | Exclude<DecodedLine, DecodedAuthz>
  | (Omit<DecodedAuthz, "handle"> & { held: number });

/**
 * A token one worker checked with jose, passed to the others: each would otherwise verify every
 * distinct token again (a user's requests reach every partition), at ~160 µs a verification.
 */
export interface SharedToken {
  side: Side;
  /** The sha256 of the side's issuer config the outcome was judged under: adopted only under the same. */
  issuer: string;
  cacheKey: string;
  outcome: VerifiedToken;
}

export type ToWorker =
  | { type: "jobs"; jobs: DiffJob[] }
  /** Tokens other workers verified: into this one's caches. */
  | { type: "verified"; tokens: SharedToken[] }
  | { type: "decode"; id: number; texts: string[] }
  /** Held events that will not be diffed: forget them. */
  | { type: "release"; ids: number[] };

export type DiffResult =
  | { id: number; ok: true; made: MadeOutcome }
  /**
   * `missing`: a held event is not here (taken by an earlier try of the job, or released).
   * `judged`: the judgement itself threw (not the verification, not the worker).
   */
  | { id: number; ok: false; error: string; missing?: boolean; judged?: boolean };

export type WorkerReply =
  | { type: "ready"; policyBundleSha256: string; legacyRulesSha256: string }
  | { type: "failed"; error: string }
  | { type: "decoded"; id: number; lines: WorkerDecodedLine[] }
  | {
      type: "results";
      results: DiffResult[];
      observations: Observations;
      /** Tokens this worker verified since its last results, for the other workers. */
      verified?: SharedToken[];
    };
