import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { PartitionMetadata } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKcatMirrorProducer, exitedChildrenCpuMs } from "../../bench/kcat-producer.js";
import { MIRROR_PARTITIONER } from "../../src/ingest/kafka/kafka-producer.js";
import { createTopics, readMessages, unique, withAdmin } from "../kafka/kafka-test-kit.js";
import { type KafkaBroker, startKafka } from "../support/kafka-broker.js";

/** kcat from KCAT_BIN (scripts/test.sh) or scripts/ensure-kcat.sh: missing, the tests fail. */
function findKcat(): string {
  if (process.env.KCAT_BIN) return process.env.KCAT_BIN;
  const out = execFileSync("bash", ["scripts/ensure-kcat.sh"], { encoding: "utf8" });
  return out.trim().split("\n").at(-1) ?? "kcat";
}

const PARTITIONS = 6;

interface Read {
  partition: number;
  key: string | null;
  value: string;
}

async function readAll(broker: KafkaBroker, topic: string, count: number): Promise<Read[]> {
  const read = await readMessages(broker, topic, count);
  return read.map((m) => ({
    partition: m.partition,
    key: m.key?.toString() ?? null,
    value: m.value?.toString() ?? "",
  }));
}

/** The partition kafkajs' producers (and Java's) choose for a key: what the mirrors rely on. */
function kafkajsPartition(key: string): number {
  const partitionMetadata = Array.from(
    { length: PARTITIONS },
    (_, partitionId) => ({ partitionId, leader: 1 }) as PartitionMetadata,
  );
  return MIRROR_PARTITIONER()({ topic: "t", partitionMetadata, message: { key, value: null } });
}

/** A stand-in for a kcat that dies while its stdin is full: reads nothing, exits 3 after a while. */
function dyingKcat(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "entitlement-diff-kcat-"));
  const script = path.join(dir, "kcat");
  writeFileSync(script, "#!/bin/sh\nsleep 1\necho 'broker gone' >&2\nexit 3\n");
  chmodSync(script, 0o755);
  return script;
}

async function messagesIn(broker: KafkaBroker, topic: string): Promise<number> {
  return withAdmin(broker, async (admin) =>
    (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0),
  );
}

describe("the bench's kcat producer (real Kafka broker)", () => {
  let broker: KafkaBroker;
  let kcatBin: string;

  beforeAll(async () => {
    kcatBin = findKcat();
    broker = await startKafka();
  }, 120_000);

  afterAll(async () => {
    await broker?.stop();
  });

  it("delivers every message with its key and value, on the partition kafkajs would choose", async () => {
    const legacy = unique("legacy");
    const neu = unique("new");
    await createTopics(broker, { [legacy]: PARTITIONS, [neu]: PARTITIONS });
    const keys = Array.from({ length: 120 }, (_, i) => `corr-${i}-${"é".repeat(i % 3)}`);
    const producer = createKcatMirrorProducer({ brokers: broker.brokers, kcatBin });
    await producer.send(
      legacy,
      keys.map((key, i) => ({ key, value: `{"side":"legacy","i":${i}}` })),
    );
    await producer.send(neu, [
      ...keys.map((key, i) => ({ key: Buffer.from(key), value: Buffer.from(`{"side":"new","i":${i}}`) })),
      { key: null, value: '{"truncated' },
    ]);
    await producer.close();
    // Closed means delivered: the broker has every message already.
    expect(await messagesIn(broker, legacy)).toBe(keys.length);
    expect(await messagesIn(broker, neu)).toBe(keys.length + 1);

    const [l, n] = await Promise.all([
      readAll(broker, legacy, keys.length),
      readAll(broker, neu, keys.length + 1),
    ]);
    expect(l).toHaveLength(keys.length);
    expect(n).toHaveLength(keys.length + 1);
    const byKey = (reads: Read[]) => new Map(reads.filter((r) => r.key !== null).map((r) => [r.key, r]));
    const [legacyByKey, newByKey] = [byKey(l), byKey(n)];
    keys.forEach((key, i) => {
      expect(legacyByKey.get(key)).toEqual({
        partition: kafkajsPartition(key),
        key,
        value: `{"side":"legacy","i":${i}}`,
      });
      expect(newByKey.get(key)).toEqual({
        partition: kafkajsPartition(key),
        key,
        value: `{"side":"new","i":${i}}`,
      });
    });
    expect(n.filter((r) => r.key === null).map((r) => r.value)).toEqual(['{"truncated']);
  });

  it("refuses a message that one line cannot carry, naming it, before anything is sent", async () => {
    const producer = createKcatMirrorProducer({ brokers: broker.brokers, kcatBin });
    await expect(
      producer.send("t", [
        { key: "a", value: "ok" },
        { key: "b", value: "two\nlines" },
      ]),
    ).rejects.toThrow("message 1 for t: the value holds a newline");
    await expect(producer.send("t", [{ key: "a\tb", value: "v" }])).rejects.toThrow("the key holds a tab");
    await expect(producer.send("t", [{ key: null, value: "a\tb" }])).rejects.toThrow(
      "an unkeyed value holds a tab",
    );
    await expect(producer.send("t", [{ key: null, value: "" }])).rejects.toThrow("an unkeyed value is empty");
    await expect(producer.send("t", [{ key: "k", value: null }])).rejects.toThrow("the value is null");
    await producer.close(); // nothing was started
  });

  it("counts the CPU of children once they exited and were waited for", () => {
    const before = exitedChildrenCpuMs();
    execFileSync(process.execPath, ["-e", "while (process.cpuUsage().user < 300_000);"]);
    expect(exitedChildrenCpuMs() - before).toBeGreaterThanOrEqual(200);
  });

  it("rejects a send that waits on a full pipe when kcat dies meanwhile, with what kcat said", async () => {
    const producer = createKcatMirrorProducer({ brokers: broker.brokers, kcatBin: dyingKcat() });
    const big = Array.from({ length: 4_000 }, (_, i) => ({ key: `k${i}`, value: "x".repeat(1_000) }));
    await expect(producer.send("some-topic", big)).rejects.toThrow(
      "kcat for some-topic exited while sending: broker gone",
    );
    await expect(producer.close()).rejects.toThrow("kcat for some-topic exited with 3: broker gone");
  });

  it("reports a kcat that failed when it is closed", async () => {
    // `false` stands in for a kcat that could not deliver: it reads nothing and exits 1.
    const producer = createKcatMirrorProducer({ brokers: broker.brokers, kcatBin: "false" });
    await producer.send("some-topic", [{ key: "k", value: "v" }]).catch(() => undefined);
    await expect(producer.close()).rejects.toThrow("kcat for some-topic exited with 1");
  });
});
