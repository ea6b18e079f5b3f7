import { normalQuantile } from "./normal-quantile.js";

/**
 * One-sided Wilson score upper bound of a binomial proportion: the largest rate p for which
 * observing `successes` or fewer in `n` trials is still plausible at `confidence`.
 *
 * One-sided because a gate only asks "is the rate at most the threshold?"; a two-sided interval
 * would spend half of the error budget on a lower bound nobody reads and so be needlessly wide.
 * Hence z = quantile(confidence), not quantile((1 + confidence) / 2).
 *
 * With no trials nothing is known, so the bound is 1.
 */
export function wilsonUpperBound(successes: number, n: number, confidence: number): number {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`wilsonUpperBound: n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(successes) || successes < 0 || successes > n) {
    throw new RangeError(`wilsonUpperBound: successes must be an integer in [0, ${n}], got ${successes}`);
  }
  if (n === 0) return 1;
  return wilsonUpperBoundOfRate(successes / n, n, normalQuantile(confidence));
}

/**
 * The same bound for an observed rate `rate` (not necessarily k/n for an integer k) at a given z;
 * used to ask how many trials a rate would need.
 */
export function wilsonUpperBoundOfRate(rate: number, n: number, z: number): number {
  if (n <= 0) return 1;
  // p = 1 makes the bound exactly 1; short-circuit so rounding cannot produce 0.9999999999999999.
  if (rate >= 1) return 1;
  const z2n = (z * z) / n;
  const centre = rate + z2n / 2;
  const spread = z * Math.sqrt((rate * (1 - rate)) / n + z2n / (4 * n));
  const bound = (centre + spread) / (1 + z2n);
  // Rounding must never put the bound below the point estimate or above 1.
  return Math.min(1, Math.max(rate, bound));
}
