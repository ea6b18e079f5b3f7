import { describe, expect, it } from "vitest";
import { PauseState } from "./pause-state.js";

const tp = (topic: string, partition: number) => ({ topic, partition });

describe("PauseState", () => {
  it("pauses and resumes single partitions", () => {
    const s = new PauseState();
    s.pause([tp("a", 1)]);
    expect(s.isPaused(tp("a", 1))).toBe(true);
    expect(s.isPaused(tp("a", 0))).toBe(false);
    s.resume([tp("a", 1)]);
    expect(s.isPaused(tp("a", 1))).toBe(false);
  });

  it("pausing everything covers partitions not seen yet; resuming one exempts only that one", () => {
    const s = new PauseState();
    s.pause();
    expect(s.isPaused(tp("b", 7))).toBe(true);
    s.resume([tp("b", 7)]);
    expect(s.isPaused(tp("b", 7))).toBe(false);
    expect(s.isPaused(tp("b", 6))).toBe(true);
    s.pause([tp("b", 7)]);
    expect(s.isPaused(tp("b", 7))).toBe(true);
    s.resume();
    expect(s.isPaused(tp("b", 7))).toBe(false);
    expect(s.isPaused(tp("b", 6))).toBe(false);
  });

  it("describes itself as calls that rebuild it", () => {
    const s = new PauseState();
    s.pause();
    s.resume([tp("a", 0)]);
    expect(s.snapshot()).toEqual({ everything: true, exempt: [tp("a", 0)], paused: [] });
    s.resume();
    s.pause([tp("a", 2)]);
    expect(s.snapshot()).toEqual({ everything: false, exempt: [], paused: [tp("a", 2)] });
  });
});
