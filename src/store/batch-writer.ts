import type { SessionFact } from "../lifecycle/session-fact.js";
import { type EncodedRows, encodeRows } from "./encoded-rows.js";
import { NO_OUTCOME_ROWS, toOutcomeRows } from "./outcome-rows.js";
import type { Pseudonymizer } from "./pseudonymize.js";
import { backoffDelayMs, DEFAULT_RETRY, type RetryPolicy } from "./retry-backoff.js";
import { sessionFactRow } from "./session-lifecycle.js";
import { firstLine, WriterClosedError } from "./store-errors.js";
import type { StoredOutcome } from "./stored-outcome.js";
import { realTimers, type Timers } from "./timers.js";
import type { RowSink } from "./write-rows.js";

export interface BatchWriterOptions {
  /** A batch is written once it holds this many outcomes... */
  maxRows: number;
  /** ...or once its oldest outcome has waited this long. */
  maxDelayMs: number;
  /** Above this many unwritten outcomes the writer reports `paused`. Default 4 x maxRows. */
  maxQueuedRows?: number;
  retry?: Partial<RetryPolicy>;
  timers?: Timers;
  random?: () => number;
  /** Called after each failed attempt, before waiting `delayMs` to retry. */
  onRetry?: (failure: WriteFailure) => void;
}

export interface WriteFailure {
  error: unknown;
  /** Consecutive failed attempts for this batch. */
  attempt: number;
  delayMs: number;
  rows: number;
}

export interface WriterState {
  /** The last write attempt succeeded (true before any attempt). */
  healthy: boolean;
  /** Stop feeding: the store is failing or too much is waiting. Resumes by itself. */
  paused: boolean;
}

export interface WriterStats extends WriterState {
  queuedRows: number;
  inFlightRows: number;
  writtenRows: number;
  failedAttempts: number;
  lastError: string | null;
}

interface Entry {
  rows: EncodedRows;
  seq: number;
  enqueuedAt: number;
  resolve(): void;
  reject(error: unknown): void;
  settled: Promise<void>;
}

/**
 * Batches outcomes into size- and time-bounded inserts. `write` resolves only once its outcome is
 * durably stored, so a consumer commits an offset only after everything before it resolved. A
 * failed insert is retried with backoff until it succeeds: rows are never dropped. Only `close`
 * with an aborted signal gives up, rejecting what is unwritten (the caller must then not commit
 * it, and redelivery brings it back). One insert runs at a time.
 */
export class BatchWriter {
  private readonly queue: Entry[] = [];
  private inFlight: Entry[] = [];
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly retry: RetryPolicy;
  private readonly maxQueuedRows: number;
  private readonly listeners = new Set<(state: WriterState) => void>();
  private seq = 0;
  /** Entries up to this sequence number are written without waiting for their batch to fill. */
  private flushThrough = 0;
  private running = false;
  private timer: unknown = null;
  private closing = false;
  private aborted = false;
  private wakeRetry: (() => void) | null = null;
  private state: WriterState = { healthy: true, paused: false };
  private writtenRows = 0;
  private failedAttempts = 0;
  private lastError: string | null = null;

  constructor(
    private readonly sink: RowSink,
    private readonly pseudonymizer: Pseudonymizer,
    private readonly options: BatchWriterOptions,
  ) {
    if (!Number.isInteger(options.maxRows) || options.maxRows < 1)
      throw new RangeError("maxRows must be a positive integer");
    if (!(options.maxDelayMs >= 0)) throw new RangeError("maxDelayMs must be >= 0");
    this.timers = options.timers ?? realTimers;
    this.random = options.random ?? Math.random;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.maxQueuedRows = options.maxQueuedRows ?? options.maxRows * 4;
  }

  get healthy(): boolean {
    return this.state.healthy;
  }

  get paused(): boolean {
    return this.state.paused;
  }

  stats(): WriterStats {
    return {
      ...this.state,
      queuedRows: this.queue.length,
      inFlightRows: this.inFlight.length,
      writtenRows: this.writtenRows,
      failedAttempts: this.failedAttempts,
      lastError: this.lastError,
    };
  }

  /**
   * Resolves once the writer is no longer paused (true), or after `maxMs` or as soon as the store
   * fails (false: still paused). A backlog of a healthy store is usually gone within one insert: a
   * caller that waits here rather than stopping its source resumes the moment the backlog clears.
   */
  whenCaughtUp(maxMs: number): Promise<boolean> {
    if (!this.state.paused) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (caughtUp: boolean) => {
        this.timers.clearTimeout(timer);
        unsubscribe();
        resolve(caughtUp);
      };
      const timer = this.timers.setTimeout(() => done(false), maxMs);
      const unsubscribe = this.onStateChange((state) => {
        if (!state.paused || !state.healthy) done(!state.paused);
      });
    });
  }

  /** Calls `listener` whenever `healthy` or `paused` changes; returns the unsubscribe function. */
  onStateChange(listener: (state: WriterState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when the outcome is durably stored. Raw ids are pseudonymized here, before queueing. */
  write(outcome: StoredOutcome): Promise<void> {
    if (this.closing) return Promise.reject(new WriterClosedError("the store writer is closed"));
    let rows: EncodedRows;
    try {
      rows = encodeRows(toOutcomeRows(outcome, this.pseudonymizer));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.writeRows(rows);
  }

  /**
   * Resolves when the rows are durably stored: an outcome already turned into rows (pseudonymized)
   * where it was made, e.g. in a differ worker.
   */
  writeRows(rows: EncodedRows): Promise<void> {
    if (this.closing) return Promise.reject(new WriterClosedError("the store writer is closed"));
    const entry = this.enqueue(rows);
    this.updateState();
    this.schedule();
    return entry.settled;
  }

  /** Resolves when the token lifecycle fact is stored; batched and retried like the outcomes. */
  writeFact(fact: SessionFact): Promise<void> {
    return this.writeRows(encodeRows({ ...NO_OUTCOME_ROWS, facts: [sessionFactRow(fact)] }));
  }

  /** Resolves when everything written so far is stored (or rejects as its writes do). */
  async flush(): Promise<void> {
    const pending = [...this.inFlight, ...this.queue];
    this.flushThrough = this.seq;
    this.schedule();
    await Promise.all(pending.map((e) => e.settled));
  }

  /**
   * Stops accepting writes and stores what is queued, retrying as long as it takes. When `signal`
   * aborts first, the unwritten outcomes are rejected with WriterClosedError.
   */
  async close(signal?: AbortSignal): Promise<void> {
    this.closing = true;
    const onAbort = () => this.abort();
    if (signal?.aborted) this.abort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    const pending = [...this.inFlight, ...this.queue];
    this.flushThrough = this.seq;
    this.schedule();
    await Promise.allSettled(pending.map((e) => e.settled));
    signal?.removeEventListener("abort", onAbort);
    this.clearTimer();
  }

  private enqueue(rows: EncodedRows): Entry {
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const settled = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const entry: Entry = { rows, seq: ++this.seq, enqueuedAt: this.timers.now(), resolve, reject, settled };
    this.queue.push(entry);
    return entry;
  }

  /** Starts a write now if one is due, or sets the timer for when the oldest entry will be. */
  private schedule(): void {
    if (this.running) return;
    const oldest = this.queue[0];
    if (!oldest) {
      this.clearTimer();
      return;
    }
    if (this.isDue(oldest)) {
      this.clearTimer();
      void this.run();
      return;
    }
    if (this.timer === null) {
      const wait = Math.max(0, oldest.enqueuedAt + this.options.maxDelayMs - this.timers.now());
      this.timer = this.timers.setTimeout(() => {
        this.timer = null;
        this.schedule();
      }, wait);
    }
  }

  private isDue(oldest: Entry): boolean {
    return (
      this.queue.length >= this.options.maxRows ||
      oldest.seq <= this.flushThrough ||
      this.timers.now() - oldest.enqueuedAt >= this.options.maxDelayMs
    );
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      for (let oldest = this.queue[0]; oldest && this.isDue(oldest); oldest = this.queue[0]) {
        if (this.aborted) {
          this.rejectAll([]);
          break;
        }
        this.inFlight = this.queue.splice(0, this.options.maxRows);
        await this.writeBatch(this.inFlight);
        this.inFlight = [];
        this.updateState();
      }
    } finally {
      this.running = false;
    }
    this.schedule();
  }

  /** Retries until stored; only an abort during close ends it without storing. */
  private async writeBatch(batch: Entry[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.sink(batch.map((e) => e.rows));
        this.writtenRows += batch.length;
        this.setState(true);
        for (const e of batch) e.resolve();
        return;
      } catch (error) {
        this.failedAttempts++;
        this.lastError = firstLine(error);
        this.setState(false);
        if (this.aborted) {
          this.rejectAll(batch);
          return;
        }
        const delayMs = backoffDelayMs(attempt, this.retry, this.random);
        this.options.onRetry?.({ error, attempt, delayMs, rows: batch.length });
        await this.sleep(delayMs);
        if (this.aborted) {
          this.rejectAll(batch);
          return;
        }
      }
    }
  }

  private abort(): void {
    this.aborted = true;
    this.wakeRetry?.();
    if (!this.running) this.rejectAll([]);
  }

  private rejectAll(batch: Entry[]): void {
    const unwritten = [...batch, ...this.queue.splice(0)];
    const error = new WriterClosedError(
      `the store writer was closed with ${unwritten.length} outcome(s) not stored (last error: ${this.lastError ?? "none"})`,
    );
    for (const e of unwritten) e.reject(error);
    this.updateState();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = this.timers.setTimeout(() => {
        this.wakeRetry = null;
        resolve();
      }, ms);
      this.wakeRetry = () => {
        this.timers.clearTimeout(handle);
        this.wakeRetry = null;
        resolve();
      };
    });
  }

  private updateState(): void {
    this.setState(this.state.healthy);
  }

  /** `paused` follows health and backlog; listeners hear only changes. */
  private setState(healthy: boolean): void {
    const backlog = this.queue.length + this.inFlight.length;
    const next: WriterState = { healthy, paused: !healthy || backlog >= this.maxQueuedRows };
    if (next.healthy === this.state.healthy && next.paused === this.state.paused) return;
    this.state = next;
    for (const listener of this.listeners) listener(next);
  }

  private clearTimer(): void {
    if (this.timer === null) return;
    this.timers.clearTimeout(this.timer);
    this.timer = null;
  }
}
