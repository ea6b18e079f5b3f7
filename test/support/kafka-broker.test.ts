import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConfigResourceTypes, Kafka, logLevel, Partitioners, type Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KafkaBroker, startKafka } from "./kafka-broker.js";
import { retryRetriable } from "./retry-retriable.js";

const TOPIC = "kafka-broker-test";

describe("startKafka (a real Kafka 3.9 broker)", () => {
  let broker: KafkaBroker;
  let kafka: Kafka;
  let producer: Producer;

  beforeAll(async () => {
    const started = Date.now();
    broker = await startKafka();
    console.info(`kafka-broker.test: broker up on ${broker.brokers[0]} in ${Date.now() - started} ms`);
    kafka = new Kafka({ clientId: "kafka-broker-test", brokers: broker.brokers, logLevel: logLevel.NOTHING });
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  }, 240_000);

  afterAll(async () => {
    await producer?.disconnect().catch(() => undefined);
    await broker?.stop();
  });

  it("is configured for tests: no automatic topics, 3 partitions by default", async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          {
            type: ConfigResourceTypes.BROKER,
            name: "1",
            configNames: ["auto.create.topics.enable", "num.partitions"],
          },
        ],
      });
      const values = Object.fromEntries(
        (resources[0]?.configEntries ?? []).map((entry) => [entry.configName, entry.configValue]),
      );
      expect(values).toEqual({ "auto.create.topics.enable": "false", "num.partitions": "3" });
    } finally {
      await admin.disconnect();
    }
  });

  it("keeps topics, messages and committed offsets across a restart", async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(
        await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3 }], waitForLeaders: true }),
      ).toBe(true);
      await producer.send({ topic: TOPIC, messages: [{ key: "correlation-1", value: "before restart" }] });
      expect(await consume(kafka, "group-a", 1)).toEqual(["before restart"]);
      const committedBefore = await committed(admin, "group-a");
      expect(committedBefore).toBe(1);

      const restarted = Date.now();
      await broker.restart();
      console.info(`kafka-broker.test: broker restarted in ${Date.now() - restarted} ms`);

      expect(await admin.listTopics()).toContain(TOPIC);
      expect(await committed(admin, "group-a")).toBe(committedBefore);
      await producer.send({ topic: TOPIC, messages: [{ key: "correlation-2", value: "after restart" }] });
      // The old group resumes after its committed offset; a new group reads the whole log.
      expect(await consume(kafka, "group-a", 1)).toEqual(["after restart"]);
      expect((await consume(kafka, "group-b", 2)).sort()).toEqual(["after restart", "before restart"]);
    } finally {
      await admin.disconnect();
    }
  }, 120_000);

  it("logs to its run dir, which logTail shows", () => {
    expect(broker.logTail()).toContain("Kafka Server started");
  });

  it("stops: the port closes, and a second stop does nothing", async () => {
    await producer.disconnect();
    await broker.stop();
    expect(await accepts(broker.port)).toBe(false);
    await broker.stop();
    await expect(broker.restart()).rejects.toThrow(/was stopped/);
  }, 60_000);
});

describe("scripts/kafka.sh with KAFKA_OWNER_PID", () => {
  it("stops the broker once its owner is killed", async () => {
    const owner = spawn("sleep", ["600"], { stdio: "ignore" });
    const broker = await startKafka({ env: { KAFKA_OWNER_PID: String(owner.pid) } });
    try {
      const jvm = Number(readFileSync(path.join(broker.dir, "kafka.pid"), "utf8"));
      expect(isAlive(jvm)).toBe(true);
      owner.kill("SIGKILL"); // no exit handler of the owner runs
      const deadline = Date.now() + 40_000;
      while (isAlive(jvm) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(isAlive(jvm)).toBe(false);
    } finally {
      owner.kill("SIGKILL");
      await broker.stop();
    }
  }, 240_000);
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("startKafka without what it needs", () => {
  it("fails naming Java when JAVA_HOME has no java", async () => {
    await expect(startKafka({ env: { JAVA_HOME: "/nonexistent-jdk" } })).rejects.toThrow(
      /JAVA_HOME=\/nonexistent-jdk has no bin\/java/,
    );
  });

  it("fails naming Maven when the jars are not installed and mvn is missing", async () => {
    const emptyCache = mkdtempSync(path.join(tmpdir(), "entitlement-diff-kafka-cache-"));
    try {
      await expect(
        startKafka({ env: { KAFKA_CACHE_DIR: emptyCache, MVN: "/nonexistent/mvn" } }),
      ).rejects.toThrow(/MVN=\/nonexistent\/mvn is not an executable/);
    } finally {
      rmSync(emptyCache, { recursive: true, force: true });
    }
  });
});

/** Reads `count` messages of TOPIC as a member of `groupId` and commits them. */
async function consume(kafka: Kafka, groupId: string, count: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${groupId} got ${values.length}/${count} messages`)),
        30_000,
      );
      consumer
        .run({
          eachMessage: async ({ message }) => {
            values.push(message.value?.toString() ?? "");
            if (values.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    // Disconnecting commits the offsets of the messages handled.
    await consumer.disconnect();
  }
  return values;
}

/**
 * The sum of the committed offsets of `groupId` on TOPIC (a partition without a commit counts 0).
 * Right after a restart the group coordinator may still be loading its offsets: retried.
 */
async function committed(admin: ReturnType<Kafka["admin"]>, groupId: string): Promise<number> {
  const [topic] = await retryRetriable(() => admin.fetchOffsets({ groupId, topics: [TOPIC] }));
  return (topic?.partitions ?? []).reduce((sum, { offset }) => sum + Math.max(0, Number(offset)), 0);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
