export interface RetryPolicy {
  /** Wait before the first retry. */
  initialDelayMs: number;
  /** No wait is longer than this. */
  maxDelayMs: number;
  multiplier: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialDelayMs: 200, maxDelayMs: 30_000, multiplier: 2 };

/**
 * Exponential backoff with "equal jitter": half the capped delay is fixed, half random. Writers
 * that failed together do not retry in lockstep, and no wait collapses to zero.
 * `failures` counts the failed attempts so far (1 after the first failure).
 */
export function backoffDelayMs(
  failures: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, failures - 1);
  const capped = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** exponent);
  return Math.round(capped / 2 + (capped / 2) * random());
}
