import { describe, expect, it } from "vitest";
import { UsageError } from "../errors/errors.js";
import { simulationPlan } from "./simulation-plan.js";

describe("simulationPlan", () => {
  it("plans rate × duration events, and a request rate of about half the event rate", () => {
    const plan = simulationPlan(500, 2);
    expect(plan.events).toBe(1_000);
    // about two lines per request; the planted unpaired requests have one, duplicates add one
    expect(plan.requestsPerSecond).toBeGreaterThan(245);
    expect(plan.requestsPerSecond).toBeLessThan(255);
  });

  it("refuses runs too short for the demo's planted cases, and rates or durations that are not positive", () => {
    expect(() => simulationPlan(10, 5)).toThrow(/at least 200/);
    expect(() => simulationPlan(0, 5)).toThrow(UsageError);
    expect(() => simulationPlan(100, -1)).toThrow(UsageError);
  });
});
