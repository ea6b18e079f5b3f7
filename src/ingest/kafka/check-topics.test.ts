import type { ITopicMetadata } from "kafkajs";
import { describe, expect, it } from "vitest";
import { checkCoPartitioned, checkTopicsExist, type TopicCreator } from "./check-topics.js";
import { TopicLayoutError } from "./topic-layout-error.js";

/** An in-memory stand-in for the admin calls (the real broker is exercised in test/kafka). */
function fakeAdmin(topics: Record<string, number>): TopicCreator & { created: string[] } {
  const created: string[] = [];
  return {
    created,
    listTopics: async () => Object.keys(topics),
    fetchTopicMetadata: async (options?: { topics: string[] }) => ({
      topics: (options?.topics ?? []).map(
        (name) =>
          ({
            name,
            partitions: Array.from({ length: topics[name] ?? 0 }, (_, partitionId) => ({ partitionId })),
          }) as ITopicMetadata,
      ),
    }),
    createTopics: async ({ topics: configs }) => {
      for (const c of configs) {
        topics[c.topic] = c.numPartitions ?? 1;
        created.push(c.topic);
      }
      return true;
    },
  };
}

describe("checkCoPartitioned", () => {
  it("returns the counts when they are equal, once per distinct topic", async () => {
    await expect(checkCoPartitioned(fakeAdmin({ l: 4, n: 4 }), ["l", "n"])).resolves.toEqual([
      { topic: "l", partitions: 4 },
      { topic: "n", partitions: 4 },
    ]);
    await expect(checkCoPartitioned(fakeAdmin({ one: 6 }), ["one", "one"])).resolves.toEqual([
      { topic: "one", partitions: 6 },
    ]);
  });

  it("fails naming the topics and their counts when they differ", async () => {
    const check = checkCoPartitioned(fakeAdmin({ l: 4, n: 3 }), ["l", "n"]);
    await expect(check).rejects.toThrow(TopicLayoutError);
    await expect(check).rejects.toThrow("l has 4, n has 3");
  });

  it("fails naming the topics that do not exist", async () => {
    await expect(checkTopicsExist(fakeAdmin({ l: 4 }), ["l", "n", "d"])).rejects.toThrow(
      "these Kafka topics do not exist: n, d",
    );
  });
});
