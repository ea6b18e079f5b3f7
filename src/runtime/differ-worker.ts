import { parentPort, workerData } from "node:worker_threads";
import { loadConfig } from "../config/load-config.js";
import { recordingInstruments } from "../metrics/recording-instruments.js";
import type { DifferWorkerData, DiffJob, DiffResult, WorkerReply } from "./differ-worker-protocol.js";
import { loadRuntime } from "./load-runtime.js";

/**
 * A worker thread of the differ pool: its own runtime (verifiers with their cache, rules, a Wasm
 * policy instance) from the service's config, diffing the batches of jobs the pool posts.
 */
const port = parentPort;
if (!port) throw new Error("differ-worker.js runs as a worker thread only");
const send = (reply: WorkerReply) => port.postMessage(reply);

try {
  const { configFile, env } = workerData as DifferWorkerData;
  const recording = recordingInstruments();
  const runtime = await loadRuntime(loadConfig(configFile), env, recording.instruments);
  port.on("message", async (jobs: DiffJob[]) => {
    const results = await Promise.all(jobs.map((job) => run(runtime.differ, job)));
    send({ type: "results", results, observations: recording.take() });
  });
  const { policyBundleSha256, legacyRulesSha256 } = runtime.provenance;
  send({ type: "ready", policyBundleSha256, legacyRulesSha256 });
} catch (error) {
  send({ type: "failed", error: error instanceof Error ? error.message : String(error) });
}

async function run(
  differ: Awaited<ReturnType<typeof loadRuntime>>["differ"],
  job: DiffJob,
): Promise<DiffResult> {
  try {
    const outcome =
      job.kind === "pair"
        ? await differ.diffPair(job.legacy, job.next)
        : await differ.diffUnpaired(job.only, job.detail);
    return { id: job.id, ok: true, outcome };
  } catch (error) {
    return {
      id: job.id,
      ok: false,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
  }
}
