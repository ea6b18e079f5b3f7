import { describe, expect, it } from "vitest";
import { completeness, openBounds } from "./session-sweep.js";

const NOW = 1_000_000;
const progress = [
  { source: "tokens/0", side: "legacy" as const, maxObservedAtMs: 500, lastStoredAtMs: NOW - 100 },
  { source: "tokens/0", side: "new" as const, maxObservedAtMs: 400, lastStoredAtMs: NOW - 100 },
  { source: "tokens/1", side: "legacy" as const, maxObservedAtMs: 300, lastStoredAtMs: NOW - 90_000 },
  { source: "http", side: "new" as const, maxObservedAtMs: 200, lastStoredAtMs: NOW - 90_000 },
];

const drainedNow = { remaining: 0, ageMs: 0 };

describe("completeness", () => {
  it("is each side's latest stored fact while the source is busy", () => {
    const complete = completeness(progress, { now: NOW, windowMs: 60_000, lagOf: () => drainedNow });
    expect(complete("tokens/0", "legacy")).toBe(500);
    expect(complete("tokens/0", "new")).toBe(400);
    expect(complete("nowhere/3", "new")).toBe(Number.NEGATIVE_INFINITY);
  });

  it("is everything once a source was quiet for a window with nothing left unread", () => {
    const lag = new Map([
      ["tokens/1", drainedNow],
      ["http", drainedNow],
    ]);
    const complete = completeness(progress, { now: NOW, windowMs: 60_000, lagOf: (s) => lag.get(s) });
    expect(complete("tokens/1", "new")).toBe(Number.POSITIVE_INFINITY);
    expect(complete("http", "legacy")).toBe(Number.POSITIVE_INFINITY);
  });

  it("is not everything on a zero lag measured less than a window after the last stored fact", () => {
    // tokens/1 stored its last fact 90 s ago; a 60 s window: the lag must be at most 30 s old.
    const at = (ageMs: number) => () => ({ remaining: 0, ageMs });
    expect(completeness(progress, { now: NOW, windowMs: 60_000, lagOf: at(29_000) })("tokens/1", "new")).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(completeness(progress, { now: NOW, windowMs: 60_000, lagOf: at(31_000) })("tokens/1", "new")).toBe(
      Number.NEGATIVE_INFINITY,
    );
  });

  it("is not everything while a quiet source has events still to store, or that is unknown", () => {
    for (const lag of [{ remaining: 12, ageMs: 0 }, undefined]) {
      const complete = completeness(progress, { now: NOW, windowMs: 60_000, lagOf: () => lag });
      expect(complete("tokens/1", "legacy")).toBe(300);
      expect(complete("tokens/1", "new")).toBe(Number.NEGATIVE_INFINITY);
      expect(complete("http", "new")).toBe(200); // HTTP events accepted, not yet stored
    }
  });
});

describe("openBounds", () => {
  const key = (source: string, side: string) => `${source}\u0000${side}`;
  const p = (source: string, side: "legacy" | "new", max: number) => ({
    source,
    side,
    maxObservedAtMs: max,
    lastStoredAtMs: 0,
  });

  it("opens a moved source from what it was complete up to before, however far it jumped", () => {
    const progress = [p("t/0", "legacy", 10_000_000), p("t/0", "new", 10_000_000)];
    const before = new Map([
      [key("t/0", "legacy"), 1_000_000],
      [key("t/0", "new"), 400_000],
    ]);
    const now = new Map([
      [key("t/0", "legacy"), 10_000_000],
      [key("t/0", "new"), 10_000_000],
    ]);
    expect(openBounds(progress, before, now, 60_000)).toEqual([
      { source: "t/0", sinceMs: 400_000 - 120_000 },
    ]);
  });

  it("leaves a source that did not move, and opens all of one whose missing side went quiet", () => {
    const progress = [p("t/1", "legacy", 5_000), p("t/2", "legacy", 9_000)];
    const still = new Map([
      [key("t/1", "legacy"), 5_000],
      [key("t/1", "new"), Number.NEGATIVE_INFINITY],
      [key("t/2", "legacy"), 9_000],
      [key("t/2", "new"), Number.NEGATIVE_INFINITY],
    ]);
    const quiet = new Map([...still, [key("t/2", "legacy"), Infinity], [key("t/2", "new"), Infinity]]);
    expect(openBounds(progress, still, still, 60_000)).toEqual([]);
    expect(openBounds(progress, still, quiet, 60_000)).toEqual([
      { source: "t/2", sinceMs: Number.MIN_SAFE_INTEGER },
    ]);
  });

  it("makes nothing due when a quiet source gets busy again, and opens only from a side that rose", () => {
    const progress = [p("t/3", "legacy", 9_000), p("t/4", "legacy", 6_000)];
    const quiet = new Map([
      [key("t/3", "legacy"), Infinity],
      [key("t/3", "new"), Infinity],
      [key("t/4", "legacy"), 5_000],
      [key("t/4", "new"), Number.NEGATIVE_INFINITY],
    ]);
    const busy = new Map([
      [key("t/3", "legacy"), 9_000],
      [key("t/3", "new"), Number.NEGATIVE_INFINITY],
      [key("t/4", "legacy"), 6_000],
      [key("t/4", "new"), Number.NEGATIVE_INFINITY],
    ]);
    expect(openBounds(progress, quiet, busy, 60_000)).toEqual([{ source: "t/4", sinceMs: 5_000 - 120_000 }]);
  });
});
