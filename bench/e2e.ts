#!/usr/bin/env node
/**
 * `npm run bench:e2e`: the demo traffic through a real Kafka broker and the service into the
 * embedded store, in two phases. The producer is a separate process (the simulator, like a
 * gateway); the service runs in this one, so RSS and CPU are the service's. The producer renders
 * each phase's traffic (tokens signed) before its first send, so while the service runs it spends
 * CPU on Kafka only.
 *
 * 1. Backlog: BENCH_E2E_EVENTS events are produced first, then the service starts and drains them.
 *    Sustained pairs/s = stored pairs over the time from the first stored pair to the last: what the
 *    service does flat out, with no producer competing for the two cores.
 * 2. Real time: BENCH_E2E_RATE events/s for BENCH_E2E_SECONDS, event times on the wall clock, while
 *    the service runs. Latency p50/p99 = stored_at (the store's clock) − event time, over the pairs
 *    of this phase; pairs/s as above.
 *
 * Then it waits until every outcome (the unpaired after their window) is stored and the lag is 0,
 * and prints the figures with the store writer's batches per phase and the peak RSS. Asserts
 * nothing.
 *
 * The producer's Kafka client is kcat (librdkafka; bench/kcat-producer.ts), installed by
 * scripts/ensure-kcat.sh: the producer shares the two cores with the service, and kafkajs spent
 * about 0.5 cores at 20,000 events/s on it alone. BENCH_E2E_CLIENT=kafkajs produces with kafkajs.
 *
 * Environment: BENCH_E2E_EVENTS (400000), BENCH_E2E_RATE (events/s, 20000: 10,000 pairs/s),
 * BENCH_E2E_SECONDS (15), BENCH_E2E_PARTITIONS (6), BENCH_E2E_LOG_LEVEL (error),
 * BENCH_E2E_WORKERS (2), BENCH_E2E_BATCH_DELAY_MS (store.batch.maxDelayMs; the config's default),
 * BENCH_E2E_CLIENT (kcat | kafkajs: the producer's Kafka client; kcat).
 * Needs Java and the Kafka jars (scripts/kafka.sh).
 */
import { execFile, execFileSync, fork } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parse, stringify } from "yaml";
import { demoLegacySecret, LEGACY_JWT_SECRET_ENV } from "../examples/health-tech/demo-secrets.js";
import { DEMO_CONFIG_FILE } from "../examples/health-tech/paths.js";
import { loadConfig } from "../src/config/load-config.js";
import { ensureTopics } from "../src/ingest/kafka/check-topics.js";
import { createKafkajsMirrorProducer } from "../src/ingest/kafka/kafka-producer.js";
import { withKafkajsAdmin } from "../src/ingest/kafka/kafkajs-client.js";
import { createKafkajsLagProbe } from "../src/ingest/kafka/kafkajs-lag-probe.js";
import { createLogger } from "../src/logging/logger.js";
import { kafkajsParts } from "../src/service/kafkajs-parts.js";
import { type RunningService, startService } from "../src/service/run-service.js";
import { type SimulationSummary, simulateTraffic } from "../src/simulate/simulate-traffic.js";
import { createKcatMirrorProducer, exitedChildrenCpuMs } from "./kcat-producer.js";

const BACKLOG_EVENTS = Number(process.env.BENCH_E2E_EVENTS ?? 400_000);
const RATE = Number(process.env.BENCH_E2E_RATE ?? 20_000);
const REALTIME_SECONDS = Number(process.env.BENCH_E2E_SECONDS ?? 15);
const PARTITIONS = Number(process.env.BENCH_E2E_PARTITIONS ?? 6);
const LOG_LEVEL = process.env.BENCH_E2E_LOG_LEVEL ?? "error";
/** Differ worker threads of the service (evaluation.workers); 0 diffs on the main thread. */
const WORKERS = Number(process.env.BENCH_E2E_WORKERS ?? 2);
/** store.batch.maxDelayMs of the service; unset, the config's default. */
const BATCH_DELAY_MS = process.env.BENCH_E2E_BATCH_DELAY_MS;
const CLIENT = producerClient(process.env.BENCH_E2E_CLIENT ?? "kcat");
/** "As fast as the producer can": the backlog's event times then span a fraction of a second. */
const UNPACED_RATE = 10_000_000;
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const KAFKA_SH = join(REPO_ROOT, "scripts/kafka.sh");
const ENSURE_KCAT_SH = join(REPO_ROOT, "scripts/ensure-kcat.sh");
const PSEUDONYM_ENV = "ENTITLEMENT_DIFF_PSEUDONYM_KEY";

interface Topics {
  legacy: string;
  new: string;
  deadLetter: string;
  /** The token lifecycle topic: the demo config has a lifecycle section (docs/lifecycle.md). */
  tokens: string;
}

/** What the producer process is asked to do. */
interface ProducerTask {
  brokers: string[];
  topics: Topics;
  seed: number;
  /** When the first event is due: the producer renders the whole run before (see prepareMs). */
  startAtMs: number;
  rate: number;
  events: number;
  /** The kcat binary, when the producer sends with kcat (else kafkajs). */
  kcatBin?: string;
}

interface ProducerDone {
  type: "done";
  summary: Omit<SimulationSummary, "expected">;
  expected: { pairs: number; unpaired: number };
  /** From the start of sending (the run rendered before it is not counted), kcat's included. */
  cpuMs: number;
}

/** What the producer process tells this one. */
type ProducerMessage = { type: "progress"; sent: number } | ProducerDone;

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits });
const seconds = (ms: number) => `${fmt(ms / 1000, 1)} s`;
const log = (text: string) => process.stderr.write(`bench:e2e: ${text}\n`);

// ---------------------------------------------------------------- the broker (scripts/kafka.sh)

interface Broker {
  brokers: string[];
  stop(): Promise<void>;
}

async function startBroker(): Promise<Broker> {
  const [port, controllerPort] = await freePorts(2);
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "entitlement-diff-bench-kafka-")));
  const kafkaSh = (...args: string[]) =>
    promisify(execFile)("bash", [KAFKA_SH, ...args, "--dir", dir], {
      cwd: REPO_ROOT,
      // Stopped with this process, even when it is killed (SIGKILL runs no handler of ours).
      env: { ...process.env, KAFKA_OWNER_PID: String(process.pid) },
    });
  try {
    await kafkaSh(
      "start",
      "--port",
      String(port),
      "--controller-port",
      String(controllerPort),
      "--timeout",
      "120",
    );
  } catch (error) {
    await kafkaSh("stop").catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `scripts/kafka.sh start failed: ${(error as { stderr?: string }).stderr ?? String(error)}`,
    );
  }
  let stopped = false;
  // An uncaught error ends the process without running `finally`: the broker must not outlive it
  // (it would take CPU from every later run on the same cores).
  const stopOnExit = () => {
    try {
      execFileSync("bash", [KAFKA_SH, "stop", "--dir", dir], { cwd: REPO_ROOT, stdio: "ignore" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  process.once("exit", stopOnExit);
  return {
    brokers: [`127.0.0.1:${port}`],
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off("exit", stopOnExit);
      await kafkaSh("stop");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Holds every listener open until each has its port, so the ports are distinct. */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  const ports = await Promise.all(
    servers.map(
      (s) =>
        new Promise<number>((ok, fail) => {
          s.once("error", fail);
          s.listen(0, "127.0.0.1", () => ok((s.address() as { port: number }).port));
        }),
    ),
  );
  await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
  return ports;
}

/**
 * The mirror topics, the tokens topic and the dead-letter topic. kafkajs' createTopics can report a topic it has
 * just created as unknown while waiting for its leaders: listing again sees it, so retry.
 */
async function createTopics(client: { brokers: string[]; clientId: string }, topics: Topics): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await withKafkajsAdmin(client, async (admin) => {
        await ensureTopics(admin, [topics.legacy, topics.new, topics.tokens], PARTITIONS);
        await ensureTopics(admin, [topics.deadLetter], 1);
      });
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

// ---------------------------------------------------------------- the service

/** The demo config, made absolute, pointed at the bench broker, topics and an embedded store. */
function writeConfig(workDir: string, brokers: string[], topics: Topics, groupId: string): string {
  const demo = parse(readFileSync(DEMO_CONFIG_FILE, "utf8")) as Record<string, unknown> & {
    issuers: Record<string, { keys: { path?: string } }>;
    api?: { keys: { path?: string }; localSigningKey?: string };
    legacy: { rules: string };
    policy: { bundle: string };
  };
  const abs = (p: string) => resolve(dirname(DEMO_CONFIG_FILE), p);
  for (const issuer of Object.values(demo.issuers))
    if (issuer.keys.path) issuer.keys.path = abs(issuer.keys.path);
  if (demo.api?.keys.path) demo.api.keys.path = abs(demo.api.keys.path);
  if (demo.api?.localSigningKey) demo.api.localSigningKey = abs(demo.api.localSigningKey);
  demo.legacy.rules = abs(demo.legacy.rules);
  demo.policy.bundle = abs(demo.policy.bundle);
  const config = {
    ...demo,
    kafka: { brokers, brokersEnv: "BENCH_E2E_NO_SUCH_VARIABLE", groupId, topics },
    store: {
      driver: "embedded",
      path: join(workDir, "store"),
      pseudonymKeyEnv: PSEUDONYM_ENV,
      ...(BATCH_DELAY_MS ? { batch: { maxDelayMs: Number(BATCH_DELAY_MS) } } : {}),
    },
    server: { host: "127.0.0.1", port: 0 },
    logging: { level: LOG_LEVEL },
    evaluation: { workers: WORKERS },
  };
  const file = join(workDir, "config.yaml");
  writeFileSync(file, stringify(config));
  return file;
}

async function startBenchService(file: string, env: Record<string, string>): Promise<RunningService> {
  const loaded = loadConfig(file);
  const logger = createLogger(loaded.config.logging.level);
  return startService({
    loaded,
    env,
    log: logger,
    kafka: (t) => kafkajsParts(loaded.config.kafka, t, env, logger),
    port: 0,
  });
}

// ---------------------------------------------------------------- the producer process

/**
 * Time the producer gets to render a run before its first send (about 11 µs an event measured,
 * signing tokens included): like a gateway, which does not mint tokens on the service's cores, it
 * then spends its CPU on Kafka alone while the service runs. Late, it catches up at once.
 */
function prepareMs(events: number): number {
  return 1_500 + Math.ceil(events * 0.025);
}

/** Runs in the forked producer: the simulator, reporting over IPC. */
async function produce(): Promise<void> {
  const task = JSON.parse(process.env.BENCH_E2E_PRODUCER ?? "{}") as ProducerTask;
  const producer = task.kcatBin
    ? createKcatMirrorProducer({ brokers: task.brokers, kcatBin: task.kcatBin })
    : createKafkajsMirrorProducer({ brokers: task.brokers, clientId: "bench-gateway" });
  let lastReport = 0;
  // Rendering the run blocks this thread, so the timer fires once it is done and sending starts.
  let cpuAtStart = process.cpuUsage();
  setTimeout(() => (cpuAtStart = process.cpuUsage()), Math.max(0, task.startAtMs - Date.now()));
  try {
    const { expected, ...sending } = await simulateTraffic({
      producer,
      topics: task.topics,
      eventsPerSecond: task.rate,
      durationSeconds: task.events / task.rate,
      seed: task.seed,
      startAtMs: task.startAtMs,
      prepare: true,
      legacySecret: demoLegacySecret(),
      onProgress: (sent) => {
        if (Date.now() - lastReport < 1_000) return;
        lastReport = Date.now();
        process.send?.({ type: "progress", sent } satisfies ProducerMessage);
      },
    });
    const totals = expected?.totals ?? { pairs: Number.NaN, unpaired: Number.NaN };
    await producer.close(); // kcat flushes and exits here: its CPU is counted once it has
    // kcat's sends resolve on hand-off: the phase ends when everything is flushed.
    const elapsedMs = Date.now() - task.startAtMs;
    const summary = {
      ...sending,
      elapsedMs,
      achievedRate: elapsedMs > 0 ? (sending.sent * 1000) / elapsedMs : 0,
    };
    const cpu = process.cpuUsage(cpuAtStart);
    const done: ProducerDone = {
      type: "done",
      summary,
      expected: { pairs: totals.pairs, unpaired: totals.unpaired },
      cpuMs: (cpu.user + cpu.system) / 1000 + exitedChildrenCpuMs(),
    };
    await new Promise<void>((ok) => process.send?.(done, () => ok()));
  } finally {
    await producer.close();
  }
}

interface ProducerRun {
  sent(): number;
  /** The producer's report, once it is done; undefined before. */
  result(): ProducerDone | undefined;
  done: Promise<ProducerDone>;
}

function forkProducer(task: Omit<ProducerTask, "seed">): ProducerRun {
  const child = fork(fileURLToPath(import.meta.url), ["--produce"], {
    env: { ...process.env, BENCH_E2E_PRODUCER: JSON.stringify({ ...task, seed: randomInt(2 ** 31) }) },
  });
  let sent = 0;
  let result: ProducerDone | undefined;
  const done = new Promise<ProducerDone>((ok, fail) => {
    child.on("message", (m: ProducerMessage) => {
      if (m.type === "progress") sent = m.sent;
      else {
        result = m;
        ok(m);
      }
    });
    child.once("exit", (code) =>
      fail(new Error(`the producer process exited with ${code} before it was done`)),
    );
  });
  done.catch(() => undefined); // awaited or polled by the caller
  return { sent: () => result?.summary.sent ?? sent, result: () => result, done };
}

// ---------------------------------------------------------------- measuring

interface PhaseFigures {
  pairs: number;
  unpaired: number;
  firstStoredMs: number;
  lastStoredMs: number;
  p50: number;
  p99: number;
  max: number;
}

/** Pairs stored and their latency, over the outcomes with an event time from `sinceMs` on. */
async function phaseFigures(
  service: RunningService,
  sinceMs: number,
  untilMs: number,
): Promise<PhaseFigures> {
  const latency = "toUnixTimestamp64Milli(stored_at) - toUnixTimestamp64Milli(event_time)";
  const [row] = await service.store.driver.query<Record<keyof PhaseFigures, string>>(
    `SELECT countIf(paired) AS pairs, countIf(NOT paired) AS unpaired,
       minIf(toUnixTimestamp64Milli(stored_at), paired) AS firstStoredMs,
       maxIf(toUnixTimestamp64Milli(stored_at), paired) AS lastStoredMs,
       quantileExactIf(0.5)(${latency}, paired) AS p50,
       quantileExactIf(0.99)(${latency}, paired) AS p99,
       maxIf(${latency}, paired) AS max
     FROM ${service.store.tables.outcomes} FINAL
     WHERE event_time >= fromUnixTimestamp64Milli({since:Int64}, 'UTC')
       AND event_time < fromUnixTimestamp64Milli({until:Int64}, 'UTC')`,
    { since: sinceMs, until: untilMs },
  );
  const n = (k: keyof PhaseFigures) => Number(row?.[k] ?? 0);
  return {
    pairs: n("pairs"),
    unpaired: n("unpaired"),
    firstStoredMs: n("firstStoredMs"),
    lastStoredMs: n("lastStoredMs"),
    p50: n("p50"),
    p99: n("p99"),
    max: n("max"),
  };
}

async function storedCounts(service: RunningService): Promise<{ pairs: number; all: number }> {
  const [row] = await service.store.driver.query<{ pairs: string; all: string }>(
    `SELECT countIf(paired) AS pairs, count() AS all FROM ${service.store.tables.outcomes}`,
  );
  return { pairs: Number(row?.pairs ?? 0), all: Number(row?.all ?? 0) };
}

interface Progress {
  service: RunningService;
  lag(): Promise<number>;
  startedMs: number;
}

/** Polls every second, logging, until `enough` holds; fails after `timeoutMs`. */
async function pollUntil(
  p: Progress,
  what: string,
  producer: ProducerRun | undefined,
  enough: (stored: { pairs: number; all: number }, lag: number) => boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await new Promise((r) => setTimeout(r, 1_000));
    const [stored, lag] = await Promise.all([storedCounts(p.service), p.lag()]);
    log(
      `${seconds(Date.now() - p.startedMs)} ${what}: ${producer ? `produced ${fmt(producer.sent())}, ` : ""}` +
        `stored ${fmt(stored.pairs)} pairs, lag ${fmt(lag)}, pending ${fmt(p.service.pipeline.pendingEvents())}, rss ${fmt(process.memoryUsage().rss / 2 ** 20)} MiB`,
    );
    if (enough(stored, lag)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not done after ${seconds(timeoutMs)}`);
  }
}

// ---------------------------------------------------------------- main

interface Phase {
  producer: ProducerDone;
  figures: PhaseFigures;
  cpuCores: number;
  inserts: Inserts;
}

/** Tokens the service checked with jose (not answered from a cache), over the whole run. */
async function verificationsLine(service: RunningService): Promise<string> {
  const { values } = await service.metrics.verifications.get();
  const of = (side: string) => values.find((v) => v.labels.side === side)?.value ?? 0;
  const [legacy, next] = [of("legacy"), of("new")];
  return `tokens        ${fmt(legacy + next)} checked with jose (legacy ${fmt(legacy)}, new ${fmt(next)}), the rest from the verification caches`;
}

/** The store writer's batches over a phase. */
interface Inserts {
  batches: number;
  seconds: number;
  /** Outcomes and session facts. */
  entries: number;
}

/** The writer's totals so far: batch count and time from its histogram, entries from its stats. */
async function insertTotals(service: RunningService): Promise<Inserts> {
  const { values } = await service.metrics.storeBatchSeconds.get();
  const total = (suffix: string) =>
    values.filter((v) => v.metricName?.endsWith(suffix)).reduce((n, v) => n + v.value, 0);
  return { batches: total("_count"), seconds: total("_sum"), entries: service.writer.stats().writtenRows };
}

function insertsSince(before: Inserts, after: Inserts): Inserts {
  return {
    batches: after.batches - before.batches,
    seconds: after.seconds - before.seconds,
    entries: after.entries - before.entries,
  };
}

function producerClient(name: string): "kcat" | "kafkajs" {
  if (name === "kcat" || name === "kafkajs") return name;
  throw new Error(`BENCH_E2E_CLIENT must be kcat or kafkajs, got ${JSON.stringify(name)}`);
}

async function ensureKcat(): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)("bash", [ENSURE_KCAT_SH], { cwd: REPO_ROOT });
    return stdout.trim().split("\n").at(-1) ?? "kcat";
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`kcat is needed for the producer (or BENCH_E2E_CLIENT=kafkajs): ${stderr || error}`);
  }
}

async function bench(): Promise<void> {
  log(
    `backlog of ${fmt(BACKLOG_EVENTS)} events, then ${fmt(RATE)} events/s for ${REALTIME_SECONDS} s; ${PARTITIONS} partitions per mirror topic; producer client ${CLIENT}`,
  );
  const broker = await startBroker();
  const workDir = mkdtempSync(join(tmpdir(), "entitlement-diff-bench-"));
  let service: RunningService | undefined;
  const cleanup = async () => {
    await service?.stop().catch(() => undefined);
    await broker.stop();
    rmSync(workDir, { recursive: true, force: true });
  };
  process.once("SIGINT", () => void cleanup().finally(() => process.exit(130)));
  process.once("SIGTERM", () => void cleanup().finally(() => process.exit(143)));
  try {
    const suffix = randomBytes(3).toString("hex");
    const topics = {
      legacy: `bench-legacy-${suffix}`,
      new: `bench-new-${suffix}`,
      deadLetter: `bench-dlq-${suffix}`,
      tokens: `bench-tokens-${suffix}`,
    };
    const groupId = `bench-${suffix}`;
    const client = { brokers: broker.brokers, clientId: "bench-admin" };
    await createTopics(client, topics);
    const kcatBin = CLIENT === "kcat" ? await ensureKcat() : undefined;
    const task = { brokers: broker.brokers, topics, ...(kcatBin ? { kcatBin } : {}) };

    log("phase 1: producing the backlog");
    const backlog = await forkProducer({
      ...task,
      rate: UNPACED_RATE,
      events: BACKLOG_EVENTS,
      startAtMs: Date.now() + prepareMs(BACKLOG_EVENTS),
    }).done;
    log(`backlog produced: ${fmt(backlog.summary.sent)} events in ${seconds(backlog.summary.elapsedMs)}`);
    const env = {
      ...(process.env as Record<string, string>),
      [LEGACY_JWT_SECRET_ENV]: demoLegacySecret(),
      [PSEUDONYM_ENV]: randomBytes(32).toString("base64url"),
    };
    const startedMs = Date.now();
    service = await startBenchService(writeConfig(workDir, broker.brokers, topics, groupId), env);
    const probe = createKafkajsLagProbe({
      ...client,
      groupId,
      topics: [topics.legacy, topics.new, topics.tokens],
    });
    const progress: Progress = {
      service,
      startedMs,
      lag: async () => (await probe.measure()).reduce((n, p) => n + p.lag, 0),
    };
    let cpu = process.cpuUsage();
    let wall = Date.now();
    const cores = () => {
      const used = process.cpuUsage(cpu);
      const c = (used.user + used.system) / 1000 / Math.max(1, Date.now() - wall);
      cpu = process.cpuUsage();
      wall = Date.now();
      return c;
    };
    await pollUntil(
      progress,
      "draining the backlog",
      undefined,
      (s) => s.pairs >= backlog.expected.pairs,
      600_000,
    );
    const backlogCores = cores();
    const afterBacklog = await insertTotals(service);

    log(`phase 2: ${fmt(RATE)} events/s in real time`);
    const realtimeEvents = Math.round(RATE * REALTIME_SECONDS);
    const realtimeStartMs = Date.now() + prepareMs(realtimeEvents);
    const live = forkProducer({ ...task, rate: RATE, events: realtimeEvents, startAtMs: realtimeStartMs });
    // The service idles while the producer renders the run: its CPU counts from the first send.
    await new Promise((r) => setTimeout(r, realtimeStartMs - Date.now()));
    cores();
    const beforeRealtime = await insertTotals(service);
    await pollUntil(
      progress,
      "real time",
      live,
      (s) => {
        const done = live.result();
        return done !== undefined && s.pairs >= backlog.expected.pairs + done.expected.pairs;
      },
      REALTIME_SECONDS * 1000 + 600_000,
    );
    const realtimeCores = cores();
    const realtimeInserts = insertsSince(beforeRealtime, await insertTotals(service));
    const realtime = await live.done;

    const all =
      backlog.expected.pairs +
      backlog.expected.unpaired +
      realtime.expected.pairs +
      realtime.expected.unpaired;
    await pollUntil(
      progress,
      "waiting for the unpaired (window) and the last commits",
      undefined,
      (s, lag) => s.all >= all && lag === 0,
      300_000,
    );
    await probe.close();
    const farFuture = Date.now() + 86_400_000;
    report(
      {
        producer: backlog,
        figures: await phaseFigures(service, 0, realtimeStartMs - 1),
        cpuCores: backlogCores,
        inserts: afterBacklog,
      },
      {
        producer: realtime,
        figures: await phaseFigures(service, realtimeStartMs - 1, farFuture),
        cpuCores: realtimeCores,
        inserts: realtimeInserts,
      },
    );
    process.stdout.write(`${await verificationsLine(service)}\n`);
  } finally {
    await cleanup();
  }
}

function report(backlog: Phase, realtime: Phase): void {
  const pairsPerSecond = (f: PhaseFigures) =>
    (f.pairs * 1000) / Math.max(1, f.lastStoredMs - f.firstStoredMs);
  const stored = (p: Phase) =>
    `${fmt(p.figures.pairs)} pairs (expected ${fmt(p.producer.expected.pairs)}), ${fmt(p.figures.unpaired)} unpaired (expected ${fmt(p.producer.expected.unpaired)})`;
  const produced = (p: Phase) =>
    `${fmt(p.producer.summary.sent)} events in ${seconds(p.producer.summary.elapsedMs)} (${fmt(p.producer.summary.achievedRate)} events/s; producer CPU ${seconds(p.producer.cpuMs)} while sending, ${CLIENT})`;
  const inserts = ({ inserts: i }: Phase) =>
    `${fmt(i.batches)} batches, ${fmt(i.entries / Math.max(1, i.batches))} outcomes and facts each, ${fmt((1000 * i.seconds) / Math.max(1, i.batches))} ms each on average`;
  const b = backlog.figures;
  const r = realtime.figures;
  const lines = [
    "backlog (produced first, then drained by the service)",
    `  produced    ${produced(backlog)}`,
    `  stored      ${stored(backlog)}`,
    `  sustained   ${fmt(pairsPerSecond(b))} pairs/s (first to last stored pair: ${seconds(b.lastStoredMs - b.firstStoredMs)}); service CPU ${fmt(backlog.cpuCores, 2)} cores`,
    `  inserts     ${inserts(backlog)}`,
    `real time (${fmt(RATE)} events/s offered while the service runs)`,
    `  produced    ${produced(realtime)}`,
    `  stored      ${stored(realtime)}`,
    `  sustained   ${fmt(pairsPerSecond(r))} pairs/s (first to last stored pair: ${seconds(r.lastStoredMs - r.firstStoredMs)}); service CPU ${fmt(realtime.cpuCores, 2)} cores`,
    `  inserts     ${inserts(realtime)}`,
    `  latency     p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms, max ${fmt(r.max)} ms (event time to stored, pairs)`,
    `peak RSS      ${fmt((process.resourceUsage().maxRSS * 1024) / 2 ** 20)} MiB (service process: pipeline + embedded store)`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

if (process.argv[2] === "--produce") await produce();
else await bench();
