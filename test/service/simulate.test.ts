import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { createTopics, rawKafka, withAdmin } from "../kafka/kafka-test-kit.js";
import { type KafkaBroker, startKafka } from "../support/kafka-broker.js";
import { type ServiceTopics, waitFor, writeServiceConfig } from "./service-kit.js";

let broker: KafkaBroker;

beforeAll(async () => {
  broker = await startKafka();
}, 240_000);

afterAll(async () => {
  await broker?.stop();
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Fresh co-partitioned mirror topics and a config pointing the simulator at them. */
async function setUp(partitions = 4): Promise<{ topics: ServiceTopics; config: string }> {
  const s = randomBytes(3).toString("hex");
  const topics = { legacy: `sim-legacy-${s}`, new: `sim-new-${s}`, deadLetter: `sim-dlq-${s}` };
  await createTopics(broker, { [topics.legacy]: partitions, [topics.new]: partitions });
  const config = writeServiceConfig({
    brokers: broker.brokers,
    topics,
    storeDir: mkdtempSync(join(tmpdir(), "sim-store-")),
    groupId: `sim-${s}`,
  });
  return { topics, config };
}

/** The real CLI in this process; stdout and stderr captured. */
async function simulate(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const began = performance.now();
  try {
    const code = await main(["node", "entitlement-diff", "simulate", ...args]);
    return { code, stdout, stderr, ms: performance.now() - began };
  } finally {
    vi.restoreAllMocks();
  }
}

async function messageCount(topic: string): Promise<number> {
  const offsets = await withAdmin(broker, (admin) => admin.fetchTopicOffsets(topic));
  return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
}

interface Read {
  topic: string;
  partition: number;
  key: string | null;
}

/** Every message of the topics, with its partition. */
async function readAll(topics: string[], expected: number): Promise<Read[]> {
  const consumer = rawKafka(broker).consumer({ groupId: `sim-reader-${randomBytes(3).toString("hex")}` });
  const read: Read[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        read.push({ topic, partition, key: message.key?.toString("utf8") ?? null });
      },
    });
    await waitFor(`${expected} messages`, async () => read.length >= expected, 30_000);
  } finally {
    await consumer.disconnect();
  }
  return read;
}

describe("entitlement-diff simulate against a real broker", () => {
  it("produces rate × duration events in about duration, both sides co-partitioned by correlationId", async () => {
    const { topics, config } = await setUp();
    const run = await simulate("-c", config, "--rate", "500", "--duration", "2", "--seed", "11");
    expect(run.code, run.stderr).toBe(0);
    // Paced, it cannot finish before its schedule nor send faster than the rate; how much slower
    // a loaded machine makes it is not this test's business (the pacer's own tests use a fake clock).
    expect(run.ms).toBeGreaterThan(1_900);
    expect(run.stdout).toMatch(/^sent 1000 of 1000 events in [\d.]+ s: \d+ events\/s \(target 500\)/);
    const achieved = Number(/: (\d+) events\/s/.exec(run.stdout)?.[1]);
    expect(achieved).toBeLessThan(550);
    expect(run.stdout).toMatch(/seed 11.*expected outcomes: \d+ pairs/);

    const legacy = await messageCount(topics.legacy);
    const next = await messageCount(topics.new);
    expect(legacy + next).toBe(1_000);
    expect(legacy).toBeGreaterThan(450);
    expect(next).toBeGreaterThan(450);

    const read = await readAll([topics.legacy, topics.new], 1_000);
    const partitionOf = (topic: string) =>
      new Map(read.filter((r) => r.topic === topic && r.key !== null).map((r) => [r.key, r.partition]));
    const legacyPartitions = partitionOf(topics.legacy);
    const newPartitions = partitionOf(topics.new);
    const both = [...newPartitions.keys()].filter((k) => legacyPartitions.has(k));
    expect(both.length).toBeGreaterThan(400);
    for (const key of both) expect(newPartitions.get(key), key ?? "").toBe(legacyPartitions.get(key));
    expect(new Set([...legacyPartitions.values()]).size).toBe(4); // spread over every partition
    const unkeyed = read.filter((r) => r.key === null);
    expect(unkeyed.map((r) => r.topic)).toEqual([topics.legacy]); // the planted truncated line
  });

  it("stops cleanly on SIGINT: exit 0, and says how much it sent", async () => {
    const { topics, config } = await setUp(2);
    const running = simulate("-c", config, "--rate", "400", "--duration", "30");
    const deadline = Date.now() + 10_000;
    while ((await messageCount(topics.legacy)) === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    process.emit("SIGINT");
    const run = await running;
    expect(run.code, run.stderr).toBe(0);
    expect(run.ms).toBeLessThan(30_000); // before its 30 s were up: it stopped, it did not finish
    expect(run.stderr).toContain("stopping after the batches in flight");
    const sent = Number(/^stopped early after (\d+) of 12000 events/.exec(run.stdout)?.[1]);
    expect(sent).toBeGreaterThan(0);
    expect((await messageCount(topics.legacy)) + (await messageCount(topics.new))).toBe(sent);
  });

  it("creates the missing mirror and dead-letter topics with --create-topics, then produces", async () => {
    const s = randomBytes(3).toString("hex");
    const topics = { legacy: `sim-new-legacy-${s}`, new: `sim-new-new-${s}`, deadLetter: `sim-new-dlq-${s}` };
    const config = writeServiceConfig({
      brokers: broker.brokers,
      topics,
      storeDir: mkdtempSync(join(tmpdir(), "sim-store-")),
      groupId: `sim-${s}`,
    });
    const run = await simulate("-c", config, "--rate", "1000", "--duration", "0.5", "--create-topics", "3");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      `created ${topics.legacy}, ${topics.new}, ${topics.deadLetter} (3 partitions)`,
    );
    const partitions = await withAdmin(broker, async (admin) => {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics: Object.values(topics) });
      return meta.map((t) => t.partitions.length);
    });
    expect(partitions).toEqual([3, 3, 3]);
    expect((await messageCount(topics.legacy)) + (await messageCount(topics.new))).toBe(500);
  });

  it("refuses topics that do not exist, naming them (exit 78)", async () => {
    const config = writeServiceConfig({
      brokers: broker.brokers,
      topics: { legacy: "sim-missing-legacy", new: "sim-missing-new", deadLetter: "sim-missing-dlq" },
      storeDir: mkdtempSync(join(tmpdir(), "sim-store-")),
      groupId: "sim-missing",
    });
    const run = await simulate("-c", config, "--rate", "500", "--duration", "1");
    expect(run.code).toBe(78);
    expect(run.stderr).toMatch(
      /TopicLayoutError: these Kafka topics do not exist: sim-missing-legacy, sim-missing-new/,
    );
  });
});
