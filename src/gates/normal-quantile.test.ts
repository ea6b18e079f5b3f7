import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalQuantile } from "./normal-quantile.js";

// Reference values: the standard tables (R qnorm, scipy.stats.norm.ppf), cross-checked by Newton
// refinement of the exact CDF (0.5 * erfc(-z / sqrt 2)) in double precision.
const KNOWN: ReadonlyArray<readonly [number, number]> = [
  [0.5, 0],
  [0.95, 1.6448536269514722],
  [0.975, 1.959963984540054],
  [0.99, 2.3263478740408408],
  [0.999, 3.090232306167813],
  [0.7, 0.5244005127080407],
  [0.92, 1.4050715603096329],
  [0.025, -1.959963984540054],
  [1e-10, -6.361340902404057],
  [1e-15, -7.941345326170997],
  [1e-20, -9.262340089798409],
  [1e-100, -21.273453560965326],
  [1e-300, -37.0470962993612],
];

describe("normalQuantile", () => {
  it.each(KNOWN)("quantile(%s) = %s to 1e-9 relative", (p, z) => {
    expect(Math.abs(normalQuantile(p) - z)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(z)));
  });

  it("is exactly 0 at the median", () => {
    expect(normalQuantile(0.5)).toBe(0);
  });

  it("handles the extreme upper tail 1 - 1e-10", () => {
    // 1 - 1e-10 is not exactly representable; the quantile of the representable neighbour is within 1e-6.
    expect(normalQuantile(1 - 1e-10)).toBeCloseTo(6.361340902404057, 5);
  });

  it("is antisymmetric around 0.5", () => {
    // p = k / 2^30 keeps 1 - p exact, so any asymmetry is the function's, not the subtraction's.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 29 }), (k) => {
        const p = k / 2 ** 30;
        expect(Math.abs(normalQuantile(p) + normalQuantile(1 - p))).toBeLessThanOrEqual(1e-12);
      }),
    );
  });

  it("is strictly increasing", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-300, max: 1, noNaN: true, maxExcluded: true }),
        fc.double({ min: 1e-300, max: 1, noNaN: true, maxExcluded: true }),
        (a, b) => {
          fc.pre(a !== b);
          const [lo, hi] = a < b ? [a, b] : [b, a];
          expect(normalQuantile(lo)).toBeLessThanOrEqual(normalQuantile(hi));
        },
      ),
    );
  });

  it.each([0, 1, -0.1, 1.5, Number.NaN])("rejects p = %s outside (0, 1)", (p) => {
    expect(() => normalQuantile(p)).toThrow(RangeError);
  });
});
