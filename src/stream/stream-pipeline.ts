import type { AuthzEvent, Side } from "../contracts/index.js";
import type { ObservedEvent } from "../diff/pair-outcome.js";
import type {
  DeadLetterSink,
  MirrorBatch,
  MirrorMessage,
  PartitionLag,
} from "../ingest/kafka/mirror-consumer.js";
import type { ObservedTokenEvent, TokenEventObserver } from "../lifecycle/observe-token-event.js";
import type { SessionFact } from "../lifecycle/session-fact.js";
import {
  type PairingOutput,
  PairingWindow,
  type UnpairedCause,
  type WindowOptions,
} from "../pairing/window.js";
import type { EncodedRows } from "../store/encoded-rows.js";
import { type SetAsideEvent, setAsideRows } from "../store/set-aside-pairs.js";
import type { DecodedLine, Evaluator, EventHandle } from "./evaluator.js";
import {
  JudgementFailures,
  PAIR_FAILURES_BEFORE_SETTING_ASIDE,
  UNPAIRED_FAILURES_BEFORE_SETTING_ASIDE,
} from "./judgement-failures.js";
import { OffsetTracker, type TopicPartition } from "./offset-tracker.js";
import type { MadeOutcome, OutcomeSummary } from "./outcome-maker.js";

/** Where an event came from: a Kafka message (its offset must be resolved) or an HTTP request. */
export type EventOrigin = MirrorMessage | null;

/** An event waiting in a window: what pairing needs, and a handle to the parsed event. */
export interface PendingEvent {
  side: Side;
  correlationId: string;
  observedAtMs: number;
  handle: EventHandle;
  origin: EventOrigin;
  /**
   * Over HTTP only: the envelope as validated. Nothing else keeps an HTTP event, so the envelope
   * is what goes to the dead-letter topic if the event is set aside (a reference: no copy).
   */
  envelope?: AuthzEvent;
}

/** The durable side of the pipeline: `writeRows` resolves once the outcome's rows are stored. */
export interface OutcomeSink {
  writeRows(rows: EncodedRows): Promise<void>;
  readonly paused: boolean;
}

/** Which of these correlation ids already have a stored pair (a replay after a crash or rebalance). */
export type PairedLookup = (
  probes: { correlationId: string; observedAtMs: number }[],
) => Promise<Set<string>>;

export interface StreamPipelineOptions {
  /** Decodes lines, and diffs pairs and unpaired events into the rows to store (here or in workers). */
  evaluator: Evaluator;
  sink: OutcomeSink;
  deadLetters: DeadLetterSink;
  window: WindowOptions;
  /** The topic of each side (the same one for both is fine): the stream that delivers its events. */
  topics: Readonly<Record<Side, string>>;
  pairedAlready: PairedLookup;
  /** Wall clock, for windows of partitions that went quiet. */
  now?: () => number;
  onOutcome?: (outcome: OutcomeSummary) => void;
  /** A valid event taken into a window. */
  onAccepted?: (side: Side) => void;
  /**
   * Seconds one pair took from its pairing to its encoded rows: verification, both evaluations,
   * classification, rows, and with workers the queueing and the round trip.
   */
  onPairDiffed?: (seconds: number) => void;
  onRejected?: (reason: string, origin: EventOrigin, category: RejectCategory) => void;
  onError?: (error: unknown) => void;
  /**
   * Token lifecycle events (docs/lifecycle.md): each becomes a session fact, stored before its
   * offset resolves. Without it such an event is a dead letter. `store` must take facts in the
   * order it is called (the service's writer queues them synchronously): the pipeline calls it in
   * each source's arrival order, which the session sweep's completeness rule relies on.
   */
  lifecycle?: { observe: TokenEventObserver; store(fact: SessionFact): Promise<void> };
}

/** Why an event was not evaluated, as a metric label (the reason text has the details). */
export type RejectCategory =
  | "not_json"
  | "invalid_envelope"
  | "far_future"
  | "conflicting_duplicate"
  /** Judging it ended its worker thread again and again (stream/judgement-failures.ts). */
  | "set_aside";

/**
 * How far one stream into a window (a topic's partition, or HTTP) has got: its latest event time,
 * when (wall clock) it last delivered, and whether it had nothing left unread at the latest
 * reading of its high watermark (a fetched batch, or the lag probe). A stream that had may hold
 * unread events: its silence is a slow fetch, not quiet gateways.
 */
interface StreamProgress {
  maxEventMs: number;
  lastArrivalWallMs: number;
  caughtUp: boolean;
  /** When (wall clock) the latest lag probe that found nothing unread was taken. */
  confirmedAtWallMs: number;
  /** The next offset after what was delivered (Kafka); -1 before the first batch ends. */
  position: number;
  /** When (wall clock) a full window last held this stream back. */
  heldAtWallMs: number;
}

/** The latest lag probe of a partition: what the group has yet to commit, and when it was read. */
interface ProbedLag {
  lag: number;
  highWatermark: number;
  atWallMs: number;
}

interface PartitionWindow {
  window: PairingWindow<PendingEvent>;
  createdWallMs: number;
  /** Which stream delivers each side: the side's topic, or its gateways' HTTP requests. */
  sourceOf: Readonly<Record<Side, string>>;
  /** Whether a full window may hold a side back: only a side with a topic of its own. */
  holdable: boolean;
  streams: Map<string, StreamProgress>;
  /** Per topic of this partition, its latest lag probe. */
  probed: Map<string, ProbedLag>;
}

/**
 * An event dated further ahead than this would hold its partition's event time (and commits)
 * hostage: it goes to the dead-letter topic instead.
 */
const MAX_FUTURE_SKEW_MS = 5 * 60_000;

/** Failed work (a store query, an evaluation) is retried, never dropped: its offsets stay open meanwhile. */
const RETRY_FIRST_MS = 200;
/** Dead letters being sent (or retried) before a batch waits for them; each holds its message. */
const MAX_DEAD_LETTERS_IN_FLIGHT = 1_000;
const RETRY_MAX_MS = 30_000;

const NO_LIFECYCLE = "a token lifecycle event, but the config has no lifecycle section";

/** The window of events that arrive over HTTP (no partition, no fetch position). */
const HTTP_SOURCE = "http";
/** Over HTTP each side comes from its own gateways: a stream per side, as with two topics. */
const HTTP_STREAMS: Readonly<Record<Side, string>> = { legacy: "http:legacy", new: "http:new" };

/** A side silent this long (wall clock) no longer holds event time back. */
const IDLE_AFTER_MS = 1_000;

const UNPAIRED_DETAIL: Record<UnpairedCause, string> = {
  window_closed: "no partner within the pairing window",
  capacity: "given up: the pairing window was full",
  end_of_input: "no partner before the end of the input",
  late: "the partner arrived after this request was already reported unpaired",
};

/** The side with more events waiting in the window: the one that runs ahead of its partners. */
function aheadSide(w: PartitionWindow): Side {
  const bySide = w.window.pendingBySide;
  return bySide.legacy >= bySide.new ? "legacy" : "new";
}

const PARTNER: Readonly<Record<Side, Side>> = { legacy: "new", new: "legacy" };

/**
 * The streaming core around the pure diff: one pairing window per partition number (the legacy
 * and new topics are co-partitioned, docs/kafka.md), outcomes to the store, and offsets resolved
 * only once what they produced is durable. Nothing here talks to Kafka directly.
 */
export class StreamPipeline {
  readonly offsets = new OffsetTracker();
  private readonly windows = new Map<string, PartitionWindow>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly now: () => number;
  private reachableSinceWallMs = Number.NEGATIVE_INFINITY;
  /** Whether the lag is probed (the service): then a partner stream never seen must be found empty. */
  private lagObserved = false;
  private stopped = false;
  private readonly retryWakers = new Set<() => void>();
  /** Dead letters (and conflicts) being sent or retried, with when each was taken (wall ms). */
  private readonly deadLetterSends = new Map<Promise<void>, number>();
  /** Batches waiting for room among the unsent dead letters. */
  private deadLetterWaiters: (() => void)[] = [];
  private tokenEventsInFlight = 0;
  /** Per fact source, the turn of its latest token event to be handed to the store. */
  private readonly factTurns = new Map<string, Promise<boolean>>();
  /** HTTP token events taken and not yet stored: what the `http` fact source still has to store. */
  httpTokenEventsInFlight = 0;

  constructor(private readonly options: StreamPipelineOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Feeds one fetched batch. Returns once every message is accepted (not yet stored). */
  async handleBatch(batch: MirrorBatch): Promise<void> {
    // An offset seen before is a re-read of an event this pipeline still holds: routing it again
    // would resolve the original's offset as a "duplicate" before the original is stored.
    const fresh = batch.messages.filter((message) => this.offsets.track(message, message.offset));
    if (fresh.length === 0) return this.skipFiltered(batch);
    const decoded = await this.options.evaluator.decode(
      fresh.map((m) => ({
        text: m.value?.toString("utf8") ?? "",
        lane: m.partition,
        bytes: m.value ?? undefined,
      })),
    );
    for (const [i, message] of fresh.entries()) {
      const waiting = this.accept(message, decoded[i] ?? { ok: false, reason: "not decoded" });
      if (waiting) await waiting;
      if (this.deadLettersHoldIntake) {
        await this.deadLetterRoom();
        // Stopped meanwhile: the rest is read again after the restart (its offsets are unresolved).
        if (this.stopped) return;
      }
    }
    this.skipFiltered(batch);
  }

  /**
   * The batch's position, records the client filtered out included (a transactional producer's
   * commit markers, its aborted records): they wait for nothing, so the commit moves past them
   * once what was tracked before is done. Also for a fetch that held only such records.
   */
  skipFiltered(batch: MirrorBatch): void {
    const from = batch.messages[0]?.offset ?? batch.firstOffset ?? batch.lastOffset;
    this.offsets.advance(batch, from, batch.lastOffset);
    this.noteFetchPosition(batch);
  }

  /** Records whether the batch left anything unread in its partition when it was fetched. */
  private noteFetchPosition(batch: MirrorBatch): void {
    const w = this.windows.get(String(batch.partition));
    if (!w) return;
    // Also for a stream that has delivered no valid event yet (dead letters only): having read it
    // to its end says its partition holds no partner (partnerHasNothing).
    const stream = this.streamOf(w, batch.topic);
    stream.position = batch.lastOffset + 1;
    stream.caughtUp = stream.position >= batch.highWatermark;
  }

  /**
   * The lag probe's readings (taken at `atWallMs`): a stream whose position has reached the high
   * watermark read then had nothing unread, even if no batch said so since (kafkajs delivers no
   * empty batch); a partition with nothing left to commit had nothing to deliver.
   */
  observeLag(readings: readonly PartitionLag[], atWallMs: number): void {
    this.lagObserved = true;
    for (const r of readings) {
      const w = this.windows.get(String(r.partition));
      if (!w) continue;
      w.probed.set(r.topic, { lag: r.lag, highWatermark: r.highWatermark, atWallMs });
      const stream = w.streams.get(r.topic);
      if (stream && stream.position >= 0) {
        stream.caughtUp = stream.position >= r.highWatermark;
        if (stream.caughtUp) stream.confirmedAtWallMs = Math.max(stream.confirmedAtWallMs, atWallMs);
      }
    }
  }

  /** Feeds one event that arrived without an offset (HTTP ingest). */
  acceptEvent(event: ObservedEvent, fingerprint: string): void {
    const e = event.event;
    const handle = this.options.evaluator.inline(event);
    const pending = { side: e.side, correlationId: e.correlationId, observedAtMs: event.observedAtMs };
    this.route(HTTP_SOURCE, { ...pending, handle, origin: null, envelope: e }, fingerprint);
  }

  /** After a rebalance: windows and offsets of partitions now owned by others are dropped (they re-read them). */
  assigned(partitions: TopicPartition[]): void {
    const owned = new Set(partitions.map((p) => String(p.partition)));
    for (const [key, w] of this.windows) {
      if (key === HTTP_SOURCE || owned.has(key)) continue;
      this.windows.delete(key);
      this.options.evaluator.release(w.window.waiting().map((e) => e.payload.handle));
    }
    this.offsets.forget((tp) => partitions.some((p) => p.topic === tp.topic && p.partition === tp.partition));
  }

  /**
   * Moves event time on for partitions that went quiet, so their waiting events are given up in
   * time. `reachableSinceWallMs`: since when the source has been known to be reachable; silence
   * before that (a broker outage) is not silence of the gateways and does not count.
   */
  tick(reachableSinceWallMs = Number.NEGATIVE_INFINITY): void {
    this.reachableSinceWallMs = reachableSinceWallMs;
    for (const w of this.windows.values()) this.advance(w);
  }

  /**
   * Partitions whose window is full, with the side that runs ahead (most waiting events): the
   * caller pauses that side only, so the other side can deliver the partners and drain it.
   */
  fullPartitions(): { partition: number; ahead: Side }[] {
    return [...this.windows.entries()]
      .filter(([, w]) => this.mustHold(w))
      .map(([k, w]) => ({ partition: Number(k), ahead: aheadSide(w) }));
  }

  pendingEvents(): number {
    let n = 0;
    for (const w of this.windows.values()) n += w.window.pendingCount;
    return n;
  }

  /** Waits until every outcome produced so far is stored (or failed). */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /**
   * Routes a valid event synchronously; only a token event, or a dead letter the batch must wait
   * for, returns a promise (the hot path awaits nothing).
   */
  private accept(message: MirrorMessage, decoded: DecodedLine): Promise<void> | undefined {
    if (!decoded.ok)
      return this.deadLetter(
        message,
        decoded.reason,
        decoded.reason.startsWith("not JSON") ? "not_json" : "invalid_envelope",
      );
    if (decoded.observedAtMs > this.now() + MAX_FUTURE_SKEW_MS) {
      if (decoded.kind === "authz") this.options.evaluator.release([decoded.handle]);
      const observedAt = decoded.kind === "authz" ? decoded.observedAt : decoded.event.observedAt;
      return this.deadLetter(
        message,
        `observedAt ${observedAt} is in the future (more than 5 minutes ahead)`,
        "far_future",
      );
    }
    if (decoded.kind === "token") {
      const { event, observedAtMs } = decoded;
      return this.acceptTokenEvent(
        { event, observedAtMs, source: `${message.topic}/${message.partition}` },
        message,
      );
    }
    const { side, correlationId, observedAtMs, handle, fingerprint } = decoded;
    this.route(
      String(message.partition),
      { side, correlationId, observedAtMs, handle, origin: message },
      fingerprint,
    );
    return undefined;
  }

  /**
   * Token events taken and not yet stored (a key set that cannot be fetched keeps them retrying):
   * above the window's limit the caller stops fetching, as for a full window.
   */
  get tokenEventsBacklogged(): boolean {
    return this.tokenEventsInFlight >= this.options.window.maxPending;
  }

  /** Dead letters taken and not yet acknowledged by the dead-letter topic (sending or retrying). */
  get deadLettersUnsent(): number {
    return this.deadLetterSends.size;
  }

  /**
   * Whether the Kafka intake waits on the dead-letter topic: with more than
   * MAX_DEAD_LETTERS_IN_FLIGHT unsent, a batch that adds one waits until it is sent.
   */
  get deadLettersHoldIntake(): boolean {
    return this.deadLetterSends.size > MAX_DEAD_LETTERS_IN_FLIGHT;
  }

  /** Why a token lifecycle event cannot be taken (no lifecycle section); undefined when it can. */
  get tokenEventsRefused(): string | undefined {
    return this.options.lifecycle ? undefined : NO_LIFECYCLE;
  }

  /** Feeds one token lifecycle event that arrived without an offset (HTTP ingest). */
  acceptTokenEvent(observed: ObservedTokenEvent, origin: EventOrigin = null): Promise<void> | undefined {
    const lifecycle = this.options.lifecycle;
    if (!lifecycle) {
      if (origin) return this.deadLetter(origin, NO_LIFECYCLE, "invalid_envelope");
      this.options.onRejected?.(NO_LIFECYCLE, null, "invalid_envelope");
      return undefined;
    }
    this.tokenEventsInFlight++;
    if (!origin) this.httpTokenEventsInFlight++;
    const handed = this.takeFactTurn(observed.source);
    const settled = this.track(async () => {
      const fact = await lifecycle.observe(observed);
      // An earlier event of the source was given up (stopping): storing this one past the gap
      // would tell the sweep the source is complete beyond a fact that is not stored.
      if (!(await handed.previous)) return;
      const stored = lifecycle.store(fact);
      handed.done(true);
      await stored;
      this.tokenEventsInFlight--;
      if (!origin) this.httpTokenEventsInFlight--;
      this.resolve(origin);
    });
    // Ended without handing its fact over (given up on stop): the source's later events give up too.
    void settled.then(() => handed.done(false));
    return undefined;
  }

  /**
   * Verifications finish in any order (a cached token returns first), but a source's facts must
   * reach the store in arrival order: the sweep takes the latest stored event time of a source's
   * side as "complete up to", so a later fact stored before an earlier one would make one-sided
   * verdicts come due while their counterpart is still on its way. A turn resolves true once its
   * fact is handed to the store, false when it was given up (then so are the turns after it).
   * `store` rejects only when the writer is closing, so a handed-over fact is never re-handed.
   */
  private takeFactTurn(source: string): { previous: Promise<boolean>; done: (handed: boolean) => void } {
    const previous = this.factTurns.get(source) ?? Promise.resolve(true);
    let done: (handed: boolean) => void = () => {};
    const turn = new Promise<boolean>((resolve) => {
      done = resolve;
    });
    this.factTurns.set(source, turn);
    void turn.then(() => {
      if (this.factTurns.get(source) === turn) this.factTurns.delete(source);
    });
    return { previous, done };
  }

  private route(key: string, event: PendingEvent, fingerprint: string): void {
    const w = this.windowFor(key);
    const stream = this.streamOf(w, event.origin?.topic ?? HTTP_STREAMS[event.side]);
    this.options.onAccepted?.(event.side);
    stream.lastArrivalWallMs = this.now();
    stream.maxEventMs = Math.max(stream.maxEventMs, event.observedAtMs);
    this.consume(
      w.window.add({
        side: event.side,
        correlationId: event.correlationId,
        observedAtMs: event.observedAtMs,
        fingerprint,
        payload: event,
      }),
    );
    this.advance(w);
  }

  /**
   * The two sides of a partition arrive in separate fetches (two topics), so one side can run far
   * ahead in event time. A side's waiting events are given up by the time of the stream that
   * delivers their partners, never by their own: they wait while their partners may still be on
   * the way, and a side held back (paused, a backlog) keeps only its partners' events waiting.
   * With one topic for both sides, that stream is the topic itself.
   */
  private advance(w: PartitionWindow): void {
    const wall = this.now();
    if (this.mustHold(w)) {
      // Not read while held: what it had caught up to says nothing of what was produced since.
      const held = this.streamOf(w, w.sourceOf[aheadSide(w)]);
      held.heldAtWallMs = wall;
      held.caughtUp = false;
    }
    const legacy = this.partnersAt(w, "legacy", wall);
    const next = this.partnersAt(w, "new", wall);
    if (legacy === undefined && next === undefined) return;
    const never = Number.NEGATIVE_INFINITY;
    this.consume(w.window.advanceSides({ legacy: legacy ?? never, new: next ?? never }));
  }

  /**
   * How far (event time) the stream delivering `side`'s partners has got. A silent stream stops
   * holding time back: its time moves on with the wall clock. Silent means no arrivals for a
   * while with nothing left unread at its last fetch; a stream working through a backlog (after a
   * restart, when its fetches lag, while paused) is quiet only because it is not read. A stream
   * never seen is waited for one window of reachable brokers and, when the lag is probed, until a
   * probe after the window opened found its partition with nothing to deliver; then `side`'s own
   * stream's time stands in for it.
   */
  private partnersAt(w: PartitionWindow, side: Side, wall: number): number | undefined {
    const own = w.sourceOf[side];
    const partners = w.sourceOf[PARTNER[side]];
    const stream = w.streams.get(partners);
    if (stream && Number.isFinite(stream.maxEventMs)) return this.streamTime(stream, wall);
    const waitedSince = Math.max(w.createdWallMs, this.reachableSinceWallMs);
    if (wall - waitedSince <= this.options.window.windowMs) return undefined; // may still come
    if (this.lagObserved && partners !== HTTP_STREAMS[PARTNER[side]] && !this.partnerHasNothing(w, side))
      return undefined; // unread
    const ownStream = w.streams.get(own);
    return ownStream && own !== partners ? this.streamTime(ownStream, wall) : undefined;
  }

  /**
   * Whether the topic delivering `side`'s partners is known to hold none for this partition: it
   * delivered no valid event, and was read to its end at its latest reading (its messages were all
   * dead letters), or, never read, a lag probe since the window opened found nothing to commit.
   * Uncommitted is not unread: dead letters are committed only a moment after they are read, so
   * under steady invalid traffic the lag itself rarely reaches 0.
   */
  private partnerHasNothing(w: PartitionWindow, side: Side): boolean {
    const partners = w.sourceOf[PARTNER[side]];
    const stream = w.streams.get(partners);
    if (stream && Number.isFinite(stream.maxEventMs)) return false;
    // Its latest reading (a fetch, or a probe folded in by observeLag), never an older probe's.
    if (stream && stream.position >= 0) return stream.caughtUp;
    const probe = w.probed.get(partners);
    return probe !== undefined && probe.atWallMs >= w.createdWallMs && probe.lag === 0;
  }

  /**
   * A stream's time, never ahead of the wall clock: one gateway whose clock runs fast must not
   * give up the other side's events early. A stream held back by a full window is not read: its
   * silence counts only from a while after the hold ended, never during it. With the lag probed,
   * a Kafka stream's silence counts only up to the latest probe that found nothing unread: a
   * service starved of CPU (a long pause, a throttled container) reads neither batches nor probes
   * for a while, and its own stall is not the gateways' silence.
   */
  private streamTime(stream: StreamProgress, wall: number): number {
    const silentSince = Math.max(stream.lastArrivalWallMs, this.reachableSinceWallMs, stream.heldAtWallMs);
    const confirmed =
      this.lagObserved && stream.position >= 0 ? Math.min(wall, stream.confirmedAtWallMs) : wall;
    const idle = confirmed - silentSince;
    return Math.min(stream.maxEventMs, wall) + (idle > IDLE_AFTER_MS && stream.caughtUp ? idle : 0);
  }

  /**
   * A full window holds back the side that runs ahead, so the other delivers the partners that
   * drain it. Not with one topic for both sides: holding the stream would hold the partners too;
   * nor over HTTP, which has no side to pause; nor when the partners' topic holds none for the
   * partition. Such a window grows to twice the limit, then gives up its oldest (capacity).
   */
  private mustHold(w: PartitionWindow): boolean {
    if (!w.holdable || w.window.pendingCount < this.options.window.maxPending) return false;
    // Held, a side whose partners' topic holds none would stay held for good: its own time, which
    // stands in for its partners', does not move while it is not read.
    return !this.partnerHasNothing(w, aheadSide(w));
  }

  private consume(outputs: PairingOutput<PendingEvent>[]): void {
    const unpaired: { event: PendingEvent; cause: UnpairedCause }[] = [];
    for (const out of outputs) {
      switch (out.type) {
        case "duplicate":
          this.options.evaluator.release([out.event.payload.handle]);
          this.resolve(out.event.payload.origin);
          break;
        case "conflict":
          this.options.evaluator.release([out.event.payload.handle]);
          this.trackDeadLetter(() => this.rejectConflict(out.event.payload));
          break;
        case "pair": {
          const losses = new JudgementFailures(PAIR_FAILURES_BEFORE_SETTING_ASIDE);
          this.track(() => this.storePair(out.legacy.payload, out.new.payload, losses));
          break;
        }
        case "unpaired":
          unpaired.push({ event: out.event.payload, cause: out.cause });
          break;
      }
    }
    if (unpaired.length > 0) {
      // Retried as a whole when one of them fails; those already stored are not stored (and
      // counted) again.
      const done = new Set<PendingEvent>();
      const losses = new Map<PendingEvent, JudgementFailures>();
      this.track(() => this.storeUnpaired(unpaired, done, losses));
    }
  }

  private async storePair(
    legacy: PendingEvent,
    next: PendingEvent,
    losses: JudgementFailures,
  ): Promise<void> {
    const setAside = losses.setAside;
    if (setAside !== undefined) return await this.setAside([legacy, next], setAside);
    const started = performance.now();
    const made = await losses.counting(
      this.options.evaluator.pair(legacy.handle, next.handle, losses.options),
    );
    this.options.onPairDiffed?.((performance.now() - started) / 1000);
    await this.store(made);
    this.resolve(legacy.origin);
    this.resolve(next.origin);
  }

  /** An event given up as unpaired whose pair is already stored is a replay after a crash: dropped. */
  private async storeUnpaired(
    all: { event: PendingEvent; cause: UnpairedCause }[],
    done: Set<PendingEvent>,
    losses: Map<PendingEvent, JudgementFailures>,
  ): Promise<void> {
    const list = all.filter((u) => !done.has(u.event));
    const stored = await this.options.pairedAlready(
      list.map((u) => ({ correlationId: u.event.correlationId, observedAtMs: u.event.observedAtMs })),
    );
    // All settled before a failure is retried: one still on its way must not be stored twice.
    const settled = await Promise.allSettled(
      list.map(async ({ event, cause }) => {
        const lost = losses.get(event) ?? new JudgementFailures(UNPAIRED_FAILURES_BEFORE_SETTING_ASIDE);
        losses.set(event, lost);
        const setAside = lost.setAside;
        if (stored.has(event.correlationId)) this.options.evaluator.release([event.handle]);
        else if (setAside !== undefined) {
          await this.setAside([event], setAside);
          done.add(event);
          return;
        } else
          await this.store(
            await lost.counting(this.options.evaluator.unpaired(event.handle, UNPAIRED_DETAIL[cause])),
          );
        done.add(event);
        this.resolve(event.origin);
      }),
    );
    const failed = settled.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
  }

  private async store(made: MadeOutcome): Promise<void> {
    await this.options.sink.writeRows(made.rows);
    this.options.onOutcome?.(made.summary);
  }

  /**
   * Work that ended its worker again and again is given up: its events go to the dead-letter
   * topic (each resolving its offset once sent), so the partition is not held for good and the
   * next worker is not ended too. Kept there whole, they are judged from there once the cause is
   * fixed (replay/judge-set-aside.ts). First the store records that the request was given up
   * (set_aside_pairs), durably like any outcome: every gate then knows part of its window went
   * unjudged, until it is judged.
   */
  private async setAside(events: readonly PendingEvent[], reason: string): Promise<void> {
    await this.options.sink.writeRows(setAsideRows(setAsideEvents(events), reason));
    this.options.evaluator.release(events.map((e) => e.handle));
    const missing = this.options.deadLetters.missing;
    for (const event of events) {
      // Without a dead-letter topic (HTTP only) there is nowhere to keep it: say so, once.
      if (!event.origin && missing !== undefined) {
        this.options.onRejected?.(`${reason} (not dead-lettered: ${missing})`, null, "set_aside");
        continue;
      }
      this.trackDeadLetter(async () => {
        if (event.origin) return this.sendDeadLetter(event.origin, reason, "set_aside");
        const letter = event.envelope ? this.httpLetter(event, event.envelope) : undefined;
        if (letter) await this.options.deadLetters.send(letter, reason);
        this.options.onRejected?.(reason, letter ?? null, "set_aside");
      });
    }
  }

  /**
   * An HTTP event as a dead letter: its envelope re-serialized (the request's line is not kept),
   * keyed by correlation id, from source `http` at partition and offset -1 (it has no offset to
   * resolve). `judge-set-aside` reads it as it reads a Kafka event's bytes.
   */
  private httpLetter(event: PendingEvent, envelope: AuthzEvent): MirrorMessage {
    return {
      topic: HTTP_SOURCE,
      partition: -1,
      offset: -1,
      key: event.correlationId,
      value: Buffer.from(JSON.stringify(envelope), "utf8"),
      timestampMs: this.now(),
    };
  }

  private async rejectConflict(event: PendingEvent): Promise<void> {
    const reason = `a different ${event.side} event for correlationId ${JSON.stringify(event.correlationId)} was already seen; the first one is kept`;
    if (event.origin) await this.sendDeadLetter(event.origin, reason, "conflicting_duplicate");
    else this.options.onRejected?.(reason, null, "conflicting_duplicate");
  }

  /**
   * Sends a dead letter, retrying like any other work until it is sent: a dead-letter topic that
   * fails (an outage longer than the producer's retries, a record it refuses) holds its message's
   * offset uncommitted and reports each failure, and never stops the service. The batch goes on
   * meanwhile (the partners of other events must still arrive); only with MAX_DEAD_LETTERS_IN_FLIGHT
   * unsent does it wait (`deadLetterRoom`), so a topic that keeps failing holds the intake back
   * instead of piling up messages in memory.
   */
  private deadLetter(message: MirrorMessage, reason: string, category: RejectCategory): undefined {
    this.trackDeadLetter(() => this.sendDeadLetter(message, reason, category));
    return undefined;
  }

  private trackDeadLetter(work: () => Promise<void>): void {
    const sent = this.track(work);
    this.deadLetterSends.set(sent, this.now());
    void sent.finally(() => {
      this.deadLetterSends.delete(sent);
      if (!this.deadLettersHoldIntake) this.wakeDeadLetterWaiters();
    });
  }

  /**
   * Resolves once no more than MAX_DEAD_LETTERS_IN_FLIGHT are unsent, or the pipeline stopped
   * (a send that never settles, such as a producer retrying without end, must not hold a stop).
   */
  private deadLetterRoom(): Promise<void> {
    if (!this.deadLettersHoldIntake || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.deadLetterWaiters.push(resolve));
  }

  private wakeDeadLetterWaiters(): void {
    const waiters = this.deadLetterWaiters;
    this.deadLetterWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Since when the oldest unsent dead letter waits (wall ms); undefined when none does. */
  get oldestUnsentDeadLetterMs(): number | undefined {
    // A Map iterates in insertion order: the first entry is the oldest one still unsent.
    for (const takenAt of this.deadLetterSends.values()) return takenAt;
    return undefined;
  }

  private async sendDeadLetter(
    message: MirrorMessage,
    reason: string,
    category: RejectCategory,
  ): Promise<void> {
    await this.options.deadLetters.send(message, reason);
    this.options.onRejected?.(reason, message, category);
    this.resolve(message);
  }

  private resolve(origin: EventOrigin): void {
    if (origin) this.offsets.resolve(origin, origin.offset);
  }

  /**
   * Runs work (storing a pair, unpaired events, a dead letter) until it succeeds, with backoff.
   * Its events have left the window, so nothing else would bring them back before a restart;
   * meanwhile their offsets stay unresolved and nothing past them is committed.
   */
  private track(work: () => Promise<void>): Promise<void> {
    const attempt = async () => {
      for (let delay = RETRY_FIRST_MS; ; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
        try {
          await work();
          return;
        } catch (error) {
          if (this.stopped) return;
          this.options.onError?.(error);
          await this.retryPause(delay);
          if (this.stopped) return;
        }
      }
    };
    const settled = attempt();
    this.inflight.add(settled);
    void settled.finally(() => this.inflight.delete(settled));
    return settled;
  }

  /** Stops retrying failed work (shutdown): what is unfinished stays uncommitted and is redelivered. */
  stop(): void {
    this.stopped = true;
    for (const wake of this.retryWakers) wake();
    this.wakeDeadLetterWaiters();
  }

  /** A backoff between attempts that a stop cuts short: a stop must not wait out a 30 s backoff. */
  private retryPause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.retryWakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.retryWakers.add(wake);
    });
  }

  private streamOf(w: PartitionWindow, source: string): StreamProgress {
    let stream = w.streams.get(source);
    if (!stream) {
      // Caught up until a fetch says otherwise: HTTP has no fetch position to be behind.
      stream = {
        maxEventMs: Number.NEGATIVE_INFINITY,
        lastArrivalWallMs: this.now(),
        caughtUp: true,
        confirmedAtWallMs: Number.NEGATIVE_INFINITY,
        position: -1,
        heldAtWallMs: Number.NEGATIVE_INFINITY,
      };
      w.streams.set(source, stream);
    }
    return stream;
  }

  private windowFor(key: string): PartitionWindow {
    let w = this.windows.get(key);
    if (!w) {
      const wall = this.now();
      w = {
        // The configured limit is where fetching pauses; the window itself holds one more
        // limit's worth, so the batch in hand when it fills is never given up (no drops).
        window: new PairingWindow<PendingEvent>({
          ...this.options.window,
          maxPending: 2 * this.options.window.maxPending,
          externalEventTime: true,
        }),
        createdWallMs: wall,
        sourceOf: key === HTTP_SOURCE ? HTTP_STREAMS : this.options.topics,
        holdable: key !== HTTP_SOURCE && this.options.topics.legacy !== this.options.topics.new,
        streams: new Map(),
        probed: new Map(),
      };
      this.windows.set(key, w);
    }
    return w;
  }
}

/** The events of a request given up, as the store records them. */
function setAsideEvents(events: readonly PendingEvent[]): SetAsideEvent[] {
  return events.map((e) => ({
    side: e.side,
    correlationId: e.correlationId,
    observedAtMs: e.observedAtMs,
    source: e.origin ? `${e.origin.topic}/${e.origin.partition}@${e.origin.offset}` : "http",
  }));
}
