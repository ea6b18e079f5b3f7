import type { Clock } from "./clock.js";

/** A clock that stands still until someone sleeps: sleeping moves it on at once. */
export class FakeClock implements Clock {
  slept = 0;

  constructor(public nowMs = Date.parse("2026-05-01T10:00:00.000Z")) {}

  now(): number {
    return this.nowMs;
  }

  async sleep(ms: number): Promise<void> {
    if (ms <= 0) return;
    this.nowMs += ms;
    this.slept += ms;
  }
}
