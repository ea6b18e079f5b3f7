import { randomInt } from "node:crypto";
import { Command, InvalidArgumentError } from "commander";
import { demoLegacySecret } from "../../examples/health-tech/demo-secrets.js";
import { loadConfig } from "../config/load-config.js";
import type { KafkaConfig } from "../contracts/index.js";
import { EntitlementDiffError } from "../errors/errors.js";
import { checkCoPartitioned, ensureTopics, type TopicCreator } from "../ingest/kafka/check-topics.js";
import { createKafkajsMirrorProducer, type MirrorProducer } from "../ingest/kafka/kafka-producer.js";
import { withKafkajsAdmin } from "../ingest/kafka/kafkajs-client.js";
import { kafkaBrokers } from "../service/kafka-brokers.js";
import { createHttpMirrorProducer } from "../simulate/http-mirror-producer.js";
import { KafkaUnavailableError } from "../simulate/kafka-unavailable.js";
import { type SimulationSummary, simulateTraffic } from "../simulate/simulate-traffic.js";
import { simulationPlan } from "../simulate/simulation-plan.js";

interface SimulateFlags {
  config: string;
  rate: number;
  duration: number;
  seed?: number;
  principals?: number;
  batchSize?: number;
  createTopics?: number;
  http?: string;
}

/** The bearer token (role ingest) for --http; from the environment so it stays off process lists. */
export const INGEST_TOKEN_ENV = "ENTITLEMENT_DIFF_INGEST_TOKEN";

/** A progress line on stderr at most this often. */
const PROGRESS_EVERY_MS = 5_000;

export function simulateCommand(): Command {
  return new Command("simulate")
    .description(
      "produce the health-tech demo's mirrored traffic to the configured Kafka topics at a steady rate",
    )
    .requiredOption("-c, --config <file>", "configuration file (YAML): kafka.brokers and kafka.topics")
    .requiredOption("--rate <events/s>", "events (messages) per second, both sides together", positive)
    .requiredOption("--duration <s>", "seconds to run; rate × duration events in all", positive)
    .option(
      "--seed <n>",
      "generator seed (default: a fresh one, printed; a seed repeats its traffic)",
      whole(0),
    )
    .option("--principals <n>", "size of the demo's principal pool", whole(100))
    .option("--batch-size <n>", "most messages per send (default: 50 ms worth, at most 500)", whole(1))
    .option(
      "--create-topics <partitions>",
      "first create the missing mirror, tokens (with a lifecycle section) and dead-letter topics with this many partitions (development)",
      whole(1),
    )
    .option(
      "--http <url>",
      `post the traffic to the service's POST /api/v1/events instead of Kafka (token from $${INGEST_TOKEN_ENV})`,
    )
    .action(async (flags: SimulateFlags) => {
      const { config } = loadConfig(flags.config);
      simulationPlan(flags.rate, flags.duration); // usage errors before connecting
      const lifecycleOn = config.lifecycle !== undefined;
      const summary = flags.http
        ? await simulateOverHttp(config.kafka, flags.http, flags, lifecycleOn)
        : await simulate(config.kafka, flags, lifecycleOn);
      process.stdout.write(`${formatSummary(summary)}\n`);
    });
}

async function simulate(
  kafka: KafkaConfig,
  flags: SimulateFlags,
  lifecycleOn: boolean,
): Promise<SimulationSummary> {
  const client = { brokers: kafkaBrokers(kafka, process.env), clientId: `${kafka.clientId}-simulator` };
  const producer = createKafkajsMirrorProducer(client);
  await unavailableOnFailure(client.brokers, () =>
    withKafkajsAdmin(client, (admin) => prepareTopics(admin, kafka.topics, flags.createTopics, lifecycleOn)),
  );
  return unavailableOnFailure(client.brokers, () => runSimulation(producer, kafka, flags, lifecycleOn));
}

async function simulateOverHttp(
  kafka: KafkaConfig,
  url: string,
  flags: SimulateFlags,
  lifecycleOn: boolean,
): Promise<SimulationSummary> {
  const token = process.env[INGEST_TOKEN_ENV];
  const producer = createHttpMirrorProducer({ url, ...(token ? { token } : {}) });
  return runSimulation(producer, kafka, flags, lifecycleOn);
}

/** Paces the demo traffic into `producer` until the duration ends or a signal stops it. */
async function runSimulation(
  producer: MirrorProducer,
  kafka: KafkaConfig,
  flags: SimulateFlags,
  lifecycleOn: boolean,
): Promise<SimulationSummary> {
  const stop = new AbortController();
  const onSignal = () => {
    process.stderr.write("simulate: stopping after the batches in flight\n");
    stop.abort();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await simulateTraffic({
      producer,
      topics: {
        legacy: kafka.topics.legacy,
        new: kafka.topics.new,
        ...(lifecycleOn ? { tokens: kafka.topics.tokens } : {}),
      },
      eventsPerSecond: flags.rate,
      durationSeconds: flags.duration,
      seed: flags.seed ?? randomInt(2 ** 31),
      principals: flags.principals,
      legacySecret: demoLegacySecret(process.env),
      batchSize: flags.batchSize,
      signal: stop.signal,
      onProgress: progressLine(),
    });
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    await producer.close().catch(() => undefined);
  }
}

/** Creates missing topics when asked; then the check `serve` makes too: they exist, co-partitioned. */
async function prepareTopics(
  admin: TopicCreator,
  topics: KafkaConfig["topics"],
  createWithPartitions: number | undefined,
  lifecycleOn: boolean,
): Promise<void> {
  const mirrors = [topics.legacy, topics.new, ...(lifecycleOn ? [topics.tokens] : [])];
  if (createWithPartitions !== undefined) {
    const all = [...mirrors, topics.deadLetter];
    const created = await retried(() => ensureTopics(admin, all, createWithPartitions));
    if (created.length > 0)
      process.stderr.write(`simulate: created ${created.join(", ")} (${createWithPartitions} partitions)\n`);
  }
  await checkCoPartitioned(admin, mirrors);
}

/**
 * kafkajs' createTopics can report a topic it has just created as unknown while waiting for its
 * leaders; listing again sees it, so a second attempt only creates what is still missing.
 */
async function retried<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

function progressLine(): (sent: number, elapsedMs: number) => void {
  let last = Date.now();
  return (sent, elapsedMs) => {
    if (Date.now() - last < PROGRESS_EVERY_MS) return;
    last = Date.now();
    const rate = Math.round((sent * 1000) / elapsedMs);
    process.stderr.write(`simulate: ${sent} events in ${(elapsedMs / 1000).toFixed(0)} s (${rate}/s)\n`);
  };
}

/** Kafka client failures become a clear exit 69; our own errors (a bad topic layout: 78) pass. */
async function unavailableOnFailure<T>(brokers: string[], run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof EntitlementDiffError) throw error;
    throw new KafkaUnavailableError(
      `cannot produce to Kafka at ${brokers.join(",")}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

export function formatSummary(s: SimulationSummary): string {
  const seconds = (s.elapsedMs / 1000).toFixed(2);
  const head = `${s.completed ? "sent" : "stopped early after"} ${s.sent} of ${s.planned} events in ${seconds} s: ${Math.round(s.achievedRate)} events/s (target ${s.targetRate})`;
  const tokens = s.lifecycle > 0 ? `, token lifecycle ${s.lifecycle}` : "";
  const sides = `legacy ${s.bySide.legacy} (${s.unkeyed} unkeyed), new ${s.bySide.new}${tokens}; seed ${s.seed}, event times from ${s.start}`;
  const truth = s.expected
    ? `; expected outcomes: ${s.expected.totals.pairs} pairs, ${s.expected.totals.unpaired} unpaired, ${s.expected.totals.mismatches} findings, ${s.expected.totals.rejected} rejected`
    : "";
  return `${head}\n${sides}${truth}`;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a positive number");
  return n;
}

function whole(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number >= ${min}`);
    return n;
  };
}
