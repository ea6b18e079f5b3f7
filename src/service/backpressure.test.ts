import { describe, expect, it } from "vitest";
import type { MirrorConsumer } from "../ingest/kafka/mirror-consumer.js";
import type { TopicPartition } from "../stream/offset-tracker.js";
import { Backpressure } from "./backpressure.js";

function recordingConsumer() {
  const calls: string[] = [];
  const fmt = (tps?: TopicPartition[]) =>
    tps ? tps.map((t) => `${t.topic}#${t.partition}`).join(",") : "all";
  const consumer: MirrorConsumer = {
    run: async () => {},
    commit: async () => {},
    pause: (tps) => void calls.push(`pause ${fmt(tps)}`),
    resume: (tps) => void calls.push(`resume ${fmt(tps)}`),
    stop: async () => {},
  };
  return { consumer, calls };
}

describe("Backpressure", () => {
  it("holds back only the side that runs ahead in a full partition, and lets it go when drained", () => {
    const { consumer, calls } = recordingConsumer();
    const bp = new Backpressure(consumer, { legacy: "L", new: "N" });
    bp.update(false, [{ partition: 3, ahead: "legacy" }]);
    bp.update(false, [{ partition: 3, ahead: "legacy" }]); // no repeated calls
    bp.update(false, []);
    expect(calls).toEqual(["pause L#3", "resume L#3"]);
    expect(bp.pausedEverything).toBe(false);
  });

  it("pauses everything while the store is failing, and restores the partition holds after", () => {
    const { consumer, calls } = recordingConsumer();
    const bp = new Backpressure(consumer, { legacy: "L", new: "N" });
    bp.update(true, [{ partition: 1, ahead: "new" }]);
    expect(bp.pausedEverything).toBe(true);
    bp.update(false, [{ partition: 1, ahead: "new" }]);
    expect(calls).toEqual(["pause all", "resume all", "pause N#1"]);
  });
});
