import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Side } from "../contracts/index.js";
import { type PairingOutput, PairingWindow, type WindowedEvent } from "./window.js";

const ev = (
  side: Side,
  correlationId: string,
  observedAtMs: number,
  fingerprint = `${side}:${correlationId}`,
) =>
  ({
    side,
    correlationId,
    observedAtMs,
    fingerprint,
    payload: `${side}/${correlationId}`,
  }) satisfies WindowedEvent<string>;

const types = (outs: PairingOutput<string>[]) => outs.map((o) => o.type);

describe("PairingWindow", () => {
  it("pairs the two sides of one correlation id in either order", () => {
    const w = new PairingWindow<string>({ windowMs: 30_000, maxPending: 10 });
    expect(w.add(ev("new", "a", 1_000))).toEqual([]);
    const [out] = w.add(ev("legacy", "a", 1_200));
    expect(out).toMatchObject({ type: "pair", legacy: { side: "legacy" }, new: { side: "new" } });
    expect(w.pendingCount).toBe(0);
  });

  it("emits an event as unpaired once event time passes it by more than the window", () => {
    const w = new PairingWindow<string>({ windowMs: 30_000, maxPending: 10 });
    w.add(ev("legacy", "a", 0));
    expect(w.add(ev("legacy", "b", 30_000))).toEqual([]); // exactly one window later: still waiting
    const outs = w.add(ev("legacy", "c", 30_001));
    expect(outs).toEqual([{ type: "unpaired", event: ev("legacy", "a", 0), cause: "window_closed" }]);
  });

  it("counts a byte-identical redelivery once, while waiting and after pairing", () => {
    const w = new PairingWindow<string>({ windowMs: 30_000, maxPending: 10 });
    w.add(ev("legacy", "a", 0));
    expect(types(w.add(ev("legacy", "a", 0)))).toEqual(["duplicate"]);
    expect(types(w.add(ev("new", "a", 10)))).toEqual(["pair"]);
    expect(types(w.add(ev("new", "a", 10)))).toEqual(["duplicate"]);
    expect(types(w.add(ev("legacy", "a", 0)))).toEqual(["duplicate"]);
  });

  it("reports a different event for a side already seen as a conflict and keeps the first", () => {
    const w = new PairingWindow<string>({ windowMs: 30_000, maxPending: 10 });
    w.add(ev("legacy", "a", 0, "first"));
    expect(w.add(ev("legacy", "a", 5, "second"))).toEqual([
      { type: "conflict", event: ev("legacy", "a", 5, "second") },
    ]);
    const [pair] = w.add(ev("new", "a", 7));
    expect(pair?.type === "pair" && pair.legacy.fingerprint).toBe("first");
    expect(types(w.add(ev("new", "a", 9, "other")))).toEqual(["conflict"]);
  });

  it("marks a partner that arrives after its other half was given up as late", () => {
    const w = new PairingWindow<string>({ windowMs: 1_000, maxPending: 10 });
    w.add(ev("legacy", "a", 0));
    expect(types(w.add(ev("legacy", "b", 1_500)))).toEqual(["unpaired"]);
    expect(w.add(ev("new", "a", 1_600))).toEqual([
      { type: "unpaired", event: ev("new", "a", 1_600), cause: "late" },
    ]);
  });

  it("gives up the oldest waiting event when full, and says so", () => {
    const w = new PairingWindow<string>({ windowMs: 60_000, maxPending: 2 });
    w.add(ev("legacy", "a", 0));
    w.add(ev("legacy", "b", 1));
    expect(w.isFull).toBe(true);
    expect(w.add(ev("legacy", "c", 2))).toEqual([
      { type: "unpaired", event: ev("legacy", "a", 0), cause: "capacity" },
    ]);
  });

  it("flushes what is still waiting at the end of input, oldest first", () => {
    const w = new PairingWindow<string>({ windowMs: 60_000, maxPending: 10 });
    w.add(ev("new", "b", 5));
    w.add(ev("legacy", "a", 1));
    expect(w.flush().map((o) => o.type === "unpaired" && [o.event.correlationId, o.cause])).toEqual([
      ["a", "end_of_input"],
      ["b", "end_of_input"],
    ]);
  });

  it("gives up each side's events by how far its partners' stream has got", () => {
    const w = new PairingWindow<string>({ windowMs: 10_000, maxPending: 10, externalEventTime: true });
    w.add(ev("legacy", "a", 1_000));
    w.add(ev("new", "b", 2_000));
    w.add(ev("legacy", "c", 3_000));
    // The new stream is far on, the legacy one is not: only legacy events are given up.
    const out = w.advanceSides({ legacy: 12_500, new: 0 });
    expect(out.map((o) => (o.type === "unpaired" ? o.event.correlationId : o.type))).toEqual(["a"]);
    // Both a window past everything: the rest, oldest first across the sides.
    const rest = w.advanceSides({ legacy: 20_000, new: 20_000 });
    expect(rest.map((o) => (o.type === "unpaired" ? o.event.correlationId : o.type))).toEqual(["b", "c"]);
  });

  it("accounts for every event exactly once and never holds more than maxPending (property)", () => {
    const request = fc.record({
      at: fc.integer({ min: 0, max: 600_000 }),
      skew: fc.integer({ min: -5_000, max: 5_000 }),
      sides: fc.constantFrom<Side[]>(["legacy", "new"], ["legacy"], ["new"]),
      redeliver: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(request, { maxLength: 200 }),
        fc.integer({ min: 1, max: 50 }),
        (requests, maxPending) => {
          const events = requests.flatMap((r, i) => {
            const list = r.sides.map((side, k) => ev(side, `c${i}`, r.at + (k === 1 ? r.skew : 0)));
            return r.redeliver && list[0] ? [...list, list[0]] : list;
          });
          events.sort((a, b) => a.observedAtMs - b.observedAtMs);
          const w = new PairingWindow<string>({ windowMs: 10_000, maxPending });
          const outs: PairingOutput<string>[] = [];
          for (const e of events) {
            const out = w.add(e);
            outs.push(...out);
            expect(w.pendingCount).toBeLessThanOrEqual(maxPending);
            // What one step gives up comes oldest first, whichever side it is on.
            const times = out.flatMap((o) => (o.type === "unpaired" ? [o.event.observedAtMs] : []));
            expect(times).toEqual([...times].sort((a, b) => a - b));
          }
          expect(w.pendingBySide.legacy + w.pendingBySide.new).toBe(w.pendingCount);
          outs.push(...w.flush());
          expect(w.pendingBySide).toEqual({ legacy: 0, new: 0 });
          const accounted = outs.reduce((n, o) => n + (o.type === "pair" ? 2 : 1), 0);
          expect(accounted).toBe(events.length);
          expect(outs.some((o) => o.type === "conflict")).toBe(false);
          // With room for everything, every two-sided request within the window pairs.
          if (maxPending >= events.length) {
            const pairs = outs.filter((o) => o.type === "pair").length;
            expect(pairs).toBe(requests.filter((r) => r.sides.length === 2).length);
          }
        },
      ),
      { seed: 20261122, numRuns: 300 },
    );
  });
});
