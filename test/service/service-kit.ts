import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { parse, stringify } from "yaml";
import { DEMO_LEGACY_JWT_SECRET, LEGACY_JWT_SECRET_ENV } from "../../examples/health-tech/demo-secrets.js";
import type { ExpectedManifest } from "../../examples/health-tech/generator/expected-manifest.js";
import type { DemoTrafficOptions } from "../../examples/health-tech/generator/traffic.js";
import { writeDemoFiles } from "../../examples/health-tech/generator/write-demo-files.js";
import { DEMO_CONFIG_FILE, tokensFileFor } from "../../examples/health-tech/paths.js";
import { loadConfig } from "../../src/config/load-config.js";
import { createKafkajsMirrorProducer } from "../../src/ingest/kafka/kafka-producer.js";
import type { DeadLetterSink } from "../../src/ingest/kafka/mirror-consumer.js";
import { createLogger } from "../../src/logging/logger.js";
import { kafkajsParts } from "../../src/service/kafkajs-parts.js";
import { type RunningService, startService } from "../../src/service/run-service.js";
import type { Store } from "../../src/store/open-store.js";
import type { RowSink } from "../../src/store/write-rows.js";
import type { Evaluator } from "../../src/stream/evaluator.js";
import { createTopics } from "../kafka/kafka-test-kit.js";
import type { KafkaBroker } from "../support/kafka-broker.js";

export interface ServiceTopics {
  legacy: string;
  new: string;
  deadLetter: string;
  /** The token lifecycle topic; without it the service runs without the lifecycle section. */
  tokens?: string;
}

/** The two mirror topics with `partitions` each (co-partitioned) and a one-partition dead-letter topic. */
export function createMirrorTopics(
  broker: KafkaBroker,
  topics: ServiceTopics,
  partitions: number,
): Promise<void> {
  return createTopics(broker, {
    [topics.legacy]: partitions,
    [topics.new]: partitions,
    [topics.deadLetter]: 1,
  });
}

export const PSEUDONYM_ENV = "ENTITLEMENT_DIFF_PSEUDONYM_KEY";

/** The environment a service under test runs with: the demo's legacy secret and a fresh pseudonym key. */
export function serviceEnv(): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    [LEGACY_JWT_SECRET_ENV]: DEMO_LEGACY_JWT_SECRET,
    [PSEUDONYM_ENV]: randomBytes(32).toString("base64url"),
  };
}

/** The demo config, made absolute, pointed at a test broker, topics, store dir and group. */
export function writeServiceConfig(options: {
  brokers: string[];
  topics: ServiceTopics;
  storeDir: string;
  groupId: string;
  windowSeconds?: number;
  gateRefreshSeconds?: number;
  /** lifecycle.windowSeconds, when the topics name a tokens topic. */
  lifecycleWindowSeconds?: number;
  /** evaluation.workers: differ worker threads (default 0, the diff on the main thread). */
  workers?: number;
  /** policy.bundle instead of the demo's. */
  policyBundle?: string;
  /** policy.maxMemoryPages instead of the demo's. */
  maxMemoryPages?: number;
  /** evaluation.workerTimeoutSeconds (the service's default when unset). */
  workerTimeoutSeconds?: number;
}): string {
  const demo = parse(readFileSync(DEMO_CONFIG_FILE, "utf8")) as Record<string, unknown> & {
    issuers: Record<string, { keys: { type: string; path?: string } }>;
    api?: { keys: { path?: string }; localSigningKey?: string };
    legacy: { rules: string };
    policy: { bundle: string; maxMemoryPages?: number };
    pairing?: Record<string, unknown>;
    lifecycle?: Record<string, unknown>;
  };
  const abs = (p: string) => resolve(dirname(DEMO_CONFIG_FILE), p);
  for (const issuer of Object.values(demo.issuers))
    if (issuer.keys.path) issuer.keys.path = abs(issuer.keys.path);
  if (demo.api?.keys.path) demo.api.keys.path = abs(demo.api.keys.path);
  if (demo.api?.localSigningKey) demo.api.localSigningKey = abs(demo.api.localSigningKey);
  demo.legacy.rules = abs(demo.legacy.rules);
  demo.policy.bundle = options.policyBundle ?? abs(demo.policy.bundle);
  if (options.maxMemoryPages) demo.policy.maxMemoryPages = options.maxMemoryPages;
  demo.pairing = { ...demo.pairing, windowSeconds: options.windowSeconds ?? 5 };
  if (options.topics.tokens === undefined) delete demo.lifecycle;
  else
    demo.lifecycle = {
      ...demo.lifecycle,
      windowSeconds: options.lifecycleWindowSeconds ?? 5,
      sweepSeconds: 1,
    };
  const config = {
    ...demo,
    kafka: {
      brokers: options.brokers,
      brokersEnv: "TEST_NO_SUCH_VARIABLE",
      groupId: options.groupId,
      topics: options.topics,
      commitIntervalMs: 200,
      sessionTimeoutMs: 10_000,
    },
    store: {
      driver: "embedded",
      path: options.storeDir,
      pseudonymKeyEnv: PSEUDONYM_ENV,
      batch: { maxRows: 500, maxDelayMs: 100 },
    },
    server: { host: "127.0.0.1", port: 0 },
    // Not the demo's own evaluation section: a test asks for the workers it runs with.
    evaluation: {
      workers: options.workers ?? 0,
      ...(options.workerTimeoutSeconds ? { workerTimeoutSeconds: options.workerTimeoutSeconds } : {}),
    },
    logging: { level: process.env.TEST_LOG_LEVEL ?? "silent" },
    ...(options.gateRefreshSeconds ? { metrics: { gateRefreshSeconds: options.gateRefreshSeconds } } : {}),
  };
  const file = join(mkdtempSync(join(tmpdir(), "service-config-")), "config.yaml");
  writeFileSync(file, stringify(config));
  return file;
}

export interface DemoTraffic {
  lines: string[];
  /** The token lifecycle events (events.tokens.ndjson). */
  tokenLines: string[];
  expected: ExpectedManifest;
}

/**
 * Demo traffic of the last hour: the store's retention (TTL, 30 days) is counted from the wall
 * clock, so the demo's default March start would be expired the moment it is written.
 */
export async function demoTraffic(
  events: number,
  options: Pick<DemoTrafficOptions, "principals" | "requestsPerSecond" | "lifecycleWindowSeconds"> = {},
): Promise<DemoTraffic> {
  const dir = mkdtempSync(join(tmpdir(), "service-traffic-"));
  const file = join(dir, "events.ndjson");
  const start = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000).toISOString();
  const { manifest } = await writeDemoFiles(
    { events, legacySecret: DEMO_LEGACY_JWT_SECRET, start, ...options },
    file,
    join(dir, "expected.json"),
  );
  const read = (f: string) => readFileSync(f, "utf8").split("\n").filter(Boolean);
  return { lines: read(file), tokenLines: read(tokensFileFor(file)), expected: manifest };
}

/** Produces mirrored lines as gateways would: by side, keyed by correlationId; garbage to the legacy topic. */
export async function produceLines(
  broker: KafkaBroker,
  topics: ServiceTopics,
  lines: readonly string[],
): Promise<void> {
  const producer = createKafkajsMirrorProducer({ brokers: broker.brokers, clientId: "test-gateway" });
  try {
    // In line (event time) order, a chunk at a time to both topics at once, as gateways mirror:
    // the two sides never drift further apart than one chunk. One topic after the other, a loaded
    // machine once kept a chunk's new side 2 s behind its legacy side: a whole 2 s window, in
    // which the service rightly took the new gateways for silent and split pairs.
    for (let i = 0; i < lines.length; i += 1_000) {
      const byTopic = new Map<string, { key: string | null; value: string }[]>();
      for (const line of lines.slice(i, i + 1_000)) {
        const { side, key } = routeOf(line);
        const topic = side === "new" ? topics.new : topics.legacy;
        const list = byTopic.get(topic) ?? [];
        list.push({ key, value: line });
        byTopic.set(topic, list);
      }
      await Promise.all([...byTopic].map(([topic, messages]) => producer.send(topic, messages)));
    }
  } finally {
    await producer.close();
  }
}

/** Produces token lifecycle lines to the tokens topic as gateways would: keyed by sessionId. */
export async function produceTokenLines(
  broker: KafkaBroker,
  topic: string,
  lines: readonly string[],
): Promise<void> {
  const producer = createKafkajsMirrorProducer({ brokers: broker.brokers, clientId: "test-gateway-tokens" });
  try {
    const messages = lines.map((value) => ({
      key: (JSON.parse(value) as { sessionId: string }).sessionId,
      value,
    }));
    for (let i = 0; i < messages.length; i += 1_000) await producer.send(topic, messages.slice(i, i + 1_000));
  } finally {
    await producer.close();
  }
}

/** Where a gateway sends a line: its side and key (correlationId); garbage goes to legacy. */
export function routeOf(line: string): { side: string; key: string | null } {
  try {
    const o = JSON.parse(line) as { side?: unknown; correlationId?: unknown };
    return { side: String(o.side), key: typeof o.correlationId === "string" ? o.correlationId : null };
  } catch {
    return { side: "legacy", key: null };
  }
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Total lag of the group over the topics (0 when everything produced is committed). The group
 * coordinator may still be moving right after start-up: such errors are retried.
 */
export async function groupLag(broker: KafkaBroker, groupId: string, topics: string[]): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await groupLagOnce(broker, groupId, topics);
    } catch (err) {
      if (attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

async function groupLagOnce(broker: KafkaBroker, groupId: string, topics: string[]): Promise<number> {
  const admin = new Kafka({
    clientId: "test-lag",
    brokers: broker.brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    let lag = 0;
    const committed = await admin.fetchOffsets({ groupId, topics });
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const end of ends) {
        const c = Number(mine.find((p) => p.partition === end.partition)?.offset ?? -1);
        lag += Number(end.high) - Math.max(c, Number(end.low));
      }
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}

/** Every message of a topic (e.g. the DLQ), read from the start with a throwaway group. */
export async function readTopic(broker: KafkaBroker, topic: string, expected: number, timeoutMs = 30_000) {
  const kafka = new Kafka({ clientId: "test-reader", brokers: broker.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `reader-${randomBytes(4).toString("hex")}` });
  const messages: { value: string; headers: Record<string, string> }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers = Object.fromEntries(
        Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
      );
      messages.push({ value: message.value?.toString("utf8") ?? "", headers });
    },
  });
  try {
    await waitFor(`${expected} messages on ${topic}`, async () => messages.length >= expected, timeoutMs);
    return messages;
  } finally {
    await consumer.disconnect();
  }
}

export interface TestServiceOptions {
  broker: KafkaBroker;
  topics: ServiceTopics;
  groupId: string;
  storeDir?: string;
  store?: Store;
  wrapSink?: (sink: RowSink) => RowSink;
  windowSeconds?: number;
  gateRefreshSeconds?: number;
  /** lifecycle.windowSeconds, when the topics name a tokens topic. */
  lifecycleWindowSeconds?: number;
  /** The environment (default: serviceEnv(), a fresh pseudonym key). */
  env?: Record<string, string>;
  /** How long a stop waits for the store (the service's default when unset). */
  stopStoreWaitMs?: number;
  /** Stands between the pipeline and its evaluator (fault injection). */
  wrapEvaluator?: (evaluator: Evaluator) => Evaluator;
  /** Stands between the service and its dead-letter topic (fault injection). */
  wrapDeadLetters?: (sink: DeadLetterSink) => DeadLetterSink;
  /** evaluation.workers (default 0). */
  workers?: number;
  /** policy.bundle instead of the demo's. */
  policyBundle?: string;
  maxMemoryPages?: number;
  /** evaluation.workerTimeoutSeconds, with workers. */
  workerTimeoutSeconds?: number;
}

/** The service in this process, on the demo config pointed at the test broker and a store. */
export async function startTestService(o: TestServiceOptions): Promise<RunningService> {
  const config = writeServiceConfig({
    brokers: o.broker.brokers,
    topics: o.topics,
    storeDir: o.storeDir ?? mkdtempSync(join(tmpdir(), "service-store-")),
    groupId: o.groupId,
    windowSeconds: o.windowSeconds,
    gateRefreshSeconds: o.gateRefreshSeconds,
    lifecycleWindowSeconds: o.lifecycleWindowSeconds,
    workers: o.workers,
    policyBundle: o.policyBundle,
    maxMemoryPages: o.maxMemoryPages,
    workerTimeoutSeconds: o.workerTimeoutSeconds,
  });
  const env = o.env ?? serviceEnv();
  const loaded = loadConfig(config);
  const log = createLogger(loaded.config.logging.level);
  return startService({
    loaded,
    env,
    log,
    kafka: async (t) => {
      const parts = await kafkajsParts(loaded.config.kafka, t, env, log);
      return o.wrapDeadLetters ? { ...parts, deadLetters: o.wrapDeadLetters(parts.deadLetters) } : parts;
    },
    port: 0,
    store: o.store,
    wrapSink: o.wrapSink,
    wrapEvaluator: o.wrapEvaluator,
    stopStoreWaitMs: o.stopStoreWaitMs,
  });
}

export async function countOutcomes(store: Store): Promise<number> {
  const [row] = await store.driver.query<{ n: string }>(
    `SELECT count() AS n FROM ${store.tables.outcomes} FINAL`,
  );
  return Number(row?.n ?? 0);
}

/** Waits until every expected outcome is stored and the group has committed everything. */
export async function waitUntilDone(
  broker: KafkaBroker,
  store: Store,
  topics: ServiceTopics,
  groupId: string,
  expected: ExpectedManifest,
  timeoutMs = 120_000,
): Promise<void> {
  await waitUntilOutcomes(
    broker,
    store,
    topics,
    groupId,
    expected.totals.pairs + expected.totals.unpaired,
    timeoutMs,
  );
}

/** Waits until exactly `want` outcomes are stored and the group has committed everything. */
export async function waitUntilOutcomes(
  broker: KafkaBroker,
  store: Store,
  topics: ServiceTopics,
  groupId: string,
  want: number,
  timeoutMs = 120_000,
): Promise<void> {
  let last = "";
  await waitFor(
    `${want} outcomes stored and every offset committed`,
    async () => {
      const stored = await countOutcomes(store);
      const lag = await groupLag(broker, groupId, [topics.legacy, topics.new]);
      last = `stored ${stored}, lag ${lag}`;
      return stored === want && lag === 0;
    },
    timeoutMs,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; last seen: ${last}`);
  });
}

/** The stored findings as `correlationId kind side` lines, with how often each is stored (FINAL). */
export async function storedFindings(store: Store): Promise<{ lines: string[]; maxCopies: number }> {
  const rows = await store.driver.query<{ correlation_id: string; kind: string; side: string; n: string }>(
    `SELECT correlation_id, kind, side, count() AS n FROM ${store.tables.findings} FINAL GROUP BY correlation_id, kind, side`,
  );
  return {
    lines: rows.map((r) => `${r.correlation_id} ${r.kind} ${r.side || "-"}`).sort(),
    maxCopies: Math.max(0, ...rows.map((r) => Number(r.n))),
  };
}

export function expectedFindingLines(expected: ExpectedManifest): string[] {
  return expected.findings.map((f) => `${f.correlationId} ${f.kind} ${f.side ?? "-"}`).sort();
}

export function uniqueTopics(prefix: string): { topics: ServiceTopics; groupId: string } {
  const s = randomBytes(3).toString("hex");
  return {
    topics: { legacy: `${prefix}-legacy-${s}`, new: `${prefix}-new-${s}`, deadLetter: `${prefix}-dlq-${s}` },
    groupId: `${prefix}-${s}`,
  };
}
