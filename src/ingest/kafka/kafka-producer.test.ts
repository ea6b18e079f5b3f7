import type { PartitionMetadata } from "kafkajs";
import { describe, expect, it } from "vitest";
import { MIRROR_PARTITIONER } from "./kafka-producer.js";

/** Kafka's own murmur2 test vectors (clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java). */
const JAVA_MURMUR2: [string, number][] = [
  ["21", -973932308],
  ["foobar", -790332482],
  ["a-little-bit-long-string", -985981536],
  ["a-little-bit-longer-string", -1486304829],
  ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
  ["abc", 479470107],
];

/** What the Java producer computes for a keyed record: Utils.toPositive(murmur2(key)) % partitions. */
const javaPartition = (hash: number, partitions: number) => (hash & 0x7fffffff) % partitions;

describe("MIRROR_PARTITIONER", () => {
  it("puts a key on the partition the Java client's default partitioner chooses", () => {
    const partitionFor = MIRROR_PARTITIONER();
    for (const partitions of [1, 3, 4, 7, 12, 64]) {
      const partitionMetadata = Array.from(
        { length: partitions },
        (_, partitionId) => ({ partitionId, leader: 1 }) as PartitionMetadata,
      );
      for (const [key, hash] of JAVA_MURMUR2) {
        const chosen = partitionFor({ topic: "t", partitionMetadata, message: { key, value: null } });
        expect(chosen, `key ${key} over ${partitions} partitions`).toBe(javaPartition(hash, partitions));
      }
    }
  });

  it("depends only on the key and the partition count, so both mirror topics agree", () => {
    const partitionMetadata = Array.from(
      { length: 8 },
      (_, partitionId) => ({ partitionId, leader: 1 }) as PartitionMetadata,
    );
    const legacy = MIRROR_PARTITIONER();
    const neu = MIRROR_PARTITIONER();
    for (let i = 0; i < 200; i++) {
      const message = { key: `corr-${i}`, value: null };
      expect(legacy({ topic: "ciam.mirror.legacy", partitionMetadata, message })).toBe(
        neu({ topic: "ciam.mirror.new", partitionMetadata, message }),
      );
    }
  });
});
