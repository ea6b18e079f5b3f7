import { EntitlementDiffError } from "../../errors/errors.js";

export interface TopicPartitionCount {
  topic: string;
  partitions: number;
}

/**
 * The Kafka topics are not laid out as pairing needs (missing, or unequal partition counts, or
 * group members subscribed to different topics). A configuration problem: exit 78 (EX_CONFIG).
 */
export class TopicLayoutError extends EntitlementDiffError {
  readonly exitCode = 78;
  override name = "TopicLayoutError";
  /** Read by kafkajs' retry logic: retrying cannot fix a topic layout, so it must not try. */
  readonly retriable = false;
}

/**
 * Throws unless every topic has the same partition count. Producers key both mirrors by
 * correlationId with the same hash, so only equal counts put the two halves of one request on
 * the same partition number (docs/kafka.md).
 */
export function assertEqualPartitionCounts(counts: readonly TopicPartitionCount[]): void {
  const distinct = new Set(counts.map((c) => c.partitions));
  if (distinct.size <= 1) return;
  const listed = counts.map((c) => `${c.topic} has ${c.partitions}`).join(", ");
  throw new TopicLayoutError(
    `the mirror topics must have equal partition counts (producers key both sides by correlationId, so only equal counts put the legacy and new event of one request on the same partition number): ${listed}. Give them the same count.`,
  );
}
