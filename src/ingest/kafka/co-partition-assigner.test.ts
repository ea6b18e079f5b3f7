import { AssignerProtocol, type Cluster, type Logger, type PartitionMetadata } from "kafkajs";
import { describe, expect, it } from "vitest";
import {
  CO_PARTITION_PROTOCOL,
  CoPartitionAssigner,
  coPartitionAssignment,
  MetadataNotReadyError,
} from "./co-partition-assigner.js";
import { TopicLayoutError } from "./topic-layout-error.js";

const L = "ciam.mirror.legacy";
const N = "ciam.mirror.new";
const both = (memberId: string) => ({ memberId, topics: [L, N] });
const counts = (legacy: number, neu: number) => [
  { topic: L, partitions: legacy },
  { topic: N, partitions: neu },
];

describe("coPartitionAssignment", () => {
  it("gives each member the same partition numbers of every topic, in ranges by sorted member id", () => {
    const plan = coPartitionAssignment([both("m-b"), both("m-a")], counts(4, 4));
    expect(Object.fromEntries(plan)).toEqual({
      "m-a": { [L]: [0, 1], [N]: [0, 1] },
      "m-b": { [L]: [2, 3], [N]: [2, 3] },
    });
  });

  it("gives the first members one more when the partitions do not divide evenly", () => {
    const plan = coPartitionAssignment([both("c"), both("a"), both("b")], counts(5, 5));
    expect(plan.get("a")).toEqual({ [L]: [0, 1], [N]: [0, 1] });
    expect(plan.get("b")).toEqual({ [L]: [2, 3], [N]: [2, 3] });
    expect(plan.get("c")).toEqual({ [L]: [4], [N]: [4] });
  });

  it("assigns every partition exactly once, whatever the member count", () => {
    for (let members = 1; members <= 9; members++) {
      const ids = Array.from({ length: members }, (_, i) => `member-${i}`);
      const plan = coPartitionAssignment(ids.map(both), counts(6, 6));
      for (const topic of [L, N]) {
        const owned = [...plan.values()].flatMap((a) => a[topic] ?? []).sort((x, y) => x - y);
        expect(owned).toEqual([0, 1, 2, 3, 4, 5]);
      }
      for (const a of plan.values()) expect(a[L] ?? []).toEqual(a[N] ?? []);
    }
  });

  it("leaves members beyond the partition count idle", () => {
    const plan = coPartitionAssignment([both("a"), both("b"), both("c")], counts(2, 2));
    expect(plan.get("c")).toEqual({});
  });

  it("works with one topic for both sides", () => {
    const plan = coPartitionAssignment(
      [
        { memberId: "a", topics: ["ciam.mirror"] },
        { memberId: "b", topics: ["ciam.mirror"] },
      ],
      [{ topic: "ciam.mirror", partitions: 3 }],
    );
    expect(Object.fromEntries(plan)).toEqual({ a: { "ciam.mirror": [0, 1] }, b: { "ciam.mirror": [2] } });
  });

  it("refuses unequal partition counts, naming the topics and counts", () => {
    expect(() => coPartitionAssignment([both("a")], counts(4, 3))).toThrow(TopicLayoutError);
    expect(() => coPartitionAssignment([both("a")], counts(4, 3))).toThrow(
      `${L} has 4, ${N} has 3. Give them the same count.`,
    );
  });

  it("refuses members that read different topics, naming them", () => {
    expect(() => coPartitionAssignment([both("a"), { memberId: "b", topics: [L] }], counts(4, 4))).toThrow(
      `every member of the consumer group must read the same topics [${L}, ${N}] to co-partition them, but b reads [${L}]`,
    );
  });
});

describe("CoPartitionAssigner (the kafkajs protocol around it)", () => {
  const logger: Logger = {
    info: () => {},
    error: () => {},
    warn: () => {},
    debug: () => {},
    namespace: () => logger,
    setLogLevel: () => {},
  };
  const cluster = (partitions: Record<string, number>, refreshed: Record<string, number> = partitions) =>
    ({
      refreshMetadata: async () => {
        Object.assign(partitions, refreshed);
      },
      findTopicPartitionMetadata: (topic: string) =>
        Array.from(
          { length: partitions[topic] ?? 0 },
          (_, partitionId) => ({ partitionId }) as PartitionMetadata,
        ),
    }) as unknown as Cluster;
  const member = (memberId: string, topics: string[]) => ({
    memberId,
    memberMetadata: CoPartitionAssigner({ cluster: cluster({}), groupId: "g", logger }).protocol({ topics })
      .metadata,
  });

  it("announces its protocol and encodes the assignment the way kafkajs members decode it", async () => {
    const assigner = CoPartitionAssigner({ cluster: cluster({ [L]: 4, [N]: 4 }), groupId: "g", logger });
    expect(assigner.name).toBe(CO_PARTITION_PROTOCOL);
    const result = await assigner.assign({
      members: [member("b", [L, N]), member("a", [L, N])],
      topics: [L, N],
    });
    const decoded = Object.fromEntries(
      result.map((r) => [
        r.memberId,
        AssignerProtocol.MemberAssignment.decode(r.memberAssignment)?.assignment,
      ]),
    );
    expect(decoded).toEqual({ a: { [L]: [0, 1], [N]: [0, 1] }, b: { [L]: [2, 3], [N]: [2, 3] } });
  });

  it("fails the assignment with a non-retriable error when the counts differ", async () => {
    const assigner = CoPartitionAssigner({ cluster: cluster({ [L]: 4, [N]: 2 }), groupId: "g", logger });
    const failure = assigner.assign({ members: [member("a", [L, N])], topics: [L, N] });
    await expect(failure).rejects.toThrow(TopicLayoutError);
    await expect(failure).rejects.toMatchObject({ retriable: false, exitCode: 78 });
  });

  it("refreshes a topic that shows no partitions yet (a broker just restarted) instead of failing for good", async () => {
    const late = CoPartitionAssigner({
      cluster: cluster({ [L]: 3, [N]: 0 }, { [L]: 3, [N]: 3 }),
      groupId: "g",
      logger,
    });
    const result = await late.assign({ members: [member("a", [L, N])], topics: [L, N] });
    expect(result).toHaveLength(1);
    const still = CoPartitionAssigner({ cluster: cluster({ [L]: 3, [N]: 0 }), groupId: "g", logger });
    const failure = still.assign({ members: [member("a", [L, N])], topics: [L, N] });
    await expect(failure).rejects.toThrow(MetadataNotReadyError);
    await expect(failure).rejects.toMatchObject({ retriable: true });
  });
});
