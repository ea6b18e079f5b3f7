import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { checkCoPartitioned, ensureTopics } from "../../src/ingest/kafka/check-topics.js";
import { createKafkajsMirrorProducer } from "../../src/ingest/kafka/kafka-producer.js";
import { withKafkajsAdmin } from "../../src/ingest/kafka/kafkajs-client.js";
import { TopicLayoutError } from "../../src/ingest/kafka/topic-layout-error.js";
import { type KafkaBroker, startKafka } from "../support/kafka-broker.js";
import { ConsumerPool, createTopics, Recorder, unique, waitFor } from "./kafka-test-kit.js";

/** Co-partitioning with the real broker: the two halves of a request meet in one group member. */
describe("co-partitioned consumption (real Kafka broker)", () => {
  let broker: KafkaBroker;
  const pool = new ConsumerPool(() => broker);
  const client = () => ({ brokers: broker.brokers, clientId: "co-partition-test" });

  beforeAll(async () => {
    broker = await startKafka();
  }, 120_000);

  afterEach(async () => {
    await pool.stopAll();
  });

  afterAll(async () => {
    await broker?.stop();
  });

  const consumer = (groupId: string, topics: string[]) => pool.create(groupId, topics);

  // 4 partitions as in production; 3 as well, because with an even count kafkajs' round-robin
  // assigner happens to co-partition two members too, and this test must catch a wrong assigner.
  it.each([4, 3])(
    "two members of one group get the same partition numbers of both topics (%i partitions), so every key's two messages meet",
    async (partitions) => {
      const legacy = unique("ciam.mirror.legacy");
      const neu = unique("ciam.mirror.new");
      const group = unique("group");
      const created = await withKafkajsAdmin(client(), (admin) =>
        ensureTopics(admin, [legacy, neu], partitions),
      );
      expect(created).toEqual([legacy, neu]);

      const members = [new Recorder(), new Recorder()] as const;
      await members[0].start(consumer(group, [legacy, neu]));
      await members[1].start(consumer(group, [legacy, neu]));
      await waitFor(
        () =>
          members.every((m) => m.lastAssignment.length > 0) &&
          members[0].lastAssignment.length + members[1].lastAssignment.length === 2 * partitions,
        20_000,
        () => `assignments ${members.map((m) => JSON.stringify(m.lastAssignment)).join(" / ")}`,
      );
      const numbers = (m: Recorder, topic: string) =>
        m.lastAssignment.filter((tp) => tp.topic === topic).map((tp) => tp.partition);
      for (const m of members) expect(numbers(m, legacy)).toEqual(numbers(m, neu));
      const sizes = members.map((m) => numbers(m, legacy).length).sort();
      expect(sizes).toEqual([Math.floor(partitions / 2), Math.ceil(partitions / 2)]);
      const owned = members.flatMap((m) => m.lastAssignment.map((tp) => `${tp.topic}#${tp.partition}`));
      expect(new Set(owned).size).toBe(2 * partitions);

      const keys = Array.from({ length: 200 }, (_, i) => `corr-${i}`);
      const producer = createKafkajsMirrorProducer(client());
      try {
        await producer.send(
          legacy,
          keys.map((key) => ({ key, value: `legacy ${key}` })),
        );
        await producer.send(
          neu,
          keys.map((key) => ({ key, value: `new ${key}` })),
        );
      } finally {
        await producer.close();
      }
      await waitFor(
        () => members[0].messages.length + members[1].messages.length >= 400,
        20_000,
        () => `received ${members[0].messages.length} + ${members[1].messages.length}`,
      );

      const memberOf = new Map<string, number>();
      members.forEach((m, index) => {
        for (const message of m.messages) {
          const key = `${message.topic === legacy ? "legacy" : "new"} ${message.key}`;
          expect(memberOf.has(key), `${key} delivered twice`).toBe(false);
          memberOf.set(key, index);
        }
      });
      expect(memberOf.size).toBe(400);
      const split = keys.filter((key) => memberOf.get(`legacy ${key}`) !== memberOf.get(`new ${key}`));
      expect(split).toEqual([]);
      // Both members did real work: the keys spread over all four partition numbers.
      expect(members.every((m) => m.messages.length > 0)).toBe(true);
    },
  );

  it("refuses topics with unequal partition counts, at the startup check and in the consumer", async () => {
    const legacy = unique("ciam.mirror.legacy");
    const neu = unique("ciam.mirror.new");
    await createTopics(broker, { [legacy]: 4, [neu]: 3 });

    const check = withKafkajsAdmin(client(), (admin) => checkCoPartitioned(admin, [legacy, neu]));
    await expect(check).rejects.toThrow(TopicLayoutError);
    await expect(check).rejects.toThrow(`${legacy} has 4, ${neu} has 3`);

    await expect(consumer(unique("group"), [legacy, neu]).run(async () => {})).rejects.toThrow(
      `${legacy} has 4, ${neu} has 3`,
    );
  });

  it("refuses topics that do not exist, naming them", async () => {
    const missing = unique("ciam.mirror.missing");
    await expect(consumer(unique("group"), [missing]).run(async () => {})).rejects.toThrow(
      `these Kafka topics do not exist: ${missing}`,
    );
  });

  it("reads both sides from one topic when legacy and new share it", async () => {
    const topic = unique("ciam.mirror");
    await createTopics(broker, { [topic]: 3 });
    const recorder = new Recorder();
    await recorder.start(consumer(unique("group"), [topic, topic]));
    const producer = createKafkajsMirrorProducer(client());
    try {
      await producer.send(topic, [
        { key: "corr-1", value: "legacy" },
        { key: "corr-1", value: "new" },
      ]);
    } finally {
      await producer.close();
    }
    await waitFor(
      () => recorder.messages.length >= 2,
      15_000,
      () => `got ${recorder.values}`,
    );
    expect(recorder.lastAssignment.map((tp) => tp.partition)).toEqual([0, 1, 2]);
    expect(recorder.values).toEqual(["legacy", "new"]);
  });
});
