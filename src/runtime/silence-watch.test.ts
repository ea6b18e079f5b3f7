import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { silenceWatch } from "./silence-watch.js";

/** A 1 s timeout looked at every 100 ms; one queue whose oldest entry (job 1) never answers. */
function watched(judging: (atMs: number) => number) {
  const startedAt = performance.now();
  const told: { blamed: number; atMs: number }[] = [];
  const watch = silenceWatch(
    { timeoutMs: 1_000, intervalMs: 100 },
    () => [1],
    () => judging(performance.now() - startedAt),
  );
  watch.start((blamed) => told.push({ blamed, atMs: Math.round(performance.now() - startedAt) }));
  return { told, watch };
}

describe("silenceWatch", () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "performance"] }));
  afterEach(() => vi.useRealTimers());

  it("gives up at the timeout and blames nothing while nothing is judged", () => {
    // Its silence counts from the first look that saw it (100 ms): past 1 s at the look at 1.2 s.
    const { told } = watched(() => 0);
    vi.advanceTimersByTime(1_100);
    expect(told).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(told).toEqual([{ blamed: 0, atMs: 1_200 }]);
  });

  it("blames a judgement that has run half the timeout when the silence runs out", () => {
    const { told } = watched((t) => (t >= 400 ? 7 : 0));
    vi.advanceTimersByTime(1_200);
    expect(told).toEqual([{ blamed: 7, atMs: 1_200 }]);
  });

  it("watches a judgement begun late until it has run half the timeout, then blames it", () => {
    // Job 7 starts at 0.8 s and never ends: 0.4 s old when the silence runs out at 1.2 s.
    const { told } = watched((t) => (t >= 800 ? 7 : 0));
    vi.advanceTimersByTime(1_200);
    expect(told).toEqual([]);
    vi.advanceTimersByTime(400);
    expect(told).toEqual([{ blamed: 7, atMs: 1_300 }]);
  });

  it("blames nothing when the judgement watched ends first, or another one begins", () => {
    const ended = watched((t) => (t >= 800 && t < 1_250 ? 7 : 0));
    const followed = watched((t) => (t >= 800 && t < 1_250 ? 7 : t >= 1_250 ? 8 : 0));
    vi.advanceTimersByTime(3_000);
    expect(ended.told).toEqual([{ blamed: 0, atMs: 1_300 }]);
    expect(followed.told).toEqual([{ blamed: 0, atMs: 1_300 }]);
  });

  it("gives up on a worker busy with short judgements one after the other", () => {
    // A new job every 150 ms from the start: none ever runs half the timeout.
    const { told } = watched((t) => 10 + Math.floor(t / 150));
    vi.advanceTimersByTime(3_000);
    expect(told).toHaveLength(1);
    expect(told[0]?.blamed).toBe(0);
    // The one under way at 1.2 s is watched until the next begins (1.35 s), seen at 1.4 s.
    expect(told[0]?.atMs).toBe(1_400);
  });

  it("stops watching once stopped", () => {
    const { told, watch } = watched(() => 0);
    watch.stop();
    vi.advanceTimersByTime(5_000);
    expect(told).toEqual([]);
  });
});
