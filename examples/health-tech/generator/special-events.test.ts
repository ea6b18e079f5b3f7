import { describe, expect, it } from "vitest";
import { MIN_DEMO_EVENTS, planSpecialEvents, type SpecialEvent } from "./special-events.js";

/** Lines a plan produces: two per paired request, one per unpaired one, one per extra line. */
function linesOf(plan: ReturnType<typeof planSpecialEvents>): number {
  let lines = plan.requests * 2;
  for (const e of plan.byRequest.values()) lines += linesAdded(e);
  return lines;
}

function linesAdded(e: SpecialEvent): number {
  if (e.type === "unpaired") return -1;
  return e.type === "duplicate" || e.type === "malformed" || e.type === "conflict" ? 1 : 0;
}

describe("planSpecialEvents", () => {
  it.each([200, 201, 2_000, 20_000, 20_001, 1_000_000])("accounts for exactly %i lines", (events) => {
    expect(linesOf(planSpecialEvents(events))).toBe(events);
  });

  it("places every special event on its own request, inside the run", () => {
    const plan = planSpecialEvents(MIN_DEMO_EVENTS);
    for (const index of plan.byRequest.keys()) {
      expect(index).toBeGreaterThanOrEqual(0);
      expect(index).toBeLessThan(plan.requests);
    }
    expect(plan.byRequest.size).toBe(22);
  });

  it("adds one legacy-only request for an odd number of lines", () => {
    const unpaired = (events: number) =>
      [...planSpecialEvents(events).byRequest.values()].filter((e) => e.type === "unpaired").length;
    expect(unpaired(20_000)).toBe(8);
    expect(unpaired(20_001)).toBe(9);
  });

  it("refuses runs too small for the schedule, or not whole", () => {
    expect(() => planSpecialEvents(199)).toThrow(/at least 200/);
    expect(() => planSpecialEvents(1000.5)).toThrow(RangeError);
  });
});
