import { EvaluationEndedWorker } from "./evaluator.js";

/**
 * A pair blamed this many times for ending its worker thread is judged without the new policy
 * (then `policy_error`): a Wasm evaluation that never ends or exhausts the thread's memory is by
 * far the likeliest cause, and the pair stays in its cohort's gate as a mismatch.
 */
export const LOSSES_BEFORE_SKIPPING_POLICY = 2;
/** A pair still blamed with the policy skipped is set aside: nothing else about it can be judged. */
export const PAIR_LOSSES_BEFORE_SETTING_ASIDE = 3;
/** An unpaired event asks no policy: it is set aside at its second loss. */
export const UNPAIRED_LOSSES_BEFORE_SETTING_ASIDE = 2;

const times = (n: number) => (n === 2 ? "twice" : `${n} times`);

/**
 * How often judging one pair (or one unpaired event) ended the worker thread it ran on. Counted
 * across the pipeline's retries of that work, and only when the pool blamed this job: the jobs
 * that merely waited behind it in the same thread are retried as before, without a mark. A loss
 * can be bad luck once (another job's allocations exhausted the memory), never three times in a
 * row on different threads.
 */
export class WorkerLosses {
  private count = 0;
  private latest = "";

  constructor(private readonly setAsideAt: number) {}

  /** The diff's result; a rejection blaming this job is counted before it propagates. */
  async counting<T>(diff: Promise<T>): Promise<T> {
    try {
      return await diff;
    } catch (error) {
      if (error instanceof EvaluationEndedWorker) {
        this.count++;
        this.latest = error.message;
      }
      throw error;
    }
  }

  /** Why the next try judges the pair without the new policy; undefined while it may ask it. */
  get skipPolicy(): string | undefined {
    if (this.count < LOSSES_BEFORE_SKIPPING_POLICY) return undefined;
    return `evaluating it ended its differ worker ${times(this.count)} (the latest: ${this.latest}); the policy was not asked again`;
  }

  /** Why the work is set aside (dead-lettered, not retried); undefined while it is retried. */
  get setAside(): string | undefined {
    if (this.count < this.setAsideAt) return undefined;
    return `set aside, not retried: judging it ended its differ worker ${times(this.count)} (the latest: ${this.latest}); its partition goes on without it`;
  }
}
