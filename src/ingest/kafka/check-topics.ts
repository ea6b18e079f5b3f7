import type { Admin } from "kafkajs";
import {
  assertEqualPartitionCounts,
  TopicLayoutError,
  type TopicPartitionCount,
} from "./topic-layout-error.js";

/** The admin calls the checks need (kafkajs' Admin and its KafkaJS-compatible replacements have them). */
export type TopicReader = Pick<Admin, "listTopics" | "fetchTopicMetadata">;
export type TopicCreator = TopicReader & Pick<Admin, "createTopics">;

/** Fails naming every topic that does not exist (brokers here do not create topics on first use). */
export async function checkTopicsExist(admin: TopicReader, topics: readonly string[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = unique(topics).filter((topic) => !existing.has(topic));
  if (missing.length === 0) return;
  throw new TopicLayoutError(
    `these Kafka topics do not exist: ${missing.join(", ")}; create them (the service never relies on automatic topic creation)`,
  );
}

/**
 * The startup check of co-partitioning: the topics exist and have equal partition counts.
 * Returns the counts (one entry per distinct topic; one topic for both sides is fine).
 */
export async function checkCoPartitioned(
  admin: TopicReader,
  topics: readonly string[],
): Promise<TopicPartitionCount[]> {
  await checkTopicsExist(admin, topics);
  const counts = await partitionCounts(admin, unique(topics));
  assertEqualPartitionCounts(counts);
  return counts;
}

/** For tests and development: creates the topics that are missing with `partitions` partitions each. */
export async function ensureTopics(
  admin: TopicCreator,
  topics: readonly string[],
  partitions: number,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = unique(topics).filter((topic) => !existing.has(topic));
  if (missing.length > 0) {
    await admin.createTopics({
      topics: missing.map((topic) => ({ topic, numPartitions: partitions })),
      waitForLeaders: true,
    });
  }
  return missing;
}

async function partitionCounts(admin: TopicReader, topics: string[]): Promise<TopicPartitionCount[]> {
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
  return topics.map((topic) => ({
    topic,
    partitions: metadata.find((m) => m.name === topic)?.partitions.length ?? 0,
  }));
}

function unique(topics: readonly string[]): string[] {
  return [...new Set(topics)];
}
