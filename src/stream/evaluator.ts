import { hash } from "node:crypto";
import type { Side, TokenEvent } from "../contracts/index.js";
import type { PairOptions } from "../diff/pair-differ.js";
import type { ObservedEvent } from "../diff/pair-outcome.js";
import { parseMirrored } from "../ingest/parse-mirrored.js";
import type { MadeOutcome, OutcomeMaker } from "./outcome-maker.js";

declare const handleBrand: unique symbol;

/**
 * A parsed authorization event, wherever it is kept: in this thread, or in the worker thread that
 * parsed it (runtime/worker-pool.ts). Only the evaluator that issued a handle can read it.
 */
export type EventHandle = { readonly [handleBrand]: true };

/** One mirrored line to decode; `lane` keeps related lines together (the partition number). */
export interface LineToDecode {
  text: string;
  lane: number;
  /**
   * The line's bytes as received, when there are any: an evaluator that must keep the line (to
   * send it again) keeps these, outside the JavaScript heap, rather than the string.
   */
  bytes?: Buffer;
}

/** What the pipeline pairs by, for a valid authorization event; the event itself stays behind `handle`. */
export interface DecodedAuthz {
  ok: true;
  kind: "authz";
  side: Side;
  correlationId: string;
  observedAt: string;
  observedAtMs: number;
  /** sha256 of the exact line: a byte-for-byte redelivery has the same fingerprint. */
  fingerprint: string;
  handle: EventHandle;
}

export type DecodedLine =
  | DecodedAuthz
  | { ok: true; kind: "token"; event: TokenEvent; observedAtMs: number }
  | { ok: false; reason: string };

/**
 * Everything of the pipeline's work that may run off its thread: decoding and validating lines,
 * then diffing the paired events into the store's rows. The pipeline keeps Kafka, pairing,
 * offsets and the store, and refers to events by handle only.
 */
export interface Evaluator {
  /** Decodes lines in order; never rejects (a line that is not an event says why). */
  decode(lines: readonly LineToDecode[]): Promise<DecodedLine[]>;
  /** A handle for an event parsed here (HTTP ingest). */
  inline(event: ObservedEvent): EventHandle;
  pair(legacy: EventHandle, next: EventHandle, options?: PairOptions): Promise<MadeOutcome>;
  unpaired(only: EventHandle, detail: string): Promise<MadeOutcome>;
  /**
   * Handles that will never be diffed (duplicates, conflicts, events dated in the future, dropped
   * windows, unpaired events whose pair is already stored): let them go.
   */
  release(handles: readonly EventHandle[]): void;
}

/**
 * The judgement of this job failed in a way that depends on the job: its worker thread exited or
 * stopped answering while it was judging it ("exited", "unresponsive"; the other jobs it held fail
 * with a plain Error, since they were only waiting), or it threw ("threw"). Judging the same
 * pair again may fail again, which is why the pipeline counts these (stream/judgement-failures.ts).
 */
export class JudgementFailed extends Error {
  constructor(
    message: string,
    readonly how: "exited" | "unresponsive" | "threw",
  ) {
    super(message);
    this.name = "JudgementFailed";
  }
}

/** A thrown judgement as JudgementFailed, its message's first line only (no stack in reasons). */
export function judgementThrew(error: unknown): JudgementFailed {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new JudgementFailed(`its judgement threw ${text.split("\n")[0]}`, "threw");
}

/** Parses one line as the pipeline needs it; `keep` turns the parsed event into its handle. */
export function decodeLine(text: string, keep: (event: ObservedEvent) => EventHandle): DecodedLine {
  const parsed = parseMirrored(text);
  if (!parsed.ok) return parsed;
  if (parsed.kind === "token") return parsed;
  const { event, observedAtMs } = parsed;
  return {
    ok: true,
    kind: "authz",
    side: event.side,
    correlationId: event.correlationId,
    observedAt: event.observedAt,
    observedAtMs,
    fingerprint: hash("sha256", text, "base64url"),
    handle: keep({ event, observedAtMs }),
  };
}

/** The evaluator on this thread: handles are the parsed events themselves. */
export function createLocalEvaluator(maker: OutcomeMaker): Evaluator {
  const own = (event: ObservedEvent) => event as unknown as EventHandle;
  const event = (handle: EventHandle) => handle as unknown as ObservedEvent;
  return {
    decode: async (lines) => lines.map((line) => decodeLine(line.text, own)),
    inline: own,
    pair: async (legacy, next, options) =>
      judged(await maker.preparePair(event(legacy), event(next), options)),
    unpaired: async (only, detail) => judged(await maker.prepareUnpaired(event(only), detail)),
    release: () => undefined,
  };
}

function judged(judge: () => MadeOutcome): MadeOutcome {
  try {
    return judge();
  } catch (error) {
    throw judgementThrew(error);
  }
}
