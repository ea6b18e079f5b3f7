import { statSync } from "node:fs";
import type { Finding, Rejected, Report } from "../contracts/index.js";
import type { ObservedEvent, PairOutcome } from "../diff/pair-outcome.js";
import { InputError } from "../errors/errors.js";
import { fileEvents, type SourceItem } from "../ingest/file-events.js";
import { mergeByEventTime } from "../ingest/merge-by-event-time.js";
import { buildLatentReport } from "../latent/latent-report.js";
import type { PairingOutput } from "../pairing/window.js";
import { PairingWindow } from "../pairing/window.js";
import { buildReport } from "../report/build-report.js";
import type { Runtime } from "../runtime/load-runtime.js";
import { CohortTally } from "./cohort-tally.js";
import { LatentTally } from "./latent-tally.js";
import { ReplayLifecycle, replayPseudonymizer } from "./replay-lifecycle.js";

export interface ReplayProgress {
  bytesRead: number;
  totalBytes: number;
  events: number;
  pairs: number;
}

export interface ReplayOptions {
  inputs: string[];
  /** Most findings listed in the report (counts stay complete). */
  maxListedFindings?: number;
  maxListedRejected?: number;
  onProgress?: (p: ReplayProgress) => void;
  /** How often onProgress is called, in events. */
  progressEvery?: number;
  now?: () => Date;
  /** Where the store's pseudonymization key is read from, for lifecycle findings (process env by default). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Pairs diffed ahead of recording; bounds memory while letting verification overlap. */
const MAX_IN_FLIGHT = 256;

const UNPAIRED_DETAIL = {
  window_closed: "no partner within the pairing window",
  capacity: "given up: the pairing window was full",
  end_of_input: "no partner before the end of the input",
  late: "the partner arrived after this request was already reported unpaired",
} as const;

/**
 * Replays NDJSON files of mirrored events through the pairing window and the pure diff, and builds
 * the report. Streams: memory is bounded by the window, not by the size of the files.
 */
export async function runReplay(runtime: Runtime, options: ReplayOptions): Promise<Report> {
  const totalBytes = options.inputs.reduce((n, f) => n + sizeOf(f), 0);
  const { config } = runtime.loaded;
  const window = new PairingWindow<ObservedEvent>({
    windowMs: config.pairing.windowSeconds * 1000,
    maxPending: config.pairing.maxPending,
  });
  const tally = new CohortTally();
  const findings = new Listed<Finding>(options.maxListedFindings ?? 10_000);
  const rejected = new Listed<Rejected>(options.maxListedRejected ?? 1_000);
  const totals = { events: 0, duplicates: 0, rejected: 0 };
  const progressEvery = options.progressEvery ?? 50_000;
  const bytesPerSource = options.inputs.map(() => 0);
  const reject = (file: string, line: number, reason: string) => {
    totals.rejected++;
    rejected.add({ file, line, reason });
  };

  // Pairs are diffed concurrently (token verification runs on libuv's thread pool) but recorded
  // in input order, so the report is the same whatever the timing.
  const lifecycle = new ReplayLifecycle(
    runtime,
    replayPseudonymizer(config.store.pseudonymKeyEnv, options.env ?? process.env),
  );
  const latent = new LatentTally();
  const span = { first: Number.POSITIVE_INFINITY, last: Number.NEGATIVE_INFINITY };
  const inflight: { outcome: Promise<PairOutcome>; at: ObservedEvent }[] = [];
  const settle = async (keep: number) => {
    while (inflight.length > keep) {
      const next = inflight.shift();
      if (!next) continue;
      const outcome = await next.outcome;
      const { observedAtMs, event } = next.at;
      tally.record(outcome);
      lifecycle.outcome(outcome, observedAtMs);
      latent.record(outcome, event.request.action, event.request.resource.type);
      span.first = Math.min(span.first, observedAtMs);
      span.last = Math.max(span.last, observedAtMs);
      for (const f of outcome.findings) findings.add(f);
    }
  };
  const consume = (outputs: PairingOutput<ObservedEvent>[], at?: SourceItem) => {
    for (const out of outputs) {
      if (out.type === "duplicate") totals.duplicates++;
      else if (out.type === "conflict")
        reject(at?.at.file ?? "?", at?.at.line ?? 0, conflictReason(out.event.payload));
      else if (out.type === "pair")
        inflight.push({
          outcome: runtime.differ.diffPair(out.legacy.payload, out.new.payload),
          at: out.legacy.payload,
        });
      else
        inflight.push({
          outcome: runtime.differ.diffUnpaired(out.event.payload, UNPAIRED_DETAIL[out.cause]),
          at: out.event.payload,
        });
    }
  };

  const sources = options.inputs.map((file, i) => tagged(fileEvents(file), i, bytesPerSource));
  let lastSweep = Number.NEGATIVE_INFINITY;
  let nextProgress = progressEvery;
  for await (const batch of mergeByEventTime(sources)) {
    for (const item of batch) {
      if (item.type === "rejected") {
        reject(item.at.file, item.at.line, item.reason);
        continue;
      }
      totals.events++;
      if (item.type === "token") {
        if (config.lifecycle) lifecycle.token(item.event, item.observedAtMs, item.at.file);
        else {
          totals.events--;
          reject(
            item.at.file,
            item.at.line,
            "a token lifecycle event, but the config has no lifecycle section",
          );
        }
        continue;
      }
      consume(window.add({ ...eventKey(item), payload: item }), item);
      if (item.observedAtMs > lastSweep + 60_000) {
        lastSweep = item.observedAtMs;
        for (const v of Object.values(runtime.verifiers)) v.forgetExpired(window.watermarkMs / 1000);
      }
    }
    await settle(MAX_IN_FLIGHT);
    if (options.onProgress && totals.events >= nextProgress) {
      nextProgress = totals.events + progressEvery;
      const pairs = tally.cohorts().reduce((n, c) => n + tally.get(c).pairs, 0);
      options.onProgress({ bytesRead: sum(bytesPerSource), totalBytes, events: totals.events, pairs });
    }
  }
  consume(window.flush());
  await settle(0);
  for (const f of await lifecycle.findings()) {
    tally.recordLifecycle(f);
    findings.add(f);
  }

  return buildReport({
    inputs: options.inputs,
    generatedAt: (options.now ?? (() => new Date()))(),
    provenance: runtime.provenance,
    cohortIds: config.cohorts.map((c) => c.id),
    gates: config.gates,
    tally,
    totals,
    findings: findings.snapshot(),
    rejected: rejected.snapshot(),
    lifecycle: config.lifecycle !== undefined,
    ...(config.latent
      ? {
          latent: buildLatentReport(latent.evidence(), {
            since: new Date(Number.isFinite(span.first) ? span.first : 0),
            until: new Date(Number.isFinite(span.last) ? span.last + 1 : 1),
            ...runtime.provenance,
          }),
        }
      : {}),
  });
}

function eventKey(item: Extract<SourceItem, { type: "event" }>) {
  return {
    side: item.event.side,
    correlationId: item.event.correlationId,
    observedAtMs: item.observedAtMs,
    fingerprint: item.fingerprint,
  };
}

function conflictReason(e: ObservedEvent): string {
  return `a different ${e.event.side} event for correlationId ${JSON.stringify(e.event.correlationId)} was already seen; the first one is kept`;
}

async function* tagged(
  source: AsyncGenerator<SourceItem[]>,
  index: number,
  bytes: number[],
): AsyncGenerator<SourceItem[]> {
  for await (const batch of source) {
    const last = batch[batch.length - 1];
    if (last) bytes[index] = last.bytesRead;
    yield batch;
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch (err) {
    throw new InputError(`cannot read input ${file}: ${(err as Error).message}`);
  }
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Keeps the first `limit` items and counts all of them. */
class Listed<T> {
  private readonly items: T[] = [];
  private total = 0;
  constructor(private readonly limit: number) {}
  add(item: T): void {
    this.total++;
    if (this.items.length < this.limit) this.items.push(item);
  }
  snapshot(): { listed: T[]; total: number } {
    return { listed: this.items, total: this.total };
  }
}
