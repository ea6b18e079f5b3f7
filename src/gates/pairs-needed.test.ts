import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalQuantile } from "./normal-quantile.js";
import { pairsNeededToPass } from "./pairs-needed.js";
import { wilsonUpperBoundOfRate } from "./wilson.js";

describe("pairsNeededToPass", () => {
  it("0.42% against a 0.5% maximum at 95% needs 21,596 pairs (checked with 40-digit arithmetic)", () => {
    expect(pairsNeededToPass(12 / 2850, 0.005, 0.95)).toBe(21_596);
  });

  it("a clean record needs ceil(z²(1 - m) / m) pairs: 539 for 0.5% at 95%", () => {
    const z = normalQuantile(0.95);
    expect(Math.ceil((z * z * (1 - 0.005)) / 0.005)).toBe(539);
    expect(pairsNeededToPass(0, 0.005, 0.95)).toBe(539);
  });

  it("is null when the rate is at or above the maximum", () => {
    expect(pairsNeededToPass(0.005, 0.005, 0.95)).toBeNull();
    expect(pairsNeededToPass(0.01, 0.005, 0.95)).toBeNull();
    expect(pairsNeededToPass(0, 0, 0.95)).toBeNull();
  });

  it("returns the first n that passes", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        fc.double({ min: 0.001, max: 0.3, noNaN: true }),
        fc.constantFrom(0.9, 0.95, 0.99),
        (rate, max, confidence) => {
          fc.pre(rate < max * 0.98);
          const n = pairsNeededToPass(rate, max, confidence);
          const z = normalQuantile(confidence);
          expect(n).not.toBeNull();
          expect(wilsonUpperBoundOfRate(rate, n ?? 0, z)).toBeLessThanOrEqual(max);
          if ((n ?? 0) > 1) expect(wilsonUpperBoundOfRate(rate, (n ?? 0) - 1, z)).toBeGreaterThan(max);
        },
      ),
    );
  });
});
