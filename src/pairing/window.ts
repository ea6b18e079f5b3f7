import { SIDES, type Side } from "../contracts/index.js";
import { MinHeap } from "./min-heap.js";

/** One mirrored event as the window sees it; `payload` is whatever the caller pairs (opaque here). */
export interface WindowedEvent<T> {
  side: Side;
  correlationId: string;
  observedAtMs: number;
  /** Identifies the event's exact content (a hash of the raw bytes): equal fingerprints are redeliveries. */
  fingerprint: string;
  payload: T;
}

export type UnpairedCause = "window_closed" | "capacity" | "end_of_input" | "late";

export type PairingOutput<T> =
  | { type: "pair"; legacy: WindowedEvent<T>; new: WindowedEvent<T> }
  | { type: "unpaired"; event: WindowedEvent<T>; cause: UnpairedCause }
  /** The same event again (at-least-once delivery): counted once, nothing else to do. */
  | { type: "duplicate"; event: WindowedEvent<T> }
  /** A different event for a side already seen under this correlation id: a data error; the first is kept. */
  | { type: "conflict"; event: WindowedEvent<T> };

export interface WindowOptions {
  /** How far apart (event time) the two sides of one request may be. */
  windowMs: number;
  /** Most events waiting for a partner; past it the oldest are given up as unpaired (cause capacity). */
  maxPending: number;
  /**
   * When true, `add` does not move event time: the caller does, with `advance` or `advanceSides`.
   * Streams that read the two sides from different partitions use it: a side's waiting events are
   * given up by how far its partners' stream has got, not by its own.
   */
  externalEventTime?: boolean;
}

interface Pending<T> {
  event: WindowedEvent<T>;
  /** Arrival order across both sides: equal event times are given up in the order they came. */
  seq: number;
}

/** What is remembered of a correlation id after it closed, to recognise redeliveries and late partners. */
interface Closed {
  fingerprints: Partial<Record<Side, string>>;
  forgetAtMs: number;
}

/**
 * Pairs the legacy and new mirror of one request in an event-time window.
 *
 * The watermark is the latest event time seen minus the window: an event still waiting when the
 * watermark passes its own time is emitted as unpaired. Memory is bounded by `maxPending` waiting
 * events plus as many closed correlation ids, which are kept one more window to catch redeliveries
 * and late partners (docs/pairing.md).
 */
export class PairingWindow<T> {
  private readonly pending = new Map<string, Pending<T>>();
  /** Per side, its waiting events by event time (each side's events expire by its partners' time). */
  private readonly expiry: Record<Side, MinHeap<Pending<T>>> = { legacy: new MinHeap(), new: new MinHeap() };
  private readonly closed = new Map<string, Closed>();
  private maxObservedMs = Number.NEGATIVE_INFINITY;
  /** Per side, how far the stream of its partners has got (event time). */
  private readonly partnersAtMs: Record<Side, number> = {
    legacy: Number.NEGATIVE_INFINITY,
    new: Number.NEGATIVE_INFINITY,
  };
  private readonly waitingBySide: Record<Side, number> = { legacy: 0, new: 0 };
  private arrivals = 0;

  constructor(private readonly options: WindowOptions) {
    if (!(options.windowMs > 0)) throw new RangeError("windowMs must be positive");
    if (!(options.maxPending >= 1)) throw new RangeError("maxPending must be at least 1");
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Waiting events per side: a streaming caller pauses the side that runs ahead of its partners. */
  get pendingBySide(): Readonly<Record<Side, number>> {
    return this.waitingBySide;
  }

  /** True when the next event may push the oldest waiting event out (streaming callers pause instead). */
  get isFull(): boolean {
    return this.pending.size >= this.options.maxPending;
  }

  /** Event time below which waiting events are given up. */
  get watermarkMs(): number {
    return this.maxObservedMs - this.options.windowMs;
  }

  add(event: WindowedEvent<T>): PairingOutput<T>[] {
    const out: PairingOutput<T>[] = [];
    this.accept(event, out);
    if (!this.options.externalEventTime) this.advanceTo(event.observedAtMs, out);
    return out;
  }

  /** Moves event time forward without an event (e.g. an idle stream's wall clock). */
  advance(observedAtMs: number): PairingOutput<T>[] {
    return this.advanceSides({ legacy: observedAtMs, new: observedAtMs });
  }

  /**
   * Moves event time per side: `partnersAt[side]` is how far (event time) the stream that would
   * deliver the partners of `side`'s waiting events has got. Those older than it by more than the
   * window are given up: their partners would have come by now.
   */
  advanceSides(partnersAt: Readonly<Record<Side, number>>): PairingOutput<T>[] {
    const out: PairingOutput<T>[] = [];
    this.advanceTo(partnersAt, out);
    return out;
  }

  /** The events waiting for a partner, in no particular order (a caller dropping the window). */
  waiting(): WindowedEvent<T>[] {
    return [...this.pending.values()].map((p) => p.event);
  }

  /** End of input: everything still waiting is unpaired. */
  flush(): PairingOutput<T>[] {
    const out: PairingOutput<T>[] = [];
    for (let oldest = this.oldestWaiting(); oldest; oldest = this.oldestWaiting()) {
      this.expire(oldest, "end_of_input", out);
    }
    return out;
  }

  private accept(event: WindowedEvent<T>, out: PairingOutput<T>[]): void {
    const waiting = this.pending.get(event.correlationId);
    if (waiting) {
      const first = waiting.event;
      if (first.side === event.side) {
        out.push(sameSide(event, first));
        return;
      }
      this.pending.delete(event.correlationId);
      this.waitingBySide[first.side]--;
      this.remember(first, event);
      out.push(
        event.side === "new"
          ? { type: "pair", legacy: first, new: event }
          : { type: "pair", legacy: event, new: first },
      );
      return;
    }
    const closed = this.closed.get(event.correlationId);
    if (closed) {
      const seen = closed.fingerprints[event.side];
      if (seen !== undefined) {
        out.push(seen === event.fingerprint ? { type: "duplicate", event } : { type: "conflict", event });
        return;
      }
      // The partner was already given up as unpaired: this half is unpaired too, marked late.
      closed.fingerprints[event.side] = event.fingerprint;
      out.push({ type: "unpaired", event, cause: "late" });
      return;
    }
    const entry = { event, seq: this.arrivals++ };
    this.pending.set(event.correlationId, entry);
    this.waitingBySide[event.side]++;
    this.expiry[event.side].push(event.observedAtMs, entry);
    while (this.pending.size > this.options.maxPending) {
      const oldest = this.oldestWaiting();
      if (!oldest) break;
      this.expire(oldest, "capacity", out);
    }
  }

  private advanceTo(at: number | Readonly<Record<Side, number>>, out: PairingOutput<T>[]): void {
    const to = typeof at === "number" ? { legacy: at, new: at } : at;
    // Event time never goes back: a stream's time that falls (a silent side heard again) keeps
    // what it reached.
    const partnersAt = this.partnersAtMs;
    for (const side of SIDES) partnersAt[side] = Math.max(partnersAt[side], to[side]);
    this.maxObservedMs = Math.max(this.maxObservedMs, partnersAt.legacy, partnersAt.new);
    // One merged walk in event time (then arrival) order, whichever side each event is on.
    const due = (side: Side) => {
      const oldest = this.oldestOf(side);
      return oldest && oldest.event.observedAtMs < partnersAt[side] - this.options.windowMs
        ? oldest
        : undefined;
    };
    for (let next = earlier(due("legacy"), due("new")); next; next = earlier(due("legacy"), due("new"))) {
      this.expire(next, "window_closed", out);
    }
    // Closed ids are kept until both sides' streams are a window past them.
    const watermark = Math.min(partnersAt.legacy, partnersAt.new) - this.options.windowMs;
    for (const [id, closed] of this.closed) {
      if (closed.forgetAtMs >= watermark && this.closed.size <= this.options.maxPending) break;
      this.closed.delete(id);
    }
  }

  /** The oldest event still waiting, of either side. */
  private oldestWaiting(): Pending<T> | undefined {
    return earlier(this.oldestOf("legacy"), this.oldestOf("new"));
  }

  /** A side's oldest event still waiting; heap entries of events that paired meanwhile are dropped lazily. */
  private oldestOf(side: Side): Pending<T> | undefined {
    const heap = this.expiry[side];
    for (let top = heap.peek(); top; top = heap.peek()) {
      if (this.pending.get(top.event.correlationId) === top) return top;
      heap.pop();
    }
    return undefined;
  }

  /** Gives up a side's oldest waiting event (the top of its heap, as `oldestOf` left it). */
  private expire(entry: Pending<T>, cause: UnpairedCause, out: PairingOutput<T>[]): void {
    this.expiry[entry.event.side].pop();
    this.pending.delete(entry.event.correlationId);
    this.waitingBySide[entry.event.side]--;
    this.remember(entry.event);
    out.push({ type: "unpaired", event: entry.event, cause });
  }

  private remember(first: WindowedEvent<T>, second?: WindowedEvent<T>): void {
    const fingerprints: Partial<Record<Side, string>> = { [first.side]: first.fingerprint };
    if (second) fingerprints[second.side] = second.fingerprint;
    // Kept until the watermark passes the latest event time seen now: about one window after closing.
    // That time only rises, so the Map's insertion order is its expiry order.
    const forgetAtMs = Math.max(this.maxObservedMs, first.observedAtMs);
    this.closed.delete(first.correlationId);
    this.closed.set(first.correlationId, { fingerprints, forgetAtMs });
  }
}

/** The one given up first: the earlier event time, then the earlier arrival. */
function earlier<T>(a: Pending<T> | undefined, b: Pending<T> | undefined): Pending<T> | undefined {
  if (!a || !b) return a ?? b;
  const byTime = a.event.observedAtMs - b.event.observedAtMs;
  return byTime < 0 || (byTime === 0 && a.seq < b.seq) ? a : b;
}

function sameSide<T>(event: WindowedEvent<T>, first: WindowedEvent<T>): PairingOutput<T> {
  return event.fingerprint === first.fingerprint ? { type: "duplicate", event } : { type: "conflict", event };
}
