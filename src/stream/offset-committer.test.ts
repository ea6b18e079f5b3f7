import { describe, expect, it } from "vitest";
import { OffsetCommitter } from "./offset-committer.js";
import { OffsetTracker, type TopicPartition } from "./offset-tracker.js";

const tp = { topic: "L", partition: 0 };

function resolved(tracker: OffsetTracker, upTo: number): void {
  for (let o = 0; o < upTo; o++) {
    tracker.track(tp, o);
    tracker.resolve(tp, o);
  }
}

/** A client whose commits settle only when the test says so, recording what reached the group. */
function slowClient() {
  const started: number[] = [];
  const landed: number[] = [];
  const settle: (() => void)[] = [];
  const fail: ((e: Error) => void)[] = [];
  const send = (offsets: (TopicPartition & { offset: number })[]) =>
    new Promise<void>((resolve, reject) => {
      const offset = offsets[0]?.offset ?? -1;
      started.push(offset);
      settle.push(() => {
        landed.push(offset);
        resolve();
      });
      fail.push(reject);
    });
  return { send, started, landed, settle, fail };
}

describe("OffsetCommitter", () => {
  it("sends a commit only after the one in flight has settled, so offsets never land out of order", async () => {
    const tracker = new OffsetTracker();
    const client = slowClient();
    const committer = new OffsetCommitter(tracker, client.send);
    resolved(tracker, 10);
    const first = committer.commit();
    expect(committer.busy).toBe(true);
    tracker.track(tp, 10);
    tracker.resolve(tp, 10);
    const second = committer.commit();
    await new Promise((r) => setTimeout(r, 10));
    expect(client.started).toEqual([10]); // the second waits for the first
    client.settle[0]?.();
    await first;
    await new Promise((r) => setTimeout(r, 10));
    expect(client.started).toEqual([10, 11]);
    client.settle[1]?.();
    await second;
    expect(client.landed).toEqual([10, 11]);
    expect(committer.busy).toBe(false);
  });

  it("offers the offsets of a failed commit again", async () => {
    const tracker = new OffsetTracker();
    const client = slowClient();
    const committer = new OffsetCommitter(tracker, client.send);
    resolved(tracker, 3);
    const first = committer.commit();
    client.fail[0]?.(new Error("coordinator moved"));
    await expect(first).rejects.toThrow("coordinator moved");
    const again = committer.commit();
    await new Promise((r) => setTimeout(r, 10));
    expect(client.started).toEqual([3, 3]);
    client.settle[1]?.();
    await again;
    expect(client.landed).toEqual([3]);
  });

  it("gives up waiting for a commit that does not finish in time, and says so", async () => {
    const tracker = new OffsetTracker();
    const client = slowClient();
    const committer = new OffsetCommitter(tracker, client.send);
    resolved(tracker, 2);
    void committer.commit(); // retrying through an outage
    tracker.track(tp, 2);
    tracker.resolve(tp, 2);
    expect(await committer.commitWithin(30)).toBe(false);
    client.settle[0]?.();
    await new Promise((r) => setTimeout(r, 10));
    client.settle[1]?.();
    expect(await committer.commitWithin(1_000)).toBe(true);
    expect(client.landed).toEqual([2, 3]);
  });

  it("sends nothing when nothing moved", async () => {
    const tracker = new OffsetTracker();
    const client = slowClient();
    await new OffsetCommitter(tracker, client.send).commit();
    expect(client.started).toEqual([]);
  });
});
