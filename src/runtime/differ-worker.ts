import { parentPort, workerData } from "node:worker_threads";
import { loadConfig } from "../config/load-config.js";
import { SIDES } from "../contracts/index.js";
import type { ObservedEvent } from "../diff/pair-outcome.js";
import { parseEvent } from "../ingest/parse-event.js";
import { recordingInstruments } from "../metrics/recording-instruments.js";
import { packEncodedRows } from "../store/encoded-rows.js";
import { pseudonymizerFromEnv } from "../store/pseudonymize.js";
import { decodeLine, type EventHandle, judgementThrew } from "../stream/evaluator.js";
import {
  createOutcomeMaker,
  type MadeOutcome,
  type OutcomeMaker,
  summaryOf,
} from "../stream/outcome-maker.js";
import type {
  DifferWorkerData,
  DiffJob,
  DiffResult,
  EventInput,
  SharedToken,
  ToWorker,
  WorkerDecodedLine,
  WorkerReply,
} from "./differ-worker-protocol.js";
import { type JudgingCell, markedWhile } from "./judging-mark.js";
import { loadRuntime } from "./load-runtime.js";
import { isShareable, issuerPrint } from "./shared-verification.js";

/**
 * A worker thread of the differ pool: its own runtime (verifiers with their cache, rules, a Wasm
 * policy instance) from the service's config. It decodes the lines the pool sends and keeps the
 * parsed events until a job names them, then diffs them and hands back the store's rows already
 * pseudonymized and encoded, as bytes in a transferred buffer: object graphs cross threads
 * expensively, and strings would wait on the main thread's heap for their insert.
 */
const port = parentPort;
if (!port) throw new Error("differ-worker.js runs as a worker thread only");
const send = (reply: WorkerReply) => port.postMessage(reply);

/** Decoded events waiting for their job, by id. */
const held = new Map<number, ObservedEvent>();
let nextHeld = 1;

try {
  const { configFile, env, shareVerified, judging } = workerData as DifferWorkerData;
  const recording = recordingInstruments();
  const loaded = loadConfig(configFile);
  const runtime = await loadRuntime(loaded, env, recording.instruments);
  const verified: SharedToken[] = [];
  // A worker started later (a replacement) may have read another config: outcomes go only
  // between workers that judge a side's tokens under the same issuer settings.
  const issuers = { legacy: issuerPrint(loaded.config, "legacy"), new: issuerPrint(loaded.config, "new") };
  if (shareVerified)
    for (const side of SIDES)
      runtime.verifiers[side].onVerified((cacheKey, outcome) => {
        if (outcome && isShareable(outcome))
          verified.push({ side, issuer: issuers[side], cacheKey, outcome });
      });
  const maker = createOutcomeMaker({
    differ: runtime.differ,
    provenance: runtime.provenance,
    pseudonymizer: pseudonymizerFromEnv(loaded.config.store.pseudonymKeyEnv, env),
  });
  port.on("message", async (message: ToWorker) => {
    if (message.type === "decode")
      send({ type: "decoded", id: message.id, lines: message.texts.map(decode) });
    else if (message.type === "release") for (const id of message.ids) held.delete(id);
    else if (message.type === "verified") {
      for (const t of message.tokens)
        if (t.issuer === issuers[t.side]) runtime.verifiers[t.side].adopt(t.cacheKey, t.outcome);
    } else {
      const results = await Promise.all(message.jobs.map((job) => run(maker, job, judging)));
      const made = results.flatMap((r) => (r.ok ? [r.made] : []));
      const { packed, buffer } = packEncodedRows(made.map((m) => m.rows));
      made.forEach((m, i) => {
        m.rows = packed[i] ?? m.rows;
      });
      const reply: WorkerReply = {
        type: "results",
        results,
        observations: recording.take(),
        verified: verified.splice(0),
      };
      port.postMessage(reply, [buffer]);
    }
  });
  const { policyBundleSha256, legacyRulesSha256 } = runtime.provenance;
  send({ type: "ready", policyBundleSha256, legacyRulesSha256 });
} catch (error) {
  send({ type: "failed", error: error instanceof Error ? error.message : String(error) });
}

function decode(text: string): WorkerDecodedLine {
  let id = 0;
  const line = decodeLine(text, (event) => {
    id = nextHeld++;
    held.set(id, event);
    return id as unknown as EventHandle;
  });
  if (!line.ok || line.kind === "token") return line;
  const { handle: _, ...pairing } = line;
  return { ...pairing, held: id };
}

class Missing extends Error {}

/**
 * The events a job names. Held ones are taken, all or none: when one is missing (an earlier try
 * of the job took it), the others stay for the pool's retry, which sends the lines instead.
 */
function eventsOf(inputs: readonly EventInput[]): ObservedEvent[] {
  for (const input of inputs)
    if ("held" in input && !held.has(input.held))
      throw new Missing(`held event ${input.held} is not in this worker`);
  return inputs.map((input) => {
    if ("event" in input) return input.event;
    if ("held" in input) {
      const event = held.get(input.held) as ObservedEvent;
      held.delete(input.held);
      return event;
    }
    const parsed = parseEvent(input.text);
    if (!parsed.ok) throw new Error(`a line sent again no longer parses: ${parsed.reason}`);
    return { event: parsed.event, observedAtMs: parsed.observedAtMs };
  });
}

async function run(maker: OutcomeMaker, job: DiffJob, judging?: JudgingCell): Promise<DiffResult> {
  try {
    // Nothing else runs in this thread while synchronous work runs: the mark names this job.
    // Parsing a line sent again is the job's too (an event far larger than the rest).
    const judge =
      job.kind === "pair"
        ? await maker.preparePair(
            ...markedWhile(
              judging,
              job.id,
              () => eventsOf([job.legacy, job.next]) as [ObservedEvent, ObservedEvent],
            ),
            job.options ?? {},
          )
        : await maker.prepareUnpaired(
            markedWhile(judging, job.id, () => eventsOf([job.only])[0] as ObservedEvent),
            job.detail,
          );
    let made: MadeOutcome;
    try {
      made = markedWhile(judging, job.id, judge);
    } catch (error) {
      // Not the verification's (a key set) nor the thread's: this input's, and it fails again.
      return { id: job.id, ok: false, error: judgementThrew(error).message, judged: true };
    }
    return { id: job.id, ok: true, made: { rows: made.rows, summary: summaryOf(made.summary) } };
  } catch (error) {
    return {
      id: job.id,
      ok: false,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      ...(error instanceof Missing ? { missing: true } : {}),
    };
  }
}
