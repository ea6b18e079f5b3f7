import { describe, expect, it } from "vitest";
import { completeness } from "./session-sweep.js";

const NOW = 1_000_000;
const progress = [
  { source: "tokens/0", side: "legacy" as const, maxObservedAtMs: 500, lastStoredAtMs: NOW - 100 },
  { source: "tokens/0", side: "new" as const, maxObservedAtMs: 400, lastStoredAtMs: NOW - 100 },
  { source: "tokens/1", side: "legacy" as const, maxObservedAtMs: 300, lastStoredAtMs: NOW - 90_000 },
  { source: "http", side: "new" as const, maxObservedAtMs: 200, lastStoredAtMs: NOW - 90_000 },
];

describe("completeness", () => {
  it("is each side's latest stored fact while the source is busy", () => {
    const complete = completeness(progress, { now: NOW, windowMs: 60_000, lagOf: () => 0 });
    expect(complete("tokens/0", "legacy")).toBe(500);
    expect(complete("tokens/0", "new")).toBe(400);
    expect(complete("nowhere/3", "new")).toBe(Number.NEGATIVE_INFINITY);
  });

  it("is everything once a source was quiet for a window with nothing left unread", () => {
    const lag = new Map([["tokens/1", 0]]);
    const complete = completeness(progress, { now: NOW, windowMs: 60_000, lagOf: (s) => lag.get(s) });
    expect(complete("tokens/1", "new")).toBe(Number.POSITIVE_INFINITY);
    expect(complete("http", "legacy")).toBe(Number.POSITIVE_INFINITY);
  });

  it("is not everything while the quiet source still has messages in Kafka (a stalled consumer)", () => {
    const complete = completeness(progress, { now: NOW, windowMs: 60_000, lagOf: () => 12 });
    expect(complete("tokens/1", "legacy")).toBe(300);
    expect(complete("tokens/1", "new")).toBe(Number.NEGATIVE_INFINITY);
  });
});
