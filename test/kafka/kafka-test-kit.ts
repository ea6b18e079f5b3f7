import { randomUUID } from "node:crypto";
import { type Admin, Kafka, type KafkaMessage, logLevel, Partitioners } from "kafkajs";
import {
  createKafkajsMirrorConsumer,
  type KafkajsMirrorConsumerOptions,
} from "../../src/ingest/kafka/kafkajs-consumer.js";
import type { MirrorBatch, MirrorConsumer, MirrorMessage } from "../../src/ingest/kafka/mirror-consumer.js";
import type { TopicPartition } from "../../src/stream/offset-tracker.js";
import type { KafkaBroker } from "../support/kafka-broker.js";
import { retryRetriable } from "../support/retry-retriable.js";

/** Names no other test in the same broker uses. */
export const unique = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A plain kafkajs client for setting up and inspecting, independent of the code under test. */
export function rawKafka(broker: KafkaBroker): Kafka {
  return new Kafka({ clientId: "test-kit", brokers: broker.brokers, logLevel: logLevel.NOTHING });
}

export async function withAdmin<T>(broker: KafkaBroker, use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = rawKafka(broker).admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

export async function createTopics(
  broker: KafkaBroker,
  partitionsByTopic: Record<string, number>,
): Promise<void> {
  await withAdmin(broker, async (admin) => {
    await admin.createTopics({
      waitForLeaders: true,
      topics: Object.entries(partitionsByTopic).map(([topic, numPartitions]) => ({ topic, numPartitions })),
    });
  });
}

/** Creates MirrorConsumers tuned for quick tests and stops them all at the end of each test. */
export class ConsumerPool {
  private readonly running: MirrorConsumer[] = [];

  constructor(private readonly broker: () => KafkaBroker) {}

  create(
    groupId: string,
    topics: string[],
    options: Partial<KafkajsMirrorConsumerOptions> = {},
  ): MirrorConsumer {
    const consumer = createKafkajsMirrorConsumer({
      brokers: this.broker().brokers,
      clientId: "kafka-test",
      groupId,
      topics,
      fromBeginning: true,
      sessionTimeoutMs: 6_000,
      maxWaitTimeMs: 200,
      ...options,
    });
    this.running.push(consumer);
    return consumer;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.running.splice(0).map((c) => c.stop()));
  }
}

/** Reads `count` messages of `topic` from the beginning as a fresh group, with a plain kafkajs consumer. */
export async function readMessages(
  broker: KafkaBroker,
  topic: string,
  count: number,
): Promise<Array<KafkaMessage & { partition: number }>> {
  const consumer = rawKafka(broker).consumer({
    groupId: unique("reader"),
    sessionTimeout: 6_000,
    heartbeatInterval: 1_000,
  });
  const messages: Array<KafkaMessage & { partition: number }> = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        messages.push({ ...message, partition });
      },
    });
    await waitFor(
      () => messages.length >= count,
      15_000,
      () => `read ${messages.length}/${count} of ${topic}`,
    );
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/** Produces to explicit partitions (value = `${tag}${partition}:${i}`), bypassing the partitioner. */
export async function produceToPartitions(
  broker: KafkaBroker,
  topic: string,
  countsByPartition: Record<number, number>,
  tag = "",
): Promise<void> {
  // Idempotent: a retried send (one partition's error fails the whole request under load) must not
  // write the partitions that succeeded twice, which would look like a redelivery to the tests.
  const producer = rawKafka(broker).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  const ends = () =>
    withAdmin(broker, (admin) => retryRetriable(() => admin.fetchTopicOffsets(topic))).then(
      (offsets) => new Map(offsets.map((o) => [o.partition, Number(o.high)])),
    );
  const before = await ends();
  await producer.connect();
  try {
    const messages = Object.entries(countsByPartition).flatMap(([partition, count]) =>
      Array.from({ length: count }, (_, i) => ({
        partition: Number(partition),
        key: `k${i}`,
        value: `${tag}${partition}:${i}`,
      })),
    );
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
  const after = await ends();
  for (const [partition, count] of Object.entries(countsByPartition)) {
    const written = (after.get(Number(partition)) ?? 0) - (before.get(Number(partition)) ?? 0);
    if (written !== count)
      throw new Error(`setup: ${written} messages written to ${topic}/${partition}, not ${count}`);
  }
}

/** The committed offset per partition of `topic` for `groupId` (-1: nothing committed). */
export async function committedOffsets(
  broker: KafkaBroker,
  groupId: string,
  topic: string,
): Promise<Record<number, number>> {
  const [offsets] = await withAdmin(broker, (admin) =>
    retryRetriable(() => admin.fetchOffsets({ groupId, topics: [topic] })),
  );
  return Object.fromEntries((offsets?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
}

/** Polls until `done` holds; on timeout fails with what `describe` says about the state. */
export async function waitFor(done: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await sleep(50);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Records what a MirrorConsumer hands over; `onBatch` lets a test act inside a batch. */
export class Recorder {
  readonly batches: MirrorBatch[] = [];
  readonly assignments: TopicPartition[][] = [];
  readonly fatal: Error[] = [];
  onBatch: (batch: MirrorBatch) => void = () => undefined;

  get messages(): MirrorMessage[] {
    return this.batches.flatMap((b) => b.messages);
  }

  get values(): string[] {
    return this.messages.map((m) => m.value?.toString() ?? "");
  }

  get lastAssignment(): TopicPartition[] {
    return this.assignments.at(-1) ?? [];
  }

  start(consumer: MirrorConsumer): Promise<void> {
    return consumer.run(
      async (batch) => {
        this.batches.push(batch);
        this.onBatch(batch);
      },
      {
        onAssigned: (partitions) => this.assignments.push(partitions),
        onFatal: (error) => this.fatal.push(error),
      },
    );
  }
}

/** The next offset to read after everything received, per partition (what a pipeline would commit). */
export function nextOffsets(messages: readonly MirrorMessage[]): (TopicPartition & { offset: number })[] {
  const next = new Map<string, TopicPartition & { offset: number }>();
  for (const m of messages) {
    const key = `${m.topic}#${m.partition}`;
    const offset = Math.max(next.get(key)?.offset ?? 0, m.offset + 1);
    next.set(key, { topic: m.topic, partition: m.partition, offset });
  }
  return [...next.values()];
}
