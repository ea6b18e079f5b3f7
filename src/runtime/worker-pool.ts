import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ObservedEvent } from "../diff/pair-outcome.js";
import type { ServiceMetrics } from "../metrics/catalog.js";
import { applyObservations } from "../metrics/recording-instruments.js";
import type { MadeOutcome, OutcomeMaker } from "../stream/outcome-maker.js";
import type { DifferWorkerData, DiffJob, WorkerReply } from "./differ-worker-protocol.js";

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
}

/** Jobs posted to a worker in one message: enough to amortize the post, few enough to keep latency low. */
const MAX_BATCH = 256;
const RESPAWN_FIRST_MS = 500;
const RESPAWN_MAX_MS = 30_000;

interface Pending {
  resolve(made: MadeOutcome): void;
  reject(error: Error): void;
}

/**
 * The OutcomeMaker, spread over worker threads: the pipeline's main thread keeps Kafka, parsing,
 * pairing and the store, the workers verify, evaluate, classify and encode the rows. Jobs are batched
 * per worker until the current turn of the event loop ends. A worker that dies fails the jobs it
 * held (the pipeline retries them) and is replaced; while no worker is up, jobs fail at once
 * rather than wait on a thread that is gone.
 */
export async function createWorkerPool(
  o: WorkerPoolOptions,
): Promise<OutcomeMaker & { close(): Promise<void> }> {
  if (!Number.isInteger(o.workers) || o.workers < 1)
    throw new RangeError(`workers must be >= 1, got ${o.workers}`);
  const url = o.workerUrl ?? defaultWorkerUrl();
  const slots = await Promise.all(Array.from({ length: o.workers }, () => startSlot(url, o)));
  let nextId = 1;
  let closed = false;
  const submit = (job: (id: number) => DiffJob) =>
    new Promise<MadeOutcome>((resolve, reject) => {
      if (closed) return reject(new Error("the differ pool is closed"));
      const live = slots.filter((s) => s.up);
      if (live.length === 0) return reject(new Error("no differ worker is up (restarting)"));
      const slot = live.reduce((best, s) => (s.pending.size < best.pending.size ? s : best));
      slot.enqueue(job(nextId++), { resolve, reject });
    });
  return {
    pair: (legacy, next) => submit((id) => ({ id, kind: "pair", legacy: plain(legacy), next: plain(next) })),
    unpaired: (only, detail) => submit((id) => ({ id, kind: "unpaired", only: plain(only), detail })),
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.close()));
    },
  };
}

/** Only the event and its time cross the thread boundary (not the Kafka message it came in). */
function plain(o: ObservedEvent): ObservedEvent {
  return { event: o.event, observedAtMs: o.observedAtMs };
}

interface Slot {
  readonly pending: Map<number, Pending>;
  readonly up: boolean;
  enqueue(job: DiffJob, pending: Pending): void;
  close(): Promise<void>;
}

/** One worker and its queue; replaces the worker when it dies, failing what it held. */
async function startSlot(url: URL, o: WorkerPoolOptions): Promise<Slot> {
  const pending = new Map<number, Pending>();
  let outbox: DiffJob[] = [];
  let scheduled = false;
  let closing = false;
  let worker: Worker | null = await spawn(url, o);

  const flush = () => {
    scheduled = false;
    while (worker && outbox.length > 0) worker.postMessage(outbox.splice(0, MAX_BATCH));
  };
  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
    outbox = [];
  };
  const replace = async () => {
    for (let delay = RESPAWN_FIRST_MS; !closing; delay = Math.min(delay * 2, RESPAWN_MAX_MS)) {
      try {
        const replacement = await spawn(url, o);
        if (closing) {
          await replacement.terminate();
          return;
        }
        worker = replacement;
        attach(replacement);
        return;
      } catch (error) {
        o.onWorkerProblem?.(
          `a differ worker could not be replaced (retrying in ${delay} ms): ${String(error)}`,
        );
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  };
  const attach = (w: Worker) => {
    let lastError = "";
    w.on("message", (reply: WorkerReply) => {
      if (reply.type !== "results") return;
      if (o.metrics) applyObservations(o.metrics, reply.observations);
      for (const r of reply.results) {
        const p = pending.get(r.id);
        pending.delete(r.id);
        if (r.ok) p?.resolve(r.made);
        else p?.reject(new Error(`diff in a worker failed: ${r.error}`));
      }
    });
    // An uncaught error in the worker ends it ('exit' follows); unhandled, it would end the process.
    w.on("error", (error) => {
      lastError = `: ${error.message}`;
    });
    w.once("exit", (code) => {
      worker = null;
      failAll(new Error(`a differ worker exited (code ${code})${lastError}`));
      if (closing) return;
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
    enqueue(job, p) {
      pending.set(job.id, p);
      outbox.push(job);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    async close() {
      closing = true;
      const w = worker;
      worker = null;
      failAll(new Error("the differ pool is closed"));
      await w?.terminate();
    },
  };
}

/** Starts a worker and resolves once its runtime is loaded; rejects with its error otherwise. */
function spawn(url: URL, o: WorkerPoolOptions): Promise<Worker> {
  const data: DifferWorkerData = { configFile: o.configFile, env: o.env };
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
        resolve(worker);
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
