import type { Clock } from "./clock.js";

/**
 * Paces a stream to a rate on a fixed schedule: event number k (1-based) is due k / rate seconds
 * after the start. A token bucket refilled at the rate, whose burst is the batch at hand; a sender
 * that fell behind (a GC pause, a slow send) goes on without waiting until it is back on schedule,
 * so the average rate, and with it the alignment of event time with wall time, holds.
 */
export class RatePacer {
  readonly startMs: number;

  /** `startMs`: when the schedule starts (wall clock); now by default, or later to start then. */
  constructor(
    readonly eventsPerSecond: number,
    private readonly clock: Clock,
    startMs?: number,
  ) {
    if (!Number.isFinite(eventsPerSecond) || eventsPerSecond <= 0)
      throw new RangeError(
        `the rate must be a positive number of events per second (got ${eventsPerSecond})`,
      );
    this.startMs = startMs ?? clock.now();
  }

  /** When event number `count` is due (wall clock, ms). */
  dueAt(count: number): number {
    return this.startMs + (count * 1000) / this.eventsPerSecond;
  }

  /** Waits until event number `count` is due; at once when it already is. */
  async waitFor(count: number, signal?: AbortSignal): Promise<void> {
    await this.clock.sleep(this.dueAt(count) - this.clock.now(), signal);
  }
}
