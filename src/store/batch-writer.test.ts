import { describe, expect, it } from "vitest";
import { storedOutcome } from "../../test/store/outcome-fixtures.js";
import { BatchWriter, type BatchWriterOptions, type WriteFailure, type WriterState } from "./batch-writer.js";
import { decodeRows, type EncodedRows } from "./encoded-rows.js";
import type { OutcomeRow } from "./outcome-rows.js";
import { createPseudonymizer } from "./pseudonymize.js";
import { backoffDelayMs, DEFAULT_RETRY } from "./retry-backoff.js";
import { WriterClosedError } from "./store-errors.js";
import type { Timers } from "./timers.js";

/** Time that moves only when the test says so. */
class ManualTimers implements Timers {
  private time = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.time + ms, callback });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** Runs every timer due within `ms`, in order, letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      const next = [...this.pending.entries()]
        .filter(([, t]) => t.at <= target)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      this.pending.delete(next[0]);
      this.time = next[1].at;
      next[1].callback();
      await settle();
    }
    this.time = target;
    await settle();
  }
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
const pseudonymizer = createPseudonymizer(new Uint8Array(32));
const outcome = (i: number) => storedOutcome({ correlationId: `c-${i}` });

interface FakeStore {
  batches: string[][];
  failNext: number;
  /** While set, inserts wait for it. */
  gate: Promise<void> | null;
}

function setup(options: Partial<BatchWriterOptions> = {}) {
  const timers = new ManualTimers();
  const store: FakeStore = { batches: [], failNext: 0, gate: null };
  const failures: WriteFailure[] = [];
  const states: WriterState[] = [];
  const writer = new BatchWriter(
    async (batch: readonly EncodedRows[]) => {
      if (store.gate) await store.gate;
      if (store.failNext > 0) {
        store.failNext--;
        throw new Error("connect ECONNREFUSED");
      }
      store.batches.push(
        batch.map((rows) => decodeRows<OutcomeRow>(rows.outcome)[0]?.correlation_id ?? "(facts)"),
      );
    },
    pseudonymizer,
    { maxRows: 3, maxDelayMs: 500, timers, random: () => 0.5, onRetry: (f) => failures.push(f), ...options },
  );
  writer.onStateChange((s) => states.push(s));
  return { timers, store, writer, failures, states };
}

function track(promise: Promise<void>): { state: "pending" | "resolved" | "rejected"; error?: unknown } {
  const t: { state: "pending" | "resolved" | "rejected"; error?: unknown } = { state: "pending" };
  promise.then(
    () => {
      t.state = "resolved";
    },
    (error: unknown) => {
      t.state = "rejected";
      t.error = error;
    },
  );
  return t;
}

describe("BatchWriter", () => {
  it("batches token lifecycle facts with the outcomes, resolving each once its batch is stored", async () => {
    const { timers, store, writer } = setup();
    const fact = {
      session: "hmac:s",
      side: "legacy" as const,
      event: "issued" as const,
      observedAtMs: 0,
      source: "t/0",
      cohort: "c",
      invalid: null,
      accessLifetimeSeconds: 60,
      refreshLifetimeSeconds: null,
      claims: {},
    };
    const writes = [track(writer.write(outcome(0))), track(writer.writeFact(fact))];
    await settle();
    expect(writes.map((w) => w.state)).toEqual(["pending", "pending"]);
    await timers.advance(500);
    expect(store.batches).toEqual([["c-0", "(facts)"]]);
    expect(writes.map((w) => w.state)).toEqual(["resolved", "resolved"]);
  });

  it("writes a batch as soon as it is full, and a partial one when its oldest outcome is due", async () => {
    const { timers, store, writer } = setup();
    const writes = [0, 1, 2, 3, 4, 5, 6].map((i) => track(writer.write(outcome(i))));
    await settle();
    expect(store.batches).toEqual([
      ["c-0", "c-1", "c-2"],
      ["c-3", "c-4", "c-5"],
    ]);
    expect(writes.map((w) => w.state)).toEqual([...Array(6).fill("resolved"), "pending"]);
    await timers.advance(499);
    expect(store.batches).toHaveLength(2);
    await timers.advance(1);
    expect(store.batches[2]).toEqual(["c-6"]);
    expect(writes[6]?.state).toBe("resolved");
  });

  it("resolves a write only once its batch is stored", async () => {
    const { store, writer } = setup({ maxRows: 1 });
    let open!: () => void;
    store.gate = new Promise((resolve) => {
      open = resolve;
    });
    const write = track(writer.write(outcome(1)));
    await settle();
    expect(write.state).toBe("pending");
    store.gate = null;
    open();
    await settle();
    expect(write.state).toBe("resolved");
    expect(store.batches).toEqual([["c-1"]]);
  });

  it("retries a failed batch with exponential backoff, pausing until the store recovers", async () => {
    const { timers, store, writer, failures, states } = setup();
    store.failNext = 3;
    const writes = [1, 2, 3].map((i) => track(writer.write(outcome(i))));
    await settle();
    expect(writer.healthy).toBe(false);
    expect(writer.paused).toBe(true);
    const delays = [1, 2, 3].map((attempt) => backoffDelayMs(attempt, DEFAULT_RETRY, () => 0.5));
    expect(delays).toEqual([150, 300, 600]);
    for (const [i, delay] of delays.entries()) {
      expect(failures.map((f) => [f.attempt, f.delayMs, f.rows])).toEqual(
        delays.slice(0, i + 1).map((d, k) => [k + 1, d, 3]),
      );
      await timers.advance(delay - 1);
      expect(failures).toHaveLength(i + 1); // not retried before its delay
      expect(writes.every((w) => w.state === "pending")).toBe(true);
      await timers.advance(1);
    }
    expect(store.batches).toEqual([["c-1", "c-2", "c-3"]]);
    expect(writes.every((w) => w.state === "resolved")).toBe(true);
    expect(states).toEqual([
      { healthy: false, paused: true },
      { healthy: true, paused: false },
    ]);
    expect(writer.stats()).toMatchObject({
      writtenRows: 3,
      failedAttempts: 3,
      lastError: "connect ECONNREFUSED",
    });
  });

  it("reports paused while more than maxQueuedRows wait, and resumes as they drain", async () => {
    const { store, writer, states } = setup({ maxRows: 2, maxQueuedRows: 4 });
    let open!: () => void;
    store.gate = new Promise((resolve) => {
      open = resolve;
    });
    const writes = [1, 2, 3, 4].map((i) => writer.write(outcome(i)));
    expect(writer.paused).toBe(true);
    expect(writer.healthy).toBe(true);
    store.gate = null;
    open();
    await Promise.all(writes);
    expect(writer.paused).toBe(false);
    expect(states).toEqual([
      { healthy: true, paused: true },
      { healthy: true, paused: false },
    ]);
  });

  it("says when a backlog has cleared, or that it has not within the time given", async () => {
    const { store, writer, timers } = setup({ maxRows: 2, maxQueuedRows: 4 });
    expect(await writer.whenCaughtUp(1_000)).toBe(true);
    let open!: () => void;
    store.gate = new Promise((resolve) => {
      open = resolve;
    });
    const writes = [1, 2, 3, 4].map((i) => writer.write(outcome(i)));
    const tooLong = writer.whenCaughtUp(100);
    await timers.advance(100);
    expect(await tooLong).toBe(false);
    const caughtUp = writer.whenCaughtUp(60_000);
    store.gate = null;
    open();
    await Promise.all(writes);
    expect(await caughtUp).toBe(true);
    expect(writer.paused).toBe(false);
  });

  it("stops waiting for a backlog as soon as the store fails", async () => {
    const { store, writer } = setup({ maxRows: 1, maxQueuedRows: 2 });
    store.failNext = 1;
    let open!: () => void;
    store.gate = new Promise((resolve) => {
      open = resolve;
    });
    void writer.write(outcome(1));
    void writer.write(outcome(2));
    const caughtUp = writer.whenCaughtUp(60_000);
    store.gate = null;
    open();
    expect(await caughtUp).toBe(false);
    expect(writer.healthy).toBe(false);
  });

  it("flush and close write a partial batch without waiting for its delay", async () => {
    const { store, writer } = setup();
    const first = writer.write(outcome(1));
    await writer.flush();
    await first;
    expect(store.batches).toEqual([["c-1"]]);
    const second = writer.write(outcome(2));
    await writer.close();
    await second;
    expect(store.batches).toEqual([["c-1"], ["c-2"]]);
    await expect(writer.write(outcome(3))).rejects.toThrow(WriterClosedError);
  });

  it("close keeps retrying until stored, unless its signal aborts: then unwritten outcomes are rejected", async () => {
    const { timers, store, writer } = setup();
    store.failNext = Number.POSITIVE_INFINITY;
    const writes = [1, 2, 3, 4].map((i) => track(writer.write(outcome(i))));
    const abort = new AbortController();
    const closed = writer.close(abort.signal);
    await timers.advance(60_000);
    expect(writes.every((w) => w.state === "pending")).toBe(true);
    abort.abort();
    await closed;
    await settle();
    expect(writes.map((w) => w.state)).toEqual(["rejected", "rejected", "rejected", "rejected"]);
    expect(writes[0]?.error).toBeInstanceOf(WriterClosedError);
    expect(store.batches).toEqual([]);
  });

  it("rejects an outcome it cannot map without queueing it", async () => {
    const { writer } = setup();
    await expect(writer.write({ ...outcome(1), observedAtMs: Number.NaN })).rejects.toThrow(RangeError);
    expect(writer.stats().queuedRows).toBe(0);
  });
});
