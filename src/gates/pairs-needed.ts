import { normalQuantile } from "./normal-quantile.js";
import { wilsonUpperBoundOfRate } from "./wilson.js";

/** Beyond 2^40 pairs the answer is no longer useful advice. */
const LIMIT = 2 ** 40;

/**
 * The smallest number of pairs at which a mismatch rate of `rate`, if it held, would have its
 * one-sided Wilson upper bound at `confidence` within `maxRate`. Null when no sample size can get
 * there: the bound always lies above the observed rate, so a rate at or above the maximum never passes.
 */
export function pairsNeededToPass(rate: number, maxRate: number, confidence: number): number | null {
  if (rate >= maxRate) return null;
  const z = normalQuantile(confidence);
  const passes = (n: number) => wilsonUpperBoundOfRate(rate, n, z) <= maxRate;
  let high = 1;
  while (!passes(high)) {
    if (high >= LIMIT) return null;
    high *= 2;
  }
  // The bound decreases in n at a fixed rate, so binary search finds the first passing n.
  let low = Math.floor(high / 2);
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (passes(mid)) high = mid;
    else low = mid;
  }
  return high;
}
