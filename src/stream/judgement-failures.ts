import type { PairOptions } from "../diff/pair-differ.js";
import { JudgementFailed } from "./evaluator.js";

/** A pair whose judgement failed this many times is set aside (dead-lettered). */
export const PAIR_FAILURES_BEFORE_SETTING_ASIDE = 3;
/** An unpaired event's judgement asks no policy: it is set aside at its second failure. */
export const UNPAIRED_FAILURES_BEFORE_SETTING_ASIDE = 2;

const times = (n: number) => (n === 1 ? "once" : n === 2 ? "twice" : `${n} times`);

/**
 * How often judging one pair (or one unpaired event) failed in a way that depends on it: its
 * worker thread ended while judging it, or the judgement threw (JudgementFailed). Counted across
 * the pipeline's retries of that work; the jobs that merely waited in the same thread, and
 * failures of the verification or of the store, are retried as before. Each failure narrows the
 * next try to what is likelier to pass: after the first, only the request's own two decisions
 * (the root cause, the latent matrix and the impact facts evaluate both models again, on inputs
 * of their own); after the second, no new policy at all (`policy_error`: a Wasm evaluation that
 * never ends or exhausts memory is by far the likeliest cause, and the pair stays in its
 * cohort's gate as a mismatch); after the third, the pair is set aside. The counts live in this
 * process: after a restart or a rebalance, a pair read again starts over.
 */
export class JudgementFailures {
  private count = 0;
  private latest = "";

  constructor(private readonly setAsideAt: number) {}

  /** The diff's result; a rejection blaming this job's judgement is counted before it propagates. */
  async counting<T>(diff: Promise<T>): Promise<T> {
    try {
      return await diff;
    } catch (error) {
      if (error instanceof JudgementFailed) {
        this.count++;
        this.latest = error.message;
      }
      throw error;
    }
  }

  /** How much of the pair's diff the next try runs. */
  get options(): PairOptions {
    if (this.count === 0) return {};
    if (this.count === 1) return { onlyDecisions: true };
    return {
      skipPolicy: `judging it failed ${times(this.count)} (the latest: ${this.latest}); the policy was not asked again`,
    };
  }

  /** Why the work is set aside (dead-lettered, not retried); undefined while it is retried. */
  get setAside(): string | undefined {
    if (this.count < this.setAsideAt) return undefined;
    return `set aside, not retried: judging it failed ${times(this.count)} (the latest: ${this.latest}); its partition goes on without it`;
  }
}
