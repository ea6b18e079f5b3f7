import { Partitioners } from "kafkajs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createKafkajsDeadLetterSink, DLQ_HEADERS } from "../../src/ingest/kafka/kafkajs-dead-letter.js";
import { createKafkajsLagProbe } from "../../src/ingest/kafka/kafkajs-lag-probe.js";
import type { MirrorMessage } from "../../src/ingest/kafka/mirror-consumer.js";
import { type KafkaBroker, startKafka } from "../support/kafka-broker.js";
import {
  ConsumerPool,
  createTopics,
  produceToPartitions,
  Recorder,
  rawKafka,
  readMessages,
  unique,
  waitFor,
} from "./kafka-test-kit.js";

/** The dead-letter sink and the lag probe against a real broker. */
describe("dead letters and lag (real Kafka broker)", () => {
  let broker: KafkaBroker;
  const pool = new ConsumerPool(() => broker);
  const client = () => ({ brokers: broker.brokers, clientId: "dlq-lag-test" });

  beforeAll(async () => {
    broker = await startKafka();
  }, 120_000);

  afterEach(async () => {
    await pool.stopAll();
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it("forwards the original key and value bytes with the reason and origin in headers", async () => {
    const source = unique("ciam.mirror.legacy");
    const dlq = unique("ciam.mirror.dlq");
    await createTopics(broker, { [source]: 1, [dlq]: 2 });
    // Neither key nor value is valid UTF-8: only the bytes themselves can be forwarded faithfully.
    const key = Buffer.from([0xff, 0x00, 0xfe, 0x41]);
    const value = Buffer.from([0x00, 0xc3, 0x28, 0x7b, 0x22]);
    const producer = rawKafka(broker).producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic: source,
      messages: [
        { key: "ok", value: "{}" },
        { key, value },
      ],
    });
    await producer.disconnect();

    const recorder = new Recorder();
    await recorder.start(pool.create(unique("group"), [source]));
    await waitFor(
      () => recorder.messages.length >= 2,
      15_000,
      () => `got ${recorder.messages.length}`,
    );
    const bad = recorder.messages.find((m) => m.offset === 1) as MirrorMessage;

    const sink = createKafkajsDeadLetterSink({ ...client(), topic: dlq });
    const before = Date.now();
    try {
      await sink.send(bad, "not a JSON envelope: Unexpected token");
      await sink.send({ ...bad, key: null, offset: 7 }, "second");
    } finally {
      await sink.close();
    }

    const letters = await readMessages(broker, dlq, 2);
    const first = letters.find((m) => m.headers?.[DLQ_HEADERS.reason]?.toString() !== "second");
    expect(first?.key).toEqual(key);
    expect(first?.value).toEqual(value);
    const headers = Object.fromEntries(
      Object.entries(first?.headers ?? {}).map(([k, v]) => [k, v?.toString()]),
    );
    expect(headers).toMatchObject({
      [DLQ_HEADERS.reason]: "not a JSON envelope: Unexpected token",
      [DLQ_HEADERS.sourceTopic]: source,
      [DLQ_HEADERS.sourcePartition]: "0",
      [DLQ_HEADERS.sourceOffset]: "1",
    });
    const at = Date.parse(headers[DLQ_HEADERS.at] ?? "");
    expect(at).toBeGreaterThanOrEqual(before - 1);
    expect(at).toBeLessThanOrEqual(Date.now());
    const second = letters.find((m) => m.headers?.[DLQ_HEADERS.reason]?.toString() === "second");
    expect(second?.key).toBeNull();
    expect(second?.headers?.[DLQ_HEADERS.sourceOffset]?.toString()).toBe("7");
  });

  it("refuses to dead-letter into a topic that does not exist", async () => {
    const sink = createKafkajsDeadLetterSink({ ...client(), topic: unique("missing-dlq") });
    const message: MirrorMessage = {
      topic: "t",
      partition: 0,
      offset: 0,
      key: "k",
      value: null,
      timestampMs: 0,
    };
    try {
      await expect(sink.send(message, "bad")).rejects.toThrow(
        /these Kafka topics do not exist: missing-dlq-/,
      );
    } finally {
      await sink.close();
    }
  });

  it("measures lag per partition as produced minus committed", async () => {
    const topic = unique("lag");
    const group = unique("group");
    await createTopics(broker, { [topic]: 2 });
    await produceToPartitions(broker, topic, { 0: 7, 1: 5 });
    const probe = createKafkajsLagProbe({ ...client(), groupId: group, topics: [topic, topic] });
    try {
      const lags = async () =>
        Object.fromEntries((await probe.measure()).map((l) => [`${l.topic}#${l.partition}`, l.lag]));
      // Nothing committed yet: the whole partition.
      expect(await lags()).toEqual({ [`${topic}#0`]: 7, [`${topic}#1`]: 5 });

      const recorder = new Recorder();
      const consumer = pool.create(group, [topic]);
      await recorder.start(consumer);
      await waitFor(
        () => recorder.messages.length >= 12,
        15_000,
        () => `got ${recorder.messages.length}`,
      );
      // Consuming alone changes nothing: lag counts what is committed.
      expect(await lags()).toEqual({ [`${topic}#0`]: 7, [`${topic}#1`]: 5 });

      await consumer.commit([{ topic, partition: 0, offset: 3 }]);
      expect(await lags()).toEqual({ [`${topic}#0`]: 4, [`${topic}#1`]: 5 });
      await consumer.commit([
        { topic, partition: 0, offset: 7 },
        { topic, partition: 1, offset: 5 },
      ]);
      expect(await lags()).toEqual({ [`${topic}#0`]: 0, [`${topic}#1`]: 0 });
    } finally {
      await probe.close();
    }
  });
});
