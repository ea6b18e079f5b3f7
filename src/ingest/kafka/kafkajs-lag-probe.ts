import type { Admin } from "kafkajs";
import { tpKey } from "../../stream/offset-tracker.js";
import { connectOnce } from "./connect-once.js";
import { createKafkajsClient, type KafkajsClientOptions } from "./kafkajs-client.js";
import type { LagProbe, PartitionLag } from "./mirror-consumer.js";

export interface KafkajsLagProbeOptions extends KafkajsClientOptions {
  groupId: string;
  topics: string[];
}

/** Lag of the group per partition from the brokers' offsets (admin API), independent of the consumer. */
export function createKafkajsLagProbe(options: KafkajsLagProbeOptions): LagProbe {
  const admin = createKafkajsClient(options).admin();
  const connected = connectOnce(admin);
  const topics = [...new Set(options.topics)];
  return {
    async measure() {
      await connected();
      const [ends, committed] = await Promise.all([
        Promise.all(
          topics.map(async (topic) => ({ topic, partitions: await admin.fetchTopicOffsets(topic) })),
        ),
        committedOffsets(admin, options.groupId, topics),
      ]);
      return ends.flatMap(({ topic, partitions }) =>
        partitions.map(
          (p): PartitionLag => ({
            topic,
            partition: p.partition,
            highWatermark: Number(p.high),
            lag: partitionLag({
              high: Number(p.high),
              low: Number(p.low),
              committed: committed.get(tpKey({ topic, partition: p.partition })) ?? -1,
            }),
          }),
        ),
      );
    },
    close: () => admin.disconnect(),
  };
}

/**
 * Messages the group has yet to commit. Kafka reports -1 when nothing is committed: then the whole
 * retained partition counts. A commit older than the log start counts from the log start, because
 * what retention deleted can no longer be read.
 */
export function partitionLag({
  high,
  low,
  committed,
}: {
  high: number;
  low: number;
  committed: number;
}): number {
  return Math.max(0, high - Math.max(committed, low));
}

async function committedOffsets(
  admin: Admin,
  groupId: string,
  topics: string[],
): Promise<Map<string, number>> {
  const offsets = await admin.fetchOffsets({ groupId, topics });
  return new Map(
    offsets.flatMap(({ topic, partitions }) =>
      partitions.map(({ partition, offset }) => [tpKey({ topic, partition }), Number(offset)] as const),
    ),
  );
}
