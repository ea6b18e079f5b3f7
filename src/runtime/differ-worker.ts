import { parentPort, workerData } from "node:worker_threads";
import { loadConfig } from "../config/load-config.js";
import { recordingInstruments } from "../metrics/recording-instruments.js";
import { pseudonymizerFromEnv } from "../store/pseudonymize.js";
import { createOutcomeMaker, type OutcomeMaker, summaryOf } from "../stream/outcome-maker.js";
import type { DifferWorkerData, DiffJob, DiffResult, WorkerReply } from "./differ-worker-protocol.js";
import { loadRuntime } from "./load-runtime.js";

/**
 * A worker thread of the differ pool: its own runtime (verifiers with their cache, rules, a Wasm
 * policy instance) from the service's config, diffing the batches of jobs the pool posts. It
 * hands back the store's rows already pseudonymized and encoded: text crosses threads cheaply,
 * an outcome's object graph does not.
 */
const port = parentPort;
if (!port) throw new Error("differ-worker.js runs as a worker thread only");
const send = (reply: WorkerReply) => port.postMessage(reply);

try {
  const { configFile, env } = workerData as DifferWorkerData;
  const recording = recordingInstruments();
  const loaded = loadConfig(configFile);
  const runtime = await loadRuntime(loaded, env, recording.instruments);
  const maker = createOutcomeMaker({
    differ: runtime.differ,
    provenance: runtime.provenance,
    pseudonymizer: pseudonymizerFromEnv(loaded.config.store.pseudonymKeyEnv, env),
  });
  port.on("message", async (jobs: DiffJob[]) => {
    const results = await Promise.all(jobs.map((job) => run(maker, job)));
    send({ type: "results", results, observations: recording.take() });
  });
  const { policyBundleSha256, legacyRulesSha256 } = runtime.provenance;
  send({ type: "ready", policyBundleSha256, legacyRulesSha256 });
} catch (error) {
  send({ type: "failed", error: error instanceof Error ? error.message : String(error) });
}

async function run(maker: OutcomeMaker, job: DiffJob): Promise<DiffResult> {
  try {
    const made =
      job.kind === "pair"
        ? await maker.pair(job.legacy, job.next)
        : await maker.unpaired(job.only, job.detail);
    return { id: job.id, ok: true, made: { rows: made.rows, summary: summaryOf(made.summary) } };
  } catch (error) {
    return {
      id: job.id,
      ok: false,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
  }
}
