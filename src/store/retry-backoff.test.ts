import { describe, expect, it } from "vitest";
import { backoffDelayMs } from "./retry-backoff.js";

const policy = { initialDelayMs: 100, maxDelayMs: 1_000, multiplier: 2 };

describe("backoffDelayMs", () => {
  it("doubles per failure up to the cap, with half of each delay random", () => {
    const low = [1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, policy, () => 0));
    const high = [1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, policy, () => 0.999_999));
    expect(low).toEqual([50, 100, 200, 400, 500, 500]);
    expect(high).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it("never waits zero, even with the unluckiest jitter", () => {
    expect(backoffDelayMs(1, policy, () => 0)).toBeGreaterThan(0);
  });
});
