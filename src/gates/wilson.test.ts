import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { wilsonUpperBound } from "./wilson.js";

// Reference values computed independently with 40-digit decimal arithmetic from
// (p + z²/2n + z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), z the one-sided normal quantile.
const KNOWN: ReadonlyArray<readonly [number, number, number, number]> = [
  // successes, n, confidence, bound
  [0, 100, 0.95, 0.026342720783174324], // = z² / (n + z²) when no successes
  [0, 3000, 0.95, 0.0009010352213834298],
  [0, 1, 0.95, 0.7301340512159458],
  [5, 1000, 0.95, 0.010235331506720881],
  [12, 2850, 0.95, 0.006729545338702116],
  [2, 600, 0.95, 0.010022047131321198],
  [10, 1000, 0.975, 0.01830946887031477],
  [3, 10, 0.99, 0.6507187305128403],
];

describe("wilsonUpperBound", () => {
  it.each(KNOWN)("x=%s n=%s c=%s → %s", (x, n, c, bound) => {
    expect(wilsonUpperBound(x, n, c)).toBeCloseTo(bound, 12);
  });

  it("is one-sided: at 95% it equals the two-sided 90% interval's upper end, not the 95% one", () => {
    // Two-sided 95% would use z = 1.96 and give 0.036994 for 0/100.
    const twoSided95 = 1.959963984540054 ** 2 / (100 + 1.959963984540054 ** 2);
    expect(twoSided95).toBeCloseTo(0.0369935, 6);
    expect(wilsonUpperBound(0, 100, 0.95)).toBeLessThan(twoSided95);
  });

  it("is 1 when every trial succeeded and when there are no trials", () => {
    expect(wilsonUpperBound(50, 50, 0.95)).toBe(1);
    expect(wilsonUpperBound(1, 1, 0.9)).toBe(1);
    expect(wilsonUpperBound(0, 0, 0.95)).toBe(1);
  });

  it.each([
    [-1, 10, 0.95],
    [11, 10, 0.95],
    [1.5, 10, 0.95],
    [0, -1, 0.95],
    [0, 2.5, 0.95],
    [1, 10, 1],
    [1, 10, 0],
  ])("rejects x=%s n=%s c=%s", (x, n, c) => {
    expect(() => wilsonUpperBound(x, n, c)).toThrow(RangeError);
  });

  const trials = fc
    .integer({ min: 1, max: 1_000_000 })
    .chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)));
  // Near 0.5 z tends to 0 and every bound collapses onto p̂, below double precision; gates use 0.8+.
  const confidence = fc.double({ min: 0.6, max: 0.9999, noNaN: true });

  it("lies in [p̂, 1]", () => {
    fc.assert(
      fc.property(trials, confidence, ([x, n], c) => {
        const bound = wilsonUpperBound(x, n, c);
        expect(bound).toBeGreaterThanOrEqual(x / n);
        expect(bound).toBeLessThanOrEqual(1);
      }),
    );
  });

  it("shrinks as n grows at a fixed observed rate", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 2, max: 50 }),
        confidence,
        (a, b, factor, c) => {
          const [x, n] = a <= b ? [a, b] : [b, a];
          fc.pre(x < n); // at p̂ = 1 the bound is 1 whatever n is
          expect(wilsonUpperBound(x * factor, n * factor, c)).toBeLessThan(wilsonUpperBound(x, n, c));
        },
      ),
    );
  });

  it("grows with the confidence", () => {
    fc.assert(
      fc.property(trials, confidence, confidence, ([x, n], c1, c2) => {
        fc.pre(x < n && Math.abs(c1 - c2) > 1e-3);
        const [lo, hi] = c1 < c2 ? [c1, c2] : [c2, c1];
        expect(wilsonUpperBound(x, n, lo)).toBeLessThan(wilsonUpperBound(x, n, hi));
      }),
    );
  });
});
