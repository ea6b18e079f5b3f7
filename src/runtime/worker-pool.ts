import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { groupBy } from "../collections/group-by.js";
import type { ObservedEvent } from "../diff/pair-outcome.js";
import type { ServiceMetrics } from "../metrics/catalog.js";
import { applyObservations } from "../metrics/recording-instruments.js";
import {
  type DecodedLine,
  decodeLine,
  type Evaluator,
  type EventHandle,
  JudgementFailed,
  type LineToDecode,
} from "../stream/evaluator.js";
import type { MadeOutcome } from "../stream/outcome-maker.js";
import type {
  DifferWorkerData,
  DiffJob,
  EventInput,
  SharedToken,
  ToWorker,
  WorkerDecodedLine,
  WorkerReply,
} from "./differ-worker-protocol.js";
import { createJudgingCell, type JudgingCell, markedJob, nextJobId } from "./judging-mark.js";
import { silenceWatch } from "./silence-watch.js";

export interface WorkerPoolOptions extends DifferWorkerData {
  workers: number;
  metrics?: ServiceMetrics;
  /**
   * The versions the main thread stamps on every outcome: a worker that loaded other files (the
   * bundle replaced on disk since start) is refused, so no outcome is stamped with the wrong hash.
   */
  expected?: { policyBundleSha256: string; legacyRulesSha256: string };
  /** Where a worker that died or could not be replaced is reported. */
  onWorkerProblem?: (message: string) => void;
  /** The compiled worker entry; by default differ-worker.js of this build (dist/ when run from TS). */
  workerUrl?: URL;
  /**
   * A worker with work outstanding that answers nothing for this long is taken for wedged (a
   * policy evaluation that never ends, a hung key fetch): it is terminated and replaced, and what
   * it held fails (the pipeline retries it). Default DEFAULT_ANSWER_TIMEOUT_MS.
   */
  answerTimeoutMs?: number;
  /** How often the pool looks at its workers' silence (tests shorten it). */
  watchIntervalMs?: number;
  /** A worker that exited ("exited") or was terminated for its silence ("unresponsive"). */
  onWorkerExit?: (reason: "exited" | "unresponsive") => void;
}

export const DEFAULT_ANSWER_TIMEOUT_MS = 60_000;

/** Jobs posted to a worker in one message: enough to amortize the post, few enough to keep latency low. */
const MAX_BATCH = 256;
const RESPAWN_FIRST_MS = 500;
const RESPAWN_MAX_MS = 30_000;

interface Pending {
  resolve(made: MadeOutcome): void;
  reject(error: Error): void;
}

interface PendingDecode {
  resolve(lines: WorkerDecodedLine[]): void;
  reject(error: Error): void;
}

/** What the pool's handles stand for: an event a worker holds (its line kept to send again), or one parsed here. */
type PoolEvent =
  | { slot: number; generation: number; held: number; line: Buffer | string }
  | { event: ObservedEvent };

class MissingHeld extends Error {}

/** Builds a job for the worker in `slot`, naming the events as that worker can read them. */
type Job = (id: number, slot: number, events: readonly PoolEvent[]) => DiffJob;

/**
 * The Evaluator, spread over worker threads: the pipeline's main thread keeps Kafka, pairing,
 * offsets and the store; the workers decode and validate lines, verify, evaluate, classify and
 * encode the rows. A line's decoded event stays in its worker, and lines go by lane (the
 * partition), so both halves of a pair are normally held by the same worker and only ids cross
 * for the diff. Messages are batched per worker until the current turn of the event loop ends.
 *
 * Lanes are fixed (partition % workers): with fewer partitions than workers some stay idle.
 *
 * A worker that dies, or answers nothing for `answerTimeoutMs` while it has work (wedged), fails
 * the jobs it held (the pipeline retries them, with the lines instead of the lost ids) and is
 * replaced; meanwhile its lanes are decoded by another worker, or on the main
 * thread while no worker is up, and jobs fail at once rather than wait on a thread that is gone.
 * The job it was judging then (the worker marks it in shared memory) fails with
 * JudgementFailed, so that the pipeline can stop retrying a pair that ends every worker.
 */
export async function createWorkerPool(
  o: WorkerPoolOptions,
): Promise<Evaluator & { close(): Promise<void> }> {
  if (!Number.isInteger(o.workers) || o.workers < 1)
    throw new RangeError(`workers must be >= 1, got ${o.workers}`);
  const url = o.workerUrl ?? defaultWorkerUrl();
  const slots: Slot[] = [];
  // A token one worker verified goes to the others' caches: it is not verified again there.
  const share = (from: number, tokens: SharedToken[]) => {
    slots.forEach((slot, i) => {
      if (i !== from) slot.post({ type: "verified", tokens });
    });
  };
  slots.push(
    ...(await Promise.all(
      Array.from({ length: o.workers }, (_, i) => startSlot(url, o, (tokens) => share(i, tokens))),
    )),
  );
  let nextId = 1;
  const takeId = () => {
    const id = nextId;
    nextId = nextJobId(id);
    return id;
  };
  let closed = false;
  const handle = (e: PoolEvent) => e as unknown as EventHandle;
  const poolEvent = (h: EventHandle) => h as unknown as PoolEvent;
  const isHeldBy = (e: PoolEvent, slot: number) =>
    "held" in e && e.slot === slot && slots[slot]?.generation === e.generation;
  const input = (e: PoolEvent, slot: number): EventInput =>
    "event" in e ? { event: e.event } : isHeldBy(e, slot) ? { held: e.held } : { text: e.line.toString() };
  const liveSlots = () => slots.flatMap((s, i) => (s.up ? [i] : []));

  /** The worker holding the first event when it is up; else the least busy one. */
  const slotFor = (first: PoolEvent): number | undefined => {
    if ("held" in first && isHeldBy(first, first.slot) && slots[first.slot]?.up) return first.slot;
    const live = liveSlots();
    return live.reduce<number | undefined>(
      (best, i) =>
        best === undefined || (slots[i]?.pending.size ?? 0) < (slots[best]?.pending.size ?? 0) ? i : best,
      undefined,
    );
  };
  const submit = (events: PoolEvent[], job: Job): Promise<MadeOutcome> =>
    new Promise<MadeOutcome>((resolve, reject) => {
      if (closed) return reject(new Error("the differ pool is closed"));
      const first = events[0];
      const index = first && slotFor(first);
      const slot = index === undefined ? undefined : slots[index];
      if (index === undefined || !slot) return reject(new Error("no differ worker is up (restarting)"));
      // An event another worker holds goes as its line; that worker can let its copy go.
      release(events.filter((e) => "held" in e && e.slot !== index));
      slot.enqueue(job(takeId(), index, events), { resolve, reject });
    });
  /** Sent with the lines instead when a held event is missing (an earlier try of the job took it). */
  const diff = async (events: PoolEvent[], job: Job) => {
    try {
      return await submit(events, job);
    } catch (error) {
      if (!(error instanceof MissingHeld)) throw error;
      return submit(events.map(withoutHolder), job);
    }
  };
  const release = (events: readonly PoolEvent[]) => {
    const held = events.flatMap((e) => ("held" in e && isHeldBy(e, e.slot) ? [e] : []));
    for (const [index, own] of groupBy(held, (e) => e.slot))
      slots[index]?.post({ type: "release", ids: own.map((e) => e.held) });
  };
  const decodeHere = (text: string) => decodeLine(text, (event) => handle({ event }));
  const decodeOn = async (index: number, lines: readonly LineToDecode[]): Promise<DecodedLine[]> => {
    const slot = slots[index];
    const texts = lines.map((l) => l.text);
    if (!slot?.up || closed) return texts.map(decodeHere); // the lane's worker is being replaced
    const generation = slot.generation;
    try {
      const decoded = await slot.decode(texts);
      return decoded.map((line, i): DecodedLine => {
        if (!line.ok || line.kind === "token") return line;
        const { held, ...pairing } = line;
        const kept = lines[i]?.bytes ?? texts[i] ?? "";
        return { ...pairing, handle: handle({ slot: index, generation, held, line: kept }) };
      });
    } catch {
      return texts.map(decodeHere); // the worker died meanwhile: its held events went with it
    }
  };

  return {
    async decode(lines) {
      const live = liveSlots();
      // A lane's own worker, or while it is being replaced another one (its pairs then send a line).
      const workerOf = (lane: number) => {
        const own = lane % slots.length;
        return slots[own]?.up ? own : (live[lane % Math.max(1, live.length)] ?? own);
      };
      const byLane = groupBy(
        lines.map((line, at) => ({ line, at })),
        (g) => workerOf(g.line.lane),
      );
      const out: DecodedLine[] = new Array(lines.length);
      await Promise.all(
        [...byLane].map(async ([index, group]) => {
          const decoded = await decodeOn(
            index,
            group.map((g) => g.line),
          );
          group.forEach((g, i) => {
            out[g.at] = decoded[i] ?? { ok: false, reason: "not decoded" };
          });
        }),
      );
      return out;
    },
    inline: (event) => handle({ event: { event: event.event, observedAtMs: event.observedAtMs } }),
    pair: (legacy, next, options) =>
      diff([poolEvent(legacy), poolEvent(next)], (id, slot, [l, n]) => ({
        id,
        kind: "pair",
        legacy: input(l as PoolEvent, slot),
        next: input(n as PoolEvent, slot),
        ...(options ? { options } : {}),
      })),
    unpaired: (only, detail) =>
      diff([poolEvent(only)], (id, slot, [e]) => ({
        id,
        kind: "unpaired",
        only: input(e as PoolEvent, slot),
        detail,
      })),
    release: (handles) => release(handles.map(poolEvent)),
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.close()));
    },
  };
}

/** The same event, to be sent as its line. */
function withoutHolder(e: PoolEvent): PoolEvent {
  return "held" in e ? { ...e, generation: -1 } : e;
}

interface Slot {
  readonly pending: Map<number, Pending>;
  readonly up: boolean;
  /** Counts the worker threads this slot has had: held ids are valid only in their own. */
  readonly generation: number;
  enqueue(job: DiffJob, pending: Pending): void;
  decode(texts: string[]): Promise<WorkerDecodedLine[]>;
  post(message: ToWorker): void;
  close(): Promise<void>;
}

/** One worker and its queue; replaces the worker when it dies, failing what it held. */
async function startSlot(
  url: URL,
  o: WorkerPoolOptions,
  onVerified: (tokens: SharedToken[]) => void,
): Promise<Slot> {
  const pending = new Map<number, Pending>();
  const decoding = new Map<number, PendingDecode>();
  let outbox: DiffJob[] = [];
  let scheduled = false;
  let closing = false;
  let generation = 0;
  let nextDecode = 1;
  let { worker, judging }: { worker: Worker | null; judging: JudgingCell } = await spawn(url, o);
  // Each queue's oldest entry (Maps iterate in insertion order): progress is its answer.
  const watch = silenceWatch(
    { timeoutMs: o.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS, intervalMs: o.watchIntervalMs ?? 1_000 },
    () => [firstKey(pending), firstKey(decoding)],
    () => markedJob(judging),
  );

  const flush = () => {
    scheduled = false;
    while (worker && outbox.length > 0)
      worker.postMessage({ type: "jobs", jobs: outbox.splice(0, MAX_BATCH) });
  };
  /** Fails what the worker held; the job `blamed` for its end, if any, with JudgementFailed. */
  const failAll = (error: Error, blame?: { id: number; how: "exited" | "unresponsive" }) => {
    for (const [id, p] of pending)
      p.reject(
        blame && id === blame.id
          ? new JudgementFailed(`${error.message}, while it was judging this request`, blame.how)
          : error,
      );
    pending.clear();
    for (const d of decoding.values()) d.reject(error);
    decoding.clear();
    outbox = [];
  };
  const replace = async () => {
    for (let delay = RESPAWN_FIRST_MS; !closing; delay = Math.min(delay * 2, RESPAWN_MAX_MS)) {
      try {
        const replacement = await spawn(url, o);
        if (closing) {
          await replacement.worker.terminate();
          return;
        }
        worker = replacement.worker;
        judging = replacement.judging;
        generation++;
        attach(replacement.worker);
        return;
      } catch (error) {
        o.onWorkerProblem?.(
          `a differ worker could not be replaced (retrying in ${delay} ms): ${String(error)}`,
        );
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  };
  /** A wedged worker is given up at once: its slot does not wait for an exit that may not come. */
  const giveUp = (w: Worker, blamed: number) => {
    if (worker !== w) return;
    worker = null;
    watch.stop();
    const problem = `a differ worker did not answer its oldest job or decode for ${watch.timeoutMs / 1000} s (${pending.size} jobs and ${decoding.size} decodes waiting) and was terminated`;
    failAll(new Error(problem), { id: blamed, how: "unresponsive" });
    void w.terminate();
    o.onWorkerExit?.("unresponsive");
    o.onWorkerProblem?.(`${problem}; replacing it`);
    void replace();
  };
  const attach = (w: Worker) => {
    let lastError = "";
    watch.start((blamed) => giveUp(w, blamed));
    w.on("message", (reply: WorkerReply) => {
      if (reply.type === "decoded") {
        decoding.get(reply.id)?.resolve(reply.lines);
        decoding.delete(reply.id);
        return;
      }
      if (reply.type !== "results") return;
      if (o.metrics) applyObservations(o.metrics, reply.observations);
      if (reply.verified && reply.verified.length > 0) onVerified(reply.verified);
      for (const r of reply.results) {
        const p = pending.get(r.id);
        pending.delete(r.id);
        if (r.ok) p?.resolve(r.made);
        else if (r.missing) p?.reject(new MissingHeld(r.error));
        else if (r.judged) p?.reject(new JudgementFailed(r.error, "threw"));
        else p?.reject(new Error(`diff in a worker failed: ${r.error}`));
      }
    });
    // An uncaught error in the worker ends it ('exit' follows); unhandled, it would end the process.
    w.on("error", (error) => {
      lastError = `: ${error.message}`;
    });
    w.once("exit", (code) => {
      if (worker !== w) return; // closed, or given up as wedged: already failed and replaced
      worker = null;
      watch.stop();
      // A thread that ends while it judges a job ends because of it (or at least during it).
      const blame = closing ? undefined : { id: markedJob(judging), how: "exited" as const };
      failAll(new Error(`a differ worker exited (code ${code})${lastError}`), blame);
      if (closing) return;
      o.onWorkerExit?.("exited");
      o.onWorkerProblem?.(`a differ worker exited (code ${code})${lastError}; replacing it`);
      void replace();
    });
  };
  attach(worker);
  return {
    pending,
    get up() {
      return worker !== null && !closing;
    },
    get generation() {
      return generation;
    },
    enqueue(job, p) {
      pending.set(job.id, p);
      outbox.push(job);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    decode(texts) {
      return new Promise((resolve, reject) => {
        if (!worker) return reject(new Error("no differ worker in this slot"));
        const id = nextDecode++;
        decoding.set(id, { resolve, reject });
        worker.postMessage({ type: "decode", id, texts } satisfies ToWorker);
      });
    },
    post(message) {
      worker?.postMessage(message);
    },
    async close() {
      closing = true;
      watch.stop();
      const w = worker;
      worker = null;
      failAll(new Error("the differ pool is closed"));
      await w?.terminate();
    },
  };
}

function firstKey<K>(map: ReadonlyMap<K, unknown>): K | undefined {
  for (const key of map.keys()) return key;
  return undefined;
}

/** Starts a worker and resolves once its runtime is loaded; rejects with its error otherwise. */
function spawn(url: URL, o: WorkerPoolOptions): Promise<{ worker: Worker; judging: JudgingCell }> {
  const judging = createJudgingCell();
  const data: DifferWorkerData = {
    configFile: o.configFile,
    env: o.env,
    shareVerified: o.workers > 1,
    judging,
  };
  const worker = new Worker(url, { workerData: data });
  const refuse = (reject: (e: Error) => void, message: string) => {
    void worker.terminate();
    reject(new Error(message));
  };
  return new Promise((resolve, reject) => {
    const onMessage = (reply: WorkerReply) => {
      if (reply.type === "ready") {
        cleanup();
        const want = o.expected;
        if (
          want &&
          (want.policyBundleSha256 !== reply.policyBundleSha256 ||
            want.legacyRulesSha256 !== reply.legacyRulesSha256)
        )
          return refuse(
            reject,
            `a differ worker loaded policy ${reply.policyBundleSha256.slice(0, 12)} / rules ${reply.legacyRulesSha256.slice(0, 12)}, not the ${want.policyBundleSha256.slice(0, 12)} / ${want.legacyRulesSha256.slice(0, 12)} this process stamps on outcomes (files changed since start?): restart the service`,
          );
        resolve({ worker, judging });
      } else if (reply.type === "failed") {
        cleanup();
        refuse(reject, `a differ worker could not start: ${reply.error}`);
      }
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      worker.off("message", onMessage);
      worker.off("error", onError);
    };
    worker.on("message", onMessage);
    worker.once("error", onError);
  });
}
/** differ-worker.js next to this file in dist/; from the TypeScript sources (tests), the built one. */
function defaultWorkerUrl(): URL {
  const here = new URL(import.meta.url);
  const url = here.pathname.endsWith(".ts")
    ? new URL("../../dist/src/runtime/differ-worker.js", here)
    : new URL("./differ-worker.js", here);
  if (!existsSync(fileURLToPath(url)))
    throw new Error(`${fileURLToPath(url)} is missing: build first (npm run build)`);
  return url;
}
