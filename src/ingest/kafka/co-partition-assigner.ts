import { AssignerProtocol, type Assignment, type PartitionAssigner } from "kafkajs";
import {
  assertEqualPartitionCounts,
  TopicLayoutError,
  type TopicPartitionCount,
} from "./topic-layout-error.js";

/** The protocol name members announce; every member of the group must offer it. */
export const CO_PARTITION_PROTOCOL = "CoPartitionRange";

const PROTOCOL_VERSION = 0;
const NO_USER_DATA = Buffer.alloc(0);

export interface MemberSubscription {
  memberId: string;
  topics: readonly string[];
}

/**
 * Partition number p of EVERY subscribed topic goes to the same member, so the legacy and new
 * mirror of one request (same key, same hash, equal partition counts) meet in one process.
 *
 * Members sorted by id get contiguous ranges of partition numbers, exactly like Kafka's `range`
 * assignor does per topic; with equal partition counts that assignor is co-partitioning too,
 * which is what a replacement client can use (docs/kafka.md). Unlike it, this one refuses
 * unequal counts or members subscribed to different topics: the error is not retriable, so the
 * consumer crashes loudly instead of silently producing unpaired events.
 */
export const CoPartitionAssigner: PartitionAssigner = ({ cluster, logger }) => ({
  name: CO_PARTITION_PROTOCOL,
  version: PROTOCOL_VERSION,

  async assign({ members, topics }) {
    const subscriptions = members.map((member) => ({
      memberId: member.memberId,
      topics: AssignerProtocol.MemberMetadata.decode(member.memberMetadata)?.topics ?? [],
    }));
    const counts = await partitionCounts(cluster, topics);
    const plan = coPartitionAssignment(subscriptions, counts);
    logger.info("Co-partitioned assignment", { topics: counts, assignment: Object.fromEntries(plan) });
    return members.map(({ memberId }) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({
        version: PROTOCOL_VERSION,
        assignment: plan.get(memberId) ?? {},
        userData: NO_USER_DATA,
      }),
    }));
  },

  protocol({ topics }) {
    return {
      name: CO_PARTITION_PROTOCOL,
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: PROTOCOL_VERSION,
        topics,
        userData: NO_USER_DATA,
      }),
    };
  },
});

type Cluster = Parameters<PartitionAssigner>[0]["cluster"];

/**
 * Partition counts from the client's metadata. Right after a broker (re)start a topic can show
 * no partitions while the broker loads them: that is refreshed, and if it persists it is a
 * retriable error (kafkajs rejoins), never the non-retriable layout error, which is for counts
 * that really differ. Topics missing at start are refused before joining (check-topics.ts).
 */
async function partitionCounts(cluster: Cluster, topics: readonly string[]): Promise<TopicPartitionCount[]> {
  const read = () =>
    topics.map((topic) => ({ topic, partitions: cluster.findTopicPartitionMetadata(topic).length }));
  let counts = read();
  if (counts.some((c) => c.partitions === 0)) {
    await cluster.refreshMetadata();
    counts = read();
  }
  const empty = counts.filter((c) => c.partitions === 0).map((c) => c.topic);
  if (empty.length > 0) throw new MetadataNotReadyError(`no partition metadata yet for ${empty.join(", ")}`);
  return counts;
}

/** Transient: the brokers have not served a topic's partitions yet; kafkajs retries the join. */
export class MetadataNotReadyError extends Error {
  override name = "MetadataNotReadyError";
  readonly retriable = true;
}

/**
 * The assignment itself (pure): members sorted by id, partition numbers split in contiguous
 * ranges (the first `partitions % members` members get one more), the same range in every topic.
 * Members beyond the partition count get nothing.
 */
export function coPartitionAssignment(
  members: readonly MemberSubscription[],
  counts: readonly TopicPartitionCount[],
): Map<string, Assignment> {
  assertEqualPartitionCounts(counts);
  assertSameSubscriptions(members, counts);
  const partitionCount = counts[0]?.partitions ?? 0;
  const sorted = members.map((m) => m.memberId).sort();
  const perMember = Math.floor(partitionCount / Math.max(sorted.length, 1));
  const withExtra = partitionCount % Math.max(sorted.length, 1);
  const plan = new Map<string, Assignment>();
  for (const [i, memberId] of sorted.entries()) {
    const start = i * perMember + Math.min(i, withExtra);
    const length = perMember + (i < withExtra ? 1 : 0);
    const range = Array.from({ length }, (_, k) => start + k);
    plan.set(
      memberId,
      length === 0 ? {} : Object.fromEntries(counts.map(({ topic }) => [topic, [...range]])),
    );
  }
  return plan;
}

/** A member that does not read every topic would break pairs; its config differs from the others'. */
function assertSameSubscriptions(
  members: readonly MemberSubscription[],
  counts: readonly TopicPartitionCount[],
): void {
  const expected = [...new Set(counts.map((c) => c.topic))].sort().join(", ");
  const differing = members.filter((m) => [...new Set(m.topics)].sort().join(", ") !== expected);
  if (differing.length === 0) return;
  const listed = differing.map((m) => `${m.memberId} reads [${[...new Set(m.topics)].sort().join(", ")}]`);
  throw new TopicLayoutError(
    `every member of the consumer group must read the same topics [${expected}] to co-partition them, but ${listed.join("; ")}`,
  );
}
