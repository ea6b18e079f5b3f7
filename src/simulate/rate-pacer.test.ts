import { describe, expect, it } from "vitest";
import { FakeClock } from "./fake-clock.fixture.js";
import { RatePacer } from "./rate-pacer.js";

describe("RatePacer", () => {
  it("makes event k due k / rate seconds after the start", async () => {
    const clock = new FakeClock(1_000);
    const pacer = new RatePacer(200, clock);
    expect(pacer.dueAt(1)).toBe(1_005);
    expect(pacer.dueAt(200)).toBe(2_000);
    await pacer.waitFor(100);
    expect(clock.now()).toBe(1_500);
    await pacer.waitFor(150);
    expect(clock.now()).toBe(1_750);
  });

  it("does not wait for events already due: a late sender catches up to the schedule", async () => {
    const clock = new FakeClock(0);
    const pacer = new RatePacer(1_000, clock);
    clock.nowMs = 3_000; // stalled for 3 s
    await pacer.waitFor(2_500);
    expect(clock.slept).toBe(0);
    await pacer.waitFor(3_500);
    expect(clock.now()).toBe(3_500);
  });

  it("refuses a rate that is not a positive number", () => {
    for (const rate of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new RatePacer(rate, new FakeClock())).toThrow(RangeError);
    }
  });
});
