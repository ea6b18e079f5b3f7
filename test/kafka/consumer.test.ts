import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type KafkaBroker, startKafka } from "../support/kafka-broker.js";
import {
  ConsumerPool,
  committedOffsets,
  createTopics,
  nextOffsets,
  produceToPartitions,
  Recorder,
  sleep,
  unique,
  waitFor,
} from "./kafka-test-kit.js";

/** The kafkajs MirrorConsumer against a real broker: commits, pauses, rebalances, failures. */
describe("createKafkajsMirrorConsumer (real Kafka broker)", () => {
  let broker: KafkaBroker;
  const pool = new ConsumerPool(() => broker);

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

  it("commits nothing by itself; after commit, the next member of the group starts at the commit", async () => {
    const topic = unique("commit");
    const group = unique("group");
    await createTopics(broker, { [topic]: 2 });
    await produceToPartitions(broker, topic, { 0: 6, 1: 4 });

    const first = new Recorder();
    const a = consumer(group, [topic]);
    await first.start(a);
    await waitFor(
      () => first.messages.length === 10,
      15_000,
      () => `got ${first.values}`,
    );
    expect(
      first.batches.every((b) => b.topic === topic && b.highWatermark === (b.partition === 0 ? 6 : 4)),
    ).toBe(true);
    await sleep(1_500); // longer than any automatic commit interval would be
    expect(await committedOffsets(broker, group, topic)).toEqual({ 0: -1, 1: -1 });

    // Commit the first 4 of partition 0 and the first 1 of partition 1 (next offsets to read).
    await a.commit([
      { topic, partition: 0, offset: 4 },
      { topic, partition: 1, offset: 1 },
    ]);
    expect(await committedOffsets(broker, group, topic)).toEqual({ 0: 4, 1: 1 });
    await a.stop();
    // Leaving the group commits nothing more either.
    expect(await committedOffsets(broker, group, topic)).toEqual({ 0: 4, 1: 1 });
    await expect(a.commit([{ topic, partition: 0, offset: 6 }])).rejects.toThrow(/not a member/);

    const second = new Recorder();
    await second.start(consumer(group, [topic]));
    await waitFor(
      () => second.messages.length === 5,
      15_000,
      () => `got ${second.values}`,
    );
    await sleep(500);
    expect(second.values.sort()).toEqual(["0:4", "0:5", "1:1", "1:2", "1:3"]);
  });

  it("pause stops delivery, even of batches already fetched; resume delivers the rest once", async () => {
    const topic = unique("pause");
    await createTopics(broker, { [topic]: 4 });
    // Produced before the consumer starts: one fetch returns batches of all four partitions.
    await produceToPartitions(broker, topic, { 0: 5, 1: 5, 2: 5, 3: 5 });

    const recorder = new Recorder();
    const c = consumer(unique("group"), [topic]);
    recorder.onBatch = () => {
      if (recorder.batches.length === 1) c.pause();
    };
    await recorder.start(c);
    await waitFor(
      () => recorder.batches.length >= 1,
      15_000,
      () => "no batch",
    );
    await sleep(2_000);
    expect(recorder.batches).toHaveLength(1);

    c.resume();
    await waitFor(
      () => recorder.messages.length >= 20,
      15_000,
      () => `got ${recorder.messages.length}`,
    );
    await sleep(500);
    expect(recorder.values.sort()).toEqual(
      [0, 1, 2, 3].flatMap((p) => [0, 1, 2, 3, 4].map((i) => `${p}:${i}`)).sort(),
    );
  });

  it("pausing one partition stops only that one", async () => {
    const topic = unique("pause-one");
    await createTopics(broker, { [topic]: 2 });
    const recorder = new Recorder();
    const c = consumer(unique("group"), [topic]);
    c.pause([{ topic, partition: 1 }]); // before run: applied when the group is joined
    await recorder.start(c);
    await produceToPartitions(broker, topic, { 0: 3, 1: 3 });
    await waitFor(
      () => recorder.messages.length >= 3,
      15_000,
      () => `got ${recorder.values}`,
    );
    await sleep(1_500);
    expect(recorder.values.sort()).toEqual(["0:0", "0:1", "0:2"]);

    c.resume([{ topic, partition: 1 }]);
    await waitFor(
      () => recorder.messages.length >= 6,
      15_000,
      () => `got ${recorder.values}`,
    );
    expect(recorder.values.filter((v) => v.startsWith("1:")).sort()).toEqual(["1:0", "1:1", "1:2"]);
  });

  it("a rebalance does not redeliver partitions a member keeps; the newcomer starts at the commit", async () => {
    const topic = unique("rebalance");
    const group = unique("group");
    await createTopics(broker, { [topic]: 4 });
    await produceToPartitions(broker, topic, { 0: 3, 1: 3, 2: 3, 3: 3 });

    const first = new Recorder();
    const a = consumer(group, [topic]);
    await first.start(a);
    // Before anything is committed, a member whose join is retried (a slow start under load) may
    // read a partition twice: at-least-once. What this test is about starts after the commit.
    await waitFor(
      () => new Set(first.values).size === 12,
      15_000,
      () => `first got ${first.values}`,
    );
    await sleep(1_000);
    const beforeRebalance = first.messages.length;
    expect(first.lastAssignment.map((tp) => tp.partition)).toEqual([0, 1, 2, 3]);
    await a.commit(nextOffsets(first.messages.filter((m) => m.offset < 1))); // only offset 0 of each

    const second = new Recorder();
    await second.start(consumer(group, [topic]));
    await waitFor(
      () => first.lastAssignment.length === 2 && second.lastAssignment.length === 2,
      20_000,
      () =>
        `assignments: first ${JSON.stringify(first.assignments)}, second ${JSON.stringify(second.assignments)}`,
    );
    const kept = first.lastAssignment.map((tp) => tp.partition);
    const given = second.lastAssignment.map((tp) => tp.partition);
    expect([...kept, ...given].sort()).toEqual([0, 1, 2, 3]);

    await produceToPartitions(broker, topic, { 0: 1, 1: 1, 2: 1, 3: 1 }, "late-");
    await waitFor(
      () => second.messages.length >= 6,
      15_000,
      () => `second got ${second.values}`,
    );
    await waitFor(
      () => first.messages.length >= beforeRebalance + 2,
      15_000,
      () => `first got ${first.values}`,
    );
    await sleep(500);
    // After the rebalance the first member got only the new messages: nothing re-read on the
    // partitions it kept.
    expect(first.values.slice(beforeRebalance).sort()).toEqual(kept.map((p) => `late-${p}:0`).sort());
    // The newcomer re-read its partitions from the commit (offset 1), as at-least-once requires.
    expect(second.values.sort()).toEqual(given.flatMap((p) => [`${p}:1`, `${p}:2`, `late-${p}:0`]).sort());
  });

  it("a handler that rejects stops the consumer and reports onFatal", async () => {
    const topic = unique("fatal");
    await createTopics(broker, { [topic]: 1 });
    await produceToPartitions(broker, topic, { 0: 2 });
    const fatal: Error[] = [];
    let calls = 0;
    const c = consumer(unique("group"), [topic]);
    await c.run(
      async () => {
        calls++;
        throw new Error("store exploded");
      },
      { onFatal: (error) => fatal.push(error) },
    );
    await waitFor(
      () => fatal.length === 1,
      15_000,
      () => "no onFatal",
    );
    expect(fatal[0]?.message).toMatch(/handling a batch of .*#0 failed: store exploded/);
    await sleep(1_000);
    expect(calls).toBe(1);
  });
});
