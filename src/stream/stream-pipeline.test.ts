import { describe, expect, it, vi } from "vitest";
import type { PairDiffer, PairOptions } from "../diff/pair-differ.js";
import type { ObservedEvent, PairOutcome } from "../diff/pair-outcome.js";
import type { MirrorBatch, MirrorMessage } from "../ingest/kafka/mirror-consumer.js";
import { parseEvent } from "../ingest/parse-event.js";
import type { SessionFact } from "../lifecycle/session-fact.js";
import { decodeRows, type EncodedRows } from "../store/encoded-rows.js";
import type { OutcomeRow } from "../store/outcome-rows.js";
import { createPseudonymizer } from "../store/pseudonymize.js";
import type { SetAsideRow } from "../store/set-aside-pairs.js";
import { pairIdOf } from "../store/stored-outcome.js";
import { createLocalEvaluator, type Evaluator, type EventHandle, JudgementFailed } from "./evaluator.js";
import { createOutcomeMaker } from "./outcome-maker.js";
import { type OutcomeSink, StreamPipeline, type StreamPipelineOptions } from "./stream-pipeline.js";

const T0 = Date.parse("2026-11-01T10:00:00Z");
/** The wall clock at the start of each test: the events are ten minutes old. */
const WALL0 = T0 + 600_000;

function envelope(side: "legacy" | "new", correlationId: string, atMs: number): string {
  return JSON.stringify({
    schema: "entitlement-diff.authz.v1",
    side,
    correlationId,
    observedAt: new Date(atMs).toISOString(),
    token: "aGVhZGVy.cGF5bG9hZA.c2ln",
    request: { action: "read", resource: { type: "patient_record" } },
  });
}

function batch(topic: string, partition: number, firstOffset: number, values: string[]): MirrorBatch {
  const messages: MirrorMessage[] = values.map((v, i) => ({
    topic,
    partition,
    offset: firstOffset + i,
    key: null,
    value: Buffer.from(v),
    timestampMs: T0,
  }));
  const lastOffset = firstOffset + values.length - 1;
  return { topic, partition, messages, highWatermark: lastOffset + 1, lastOffset };
}

const outcome = (correlationId: string, paired: boolean): PairOutcome => ({
  correlationId,
  cohort: "patients",
  paired,
  onlySide: paired ? null : "legacy",
  legacy: null,
  new: null,
  findings: [],
  mismatch: false,
  observedDrift: false,
  subjects: { legacy: "u-1", new: "n-1" },
});

type OneStepDiffer = Pick<PairDiffer, "diffPair" | "diffUnpaired">;

const fakeDiffer: OneStepDiffer = {
  diffPair: async (l) => outcome(l.event.correlationId, true),
  diffUnpaired: async (o) => outcome(o.event.correlationId, false),
};

/** A fake's diffs, in the differ's two steps (the whole diff in the first). */
const twoStep = (d: OneStepDiffer): PairDiffer => ({
  ...d,
  preparePair: async (l, n, options) => {
    const out = await d.diffPair(l, n, options);
    return () => out;
  },
  prepareUnpaired: async (o, detail) => {
    const out = await d.diffUnpaired(o, detail);
    return () => out;
  },
});

const makerDeps = (differ: PairDiffer) => ({
  differ,
  provenance: { policyBundleSha256: "p", legacyRulesSha256: "r", entrypoint: "authz/decision" },
  pseudonymizer: createPseudonymizer(new Uint8Array(32).fill(7)),
});

const maker = (differ: OneStepDiffer) => createLocalEvaluator(createOutcomeMaker(makerDeps(twoStep(differ))));

class MemorySink implements OutcomeSink {
  stored: OutcomeRow[] = [];
  setAside: SetAsideRow[] = [];
  failing = false;
  paused = false;
  async writeRows(rows: EncodedRows): Promise<void> {
    if (this.failing) throw new Error("store down");
    this.stored.push(...decodeRows<OutcomeRow>(rows.outcome));
    this.setAside.push(...decodeRows<SetAsideRow>(rows.setAside));
  }
}

function tokenEnvelope(side: "legacy" | "new", sessionId: string, atMs: number): string {
  return JSON.stringify({
    schema: "entitlement-diff.token.v1",
    side,
    sessionId,
    observedAt: new Date(atMs).toISOString(),
    event: "issued",
    token: "aGVhZGVy.cGF5bG9hZA.c2ln",
  });
}

function setup(
  opts: {
    alreadyPaired?: string[];
    lifecycle?: StreamPipelineOptions["lifecycle"];
    topics?: StreamPipelineOptions["topics"];
    /** Sends to the dead-letter sink that fail before the first that succeeds. */
    deadLetterFailures?: number;
    /** Every send to the dead-letter sink hangs (a producer retrying without end). */
    deadLettersHang?: boolean;
    /** No dead-letter topic at all (serve --no-kafka): every send fails. */
    noDeadLetterTopic?: string;
    maxPending?: number;
    /** Stands in for the evaluator (a worker pool that loses threads). */
    wrap?: (local: Evaluator) => Evaluator;
  } = {},
) {
  let deadLetterFailures = opts.deadLetterFailures ?? 0;
  const sink = new MemorySink();
  const dead: { offset: number; reason: string }[] = [];
  const letters: MirrorMessage[] = [];
  let wall = WALL0;
  const errors: unknown[] = [];
  const released: string[] = [];
  const rejected: { reason: string; category: string }[] = [];
  const local = maker(fakeDiffer);
  const evaluator = opts.wrap ? opts.wrap(local) : local;
  const pipeline = new StreamPipeline({
    // Records what is let go: a worker pool would otherwise hold those events for good.
    evaluator: {
      ...evaluator,
      release: (handles) => {
        for (const h of handles) released.push((h as unknown as ObservedEvent).event.correlationId);
      },
    },
    onRejected: (reason, _origin, category) => rejected.push({ reason, category }),
    sink,
    deadLetters: {
      ...(opts.noDeadLetterTopic ? { missing: opts.noDeadLetterTopic } : {}),
      send: async (m, reason) => {
        if (opts.noDeadLetterTopic) throw new Error(opts.noDeadLetterTopic);
        if (opts.deadLettersHang) await new Promise(() => {});
        if (deadLetterFailures-- > 0) throw new Error("dead-letter topic: not authorized");
        dead.push({ offset: m.offset, reason });
        letters.push(m);
      },
      close: async () => {},
    },
    window: { windowMs: 30_000, maxPending: opts.maxPending ?? 100 },
    topics: opts.topics ?? { legacy: "L", new: "N" },
    pairedAlready: async (probes) =>
      new Set(probes.map((p) => p.correlationId).filter((c) => opts.alreadyPaired?.includes(c))),
    now: () => wall,
    onError: (e) => errors.push(e),
    ...(opts.lifecycle ? { lifecycle: opts.lifecycle } : {}),
  });
  return {
    pipeline,
    sink,
    dead,
    letters,
    errors,
    released,
    rejected,
    advanceWall: (ms: number) => (wall += ms),
  };
}

/**
 * A full window (limit 100) holding legacy back: 101 legacy events, caught up when fetched, and
 * on the new side r0 (paired) and "solo" (its partner never comes).
 */
async function legacyHeld() {
  const parts = setup();
  const ids = Array.from({ length: 101 }, (_, i) => `r${i}`);
  await parts.pipeline.handleBatch(
    batch(
      "L",
      0,
      0,
      ids.map((id, i) => envelope("legacy", id, T0 + i * 100)),
    ),
  );
  await parts.pipeline.handleBatch(
    batch("N", 0, 0, [envelope("new", "r0", T0), envelope("new", "solo", T0)]),
  );
  expect(parts.pipeline.fullPartitions()).toEqual([{ partition: 0, ahead: "legacy" }]);
  return { ...parts, ids };
}

describe("StreamPipeline", () => {
  it("stores each pair and commits both partitions past it once stored", async () => {
    const { pipeline, sink } = setup();
    await pipeline.handleBatch(batch("L", 0, 0, [envelope("legacy", "a", T0), envelope("legacy", "b", T0)]));
    await pipeline.handleBatch(
      batch("N", 0, 0, [envelope("new", "a", T0 + 5), envelope("new", "b", T0 + 9)]),
    );
    await pipeline.drain();
    expect(sink.stored.map((o) => [o.correlation_id, o.paired])).toEqual([
      ["a", true],
      ["b", true],
    ]);
    expect(pipeline.offsets.takeCommittable()).toEqual([
      { topic: "L", partition: 0, offset: 2 },
      { topic: "N", partition: 0, offset: 2 },
    ]);
  });

  it("holds the commit behind an event still waiting for its partner, until the window gives it up", async () => {
    const { pipeline, sink, advanceWall } = setup();
    await pipeline.handleBatch(
      batch("L", 0, 0, [envelope("legacy", "lonely", T0), envelope("legacy", "a", T0)]),
    );
    await pipeline.handleBatch(batch("N", 0, 0, [envelope("new", "a", T0 + 5)]));
    await pipeline.drain();
    expect(pipeline.offsets.takeCommittable()).toEqual([
      { topic: "L", partition: 0, offset: 0 },
      { topic: "N", partition: 0, offset: 1 },
    ]);
    advanceWall(31_000); // the partition went quiet: event time moves on with the wall clock
    pipeline.tick();
    await pipeline.drain();
    expect(sink.stored.map((o) => [o.correlation_id, o.paired])).toEqual([
      ["a", true],
      ["lonely", false],
    ]);
    expect(pipeline.offsets.takeCommittable()).toEqual([{ topic: "L", partition: 0, offset: 2 }]);
  });

  it("pairs everything when one topic's batch runs a minute of event time ahead of the other's", async () => {
    const { pipeline, sink } = setup();
    const ids = Array.from({ length: 120 }, (_, i) => `r${i}`);
    await pipeline.handleBatch(
      batch(
        "L",
        0,
        0,
        ids.map((id, i) => envelope("legacy", id, T0 + i * 500)),
      ),
    );
    await pipeline.handleBatch(
      batch(
        "N",
        0,
        0,
        ids.map((id, i) => envelope("new", id, T0 + i * 500 + 20)),
      ),
    );
    await pipeline.drain();
    expect(sink.stored.filter((o) => o.paired)).toHaveLength(120);
    expect(sink.stored.filter((o) => !o.paired)).toHaveLength(0);
  });

  it("does not take a side that is behind its high watermark for silent, however long its next fetch takes", async () => {
    const { pipeline, sink, advanceWall } = setup();
    const ids = Array.from({ length: 120 }, (_, i) => `r${i}`);
    const at = (i: number) => T0 + i * 500;
    await pipeline.handleBatch(
      batch(
        "L",
        0,
        0,
        ids.map((id, i) => envelope("legacy", id, at(i))),
      ),
    );
    // The new topic's backlog comes in two fetches; the first leaves 100 events unread.
    const firstNew = batch(
      "N",
      0,
      0,
      ids.slice(0, 20).map((id, i) => envelope("new", id, at(i) + 20)),
    );
    await pipeline.handleBatch({ ...firstNew, highWatermark: 120 });
    advanceWall(40_000); // a slow fetch (a loaded machine, a consumer catching up)
    pipeline.tick();
    await pipeline.drain();
    expect(sink.stored.filter((o) => !o.paired)).toEqual([]);
    await pipeline.handleBatch(
      batch(
        "N",
        0,
        20,
        ids.slice(20).map((id, i) => envelope("new", id, at(i + 20) + 20)),
      ),
    );
    await pipeline.drain();
    expect(sink.stored.filter((o) => o.paired)).toHaveLength(120);
    expect(sink.stored.filter((o) => !o.paired)).toHaveLength(0);
  });

  it("gives up a side's events by how far its partners' stream has got, however far behind its own is", async () => {
    const { pipeline, sink } = setup();
    const ids = Array.from({ length: 120 }, (_, i) => `r${i}`);
    const at = (i: number) => T0 + i * 500;
    const legacy = batch("L", 0, 0, [
      envelope("legacy", "lonely", T0),
      ...ids.slice(0, 10).map((id, i) => envelope("legacy", id, at(i))),
    ]);
    await pipeline.handleBatch({ ...legacy, highWatermark: 500 }); // the legacy topic has a backlog
    await pipeline.handleBatch(
      batch(
        "N",
        0,
        0,
        ids.map((id, i) => envelope("new", id, at(i) + 20)),
      ),
    );
    await pipeline.drain();
    // The new stream is a minute on: "lonely"'s partner would have come. The new events past r9
    // wait for the legacy backlog, which holds their partners.
    expect(sink.stored.filter((o) => !o.paired).map((o) => o.correlation_id)).toEqual(["lonely"]);
    expect(sink.stored.filter((o) => o.paired)).toHaveLength(10);
    expect(pipeline.pendingEvents()).toBe(110);
  });

  it("with one topic for both sides, gives up events by the topic's time though the other side never came", async () => {
    const { pipeline, sink } = setup({ topics: { legacy: "M", new: "M" } });
    const lines = Array.from({ length: 120 }, (_, i) => envelope("legacy", `r${i}`, T0 + i * 500));
    await pipeline.handleBatch({ ...batch("M", 0, 0, lines), highWatermark: 1_000 });
    await pipeline.drain();
    // The topic delivered up to T0 + 59.5 s: partners of events before T0 + 29.5 s would be in it.
    expect(sink.stored.map((o) => o.correlation_id)).toEqual(lines.slice(0, 59).map((_, i) => `r${i}`));
  });

  it("drains a full window's ahead side by its partners' stream while that side is paused", async () => {
    const { pipeline, sink, advanceWall } = setup(); // maxPending 100
    const ids = Array.from({ length: 101 }, (_, i) => `r${i}`);
    const legacy = batch(
      "L",
      0,
      0,
      ids.map((id, i) => envelope("legacy", id, T0 + i * 100)),
    );
    await pipeline.handleBatch({ ...legacy, highWatermark: 5_000 }); // paused with a backlog
    await pipeline.handleBatch(batch("N", 0, 0, [envelope("new", "r0", T0)]));
    expect(pipeline.fullPartitions()).toEqual([{ partition: 0, ahead: "legacy" }]);
    advanceWall(31_000);
    pipeline.tick();
    await pipeline.drain();
    // The silent side's time moved 31 s: what is older than one window behind it is given up,
    // enough to take the window below its limit, so the paused side is resumed and reads on.
    expect(sink.stored.filter((o) => !o.paired).map((o) => o.correlation_id)).toEqual(ids.slice(1, 10));
    expect(pipeline.fullPartitions()).toEqual([]);
  });

  it("does not take a stream a full window holds back for silent: its partners' events wait", async () => {
    // Caught up when it was fetched, then held: what the gateways sent since is unread.
    const { pipeline, sink, advanceWall, ids } = await legacyHeld();
    advanceWall(31_000);
    pipeline.tick();
    await pipeline.drain();
    const unpaired = sink.stored.filter((o) => !o.paired).map((o) => o.correlation_id);
    expect(unpaired).toEqual(ids.slice(1, 10)); // by the silent new stream's time
    expect(unpaired).not.toContain("solo"); // its partner may be in the held legacy stream
  });

  it("never holds back a topic that carries both sides: that would hold the partners too", async () => {
    const { pipeline } = setup({ topics: { legacy: "M", new: "M" } });
    const lines = Array.from({ length: 101 }, (_, i) => envelope("legacy", `r${i}`, T0 + i * 10));
    await pipeline.handleBatch(batch("M", 0, 0, lines));
    expect(pipeline.pendingEvents()).toBe(101);
    expect(pipeline.fullPartitions()).toEqual([]);
  });

  it("over HTTP, gives up a side's events by its partners' gateways, not by its own", async () => {
    const { pipeline, sink, advanceWall } = setup();
    const post = (side: "legacy" | "new", id: string, atMs: number) => {
      const parsed = parseEvent(envelope(side, id, atMs));
      if (!parsed.ok) throw new Error(parsed.reason);
      pipeline.acceptEvent(parsed, `${side}:${id}`);
    };
    const at = (i: number) => T0 + i * 500;
    for (let i = 0; i < 120; i++) post("legacy", `r${i}`, at(i)); // a minute of legacy traffic
    for (let i = 0; i < 10; i++) post("new", `r${i}`, at(i)); // the new gateways lag behind
    await pipeline.drain();
    expect(sink.stored.filter((o) => !o.paired)).toEqual([]);
    for (let i = 10; i < 120; i++) post("new", `r${i}`, at(i));
    advanceWall(500);
    pipeline.tick();
    await pipeline.drain();
    expect(sink.stored.filter((o) => o.paired)).toHaveLength(120);
    expect(sink.stored.filter((o) => !o.paired)).toEqual([]);
  });

  it("does not let a gateway clock running ahead give up the other side's events early", async () => {
    const { pipeline, sink } = setup();
    await pipeline.handleBatch(batch("N", 0, 0, [envelope("new", "a", WALL0 - 1_000)]));
    // A legacy gateway 40 s fast: its request is dated past the wall clock.
    await pipeline.handleBatch(batch("L", 0, 0, [envelope("legacy", "fast", WALL0 + 40_000)]));
    await pipeline.handleBatch(batch("L", 0, 1, [envelope("legacy", "a", WALL0 - 900)]));
    await pipeline.drain();
    expect(sink.stored.map((o) => [o.correlation_id, o.paired])).toEqual([["a", true]]);
  });

  it("does not take its own stall for the gateways' silence: silence counts up to a probe that found nothing unread", async () => {
    const { pipeline, sink, advanceWall } = setup();
    await pipeline.handleBatch(batch("L", 0, 0, [envelope("legacy", "a", T0)]));
    await pipeline.handleBatch(batch("N", 0, 0, [envelope("new", "b", T0)]));
    const probe = (atWallMs: number) =>
      pipeline.observeLag(
        [
          { topic: "L", partition: 0, lag: 1, highWatermark: 1 },
          { topic: "N", partition: 0, lag: 1, highWatermark: 1 },
        ],
        atWallMs,
      );
    probe(WALL0);
    // Starved for 40 s (a long pause, a throttled container): no batch, no probe, then a tick.
    advanceWall(40_000);
    pipeline.tick();
    await pipeline.drain();
    expect(sink.stored).toEqual([]); // both streams may have 40 s of unread partners
    probe(WALL0 + 40_000);
    pipeline.tick();
    await pipeline.drain();
    expect(sink.stored.map((o) => [o.correlation_id, o.paired]).sort()).toEqual([
      ["a", false],
      ["b", false],
    ]);
  });

  it("waits for a partner stream never seen until the lag probe finds its partition empty", async () => {
    const { pipeline, sink, advanceWall } = setup();
    await pipeline.handleBatch(batch("L", 0, 0, [envelope("legacy", "a", T0)]));
    advanceWall(1_000);
    pipeline.observeLag([{ topic: "N", partition: 0, lag: 4, highWatermark: 4 }], WALL0 + 1_000);
    advanceWall(31_000);
    pipeline.tick();
    await pipeline.drain();
    expect(sink.stored).toEqual([]); // the new topic's partition has four events unread
    // Legacy's own silence, confirmed by the same probe, then stands in for the empty partition.
    pipeline.observeLag(
      [
        { topic: "N", partition: 0, lag: 0, highWatermark: 4 },
        { topic: "L", partition: 0, lag: 1, highWatermark: 1 },
      ],
      WALL0 + 32_000,
    );
    advanceWall(1_000);
    pipeline.tick();
    await pipeline.drain();
    expect(sink.stored.map((o) => [o.correlation_id, o.paired])).toEqual([["a", false]]);
  });

  it("neither holds nor keeps a side whose partners' partition delivered only dead letters", async () => {
    const { pipeline, sink, dead, advanceWall } = setup(); // maxPending 100
    const ids = Array.from({ length: 101 }, (_, i) => `r${i}`);
    const legacy = ids.map((id, i) => envelope("legacy", id, T0 + i * 100));
    await pipeline.handleBatch({ ...batch("L", 0, 0, legacy), highWatermark: 101 });
    await pipeline.handleBatch({ ...batch("N", 0, 0, ["{nope", "{nope"]), highWatermark: 2 });
    expect(dead).toHaveLength(2);
    // Read to its end with nothing valid: holding legacy back would bring no partner, only a stall.
    expect(pipeline.fullPartitions()).toEqual([]);
    advanceWall(31_000);
    // The dead letters are read but not yet committed: lag, not unread events.
    pipeline.observeLag(
      [
        { topic: "N", partition: 0, lag: 2, highWatermark: 2 },
        { topic: "L", partition: 0, lag: 101, highWatermark: 101 },
      ],
      WALL0 + 31_000,
    );
    pipeline.tick();
    await pipeline.drain();
    expect(sink.stored.filter((o) => !o.paired).map((o) => o.correlation_id)).toEqual(ids);
  });

  it("does not hold a full window's side once the lag probe finds its partners' partition empty", async () => {
    const { pipeline, sink, advanceWall } = setup();
    const ids = Array.from({ length: 101 }, (_, i) => `r${i}`);
    const legacy = ids.map((id, i) => envelope("legacy", id, T0 + i * 10));
    await pipeline.handleBatch({ ...batch("L", 0, 0, legacy), highWatermark: 101 });
    // Unknown yet: the partners may be on their way, so legacy is held.
    expect(pipeline.fullPartitions()).toEqual([{ partition: 0, ahead: "legacy" }]);
    pipeline.observeLag([{ topic: "N", partition: 0, lag: 0, highWatermark: 0 }], WALL0);
    expect(pipeline.fullPartitions()).toEqual([]);
    advanceWall(31_000);
    await pipeline.handleBatch({
      ...batch("L", 0, 101, [envelope("legacy", "late", T0 + 2_000)]),
      highWatermark: 102,
    });
    advanceWall(31_000);
    pipeline.observeLag([{ topic: "L", partition: 0, lag: 102, highWatermark: 102 }], WALL0 + 62_000);
    pipeline.tick();
    await pipeline.drain();
    // By legacy's own time, no longer frozen by a hold: its silence since its last event.
    expect(sink.stored.filter((o) => !o.paired)).toHaveLength(102);
  });

  it("takes a stream released from a hold for caught up once the lag probe finds nothing unread", async () => {
    const { pipeline, sink, advanceWall, ids } = await legacyHeld();
    const partners = ids.slice(1, 61).map((id, i) => envelope("new", id, T0 + (i + 1) * 100));
    await pipeline.handleBatch(batch("N", 0, 2, partners));
    expect(pipeline.fullPartitions()).toEqual([]); // released
    advanceWall(31_000);
    pipeline.tick();
    await pipeline.drain();
    const given = () => sink.stored.filter((o) => !o.paired).map((o) => o.correlation_id);
    // Not read while held: it may hold solo's partner, whatever its last fetch said.
    expect(given()).not.toContain("solo");
    pipeline.observeLag([{ topic: "L", partition: 0, lag: 41, highWatermark: 101 }], WALL0 + 31_000);
    pipeline.tick();
    await pipeline.drain();
    expect(given()).toContain("solo");
  });

  it("moves event time on once a caught-up side goes silent", async () => {
    const { pipeline, sink, advanceWall } = setup();
    await pipeline.handleBatch(batch("L", 0, 0, [envelope("legacy", "a", T0), envelope("legacy", "b", T0)]));
    await pipeline.handleBatch(batch("N", 0, 0, [envelope("new", "a", T0)]));
    advanceWall(31_000);
    pipeline.tick();
    await pipeline.drain();
    expect(sink.stored.map((o) => [o.correlation_id, o.paired])).toEqual([
      ["a", true],
      ["b", false],
    ]);
  });

  it("sends an invalid message to the dead-letter sink and goes on with the partition", async () => {
    const { pipeline, sink, dead } = setup();
    await pipeline.handleBatch(
      batch("L", 1, 7, ["{nope", envelope("legacy", "a", T0), JSON.stringify({ schema: "x" })]),
    );
    await pipeline.handleBatch(batch("N", 1, 0, [envelope("new", "a", T0)]));
    await pipeline.drain();
    expect(dead.map((d) => d.offset)).toEqual([7, 9]);
    expect(dead[0]?.reason).toMatch(/^not JSON/);
    expect(sink.stored).toHaveLength(1);
    expect(pipeline.offsets.takeCommittable()).toContainEqual({ topic: "L", partition: 1, offset: 10 });
  });

  it("retries a dead letter the sink refuses, holding its offset, and neither the batch nor the service fails", async () => {
    const { pipeline, sink, dead, errors } = setup({ deadLetterFailures: 2 });
    await pipeline.handleBatch(batch("L", 1, 7, ["{nope", envelope("legacy", "a", T0)]));
    // The batch went on: the partner in the next batch pairs while the dead letter is retried.
    await pipeline.handleBatch(batch("N", 1, 0, [envelope("new", "a", T0)]));
    await pipeline.drain();
    expect(errors.map((e) => (e as Error).message)).toEqual([
      "dead-letter topic: not authorized",
      "dead-letter topic: not authorized",
    ]);
    expect(dead.map((d) => d.offset)).toEqual([7]);
    expect(sink.stored.map((o) => [o.correlation_id, o.paired])).toEqual([["a", true]]);
    expect(pipeline.offsets.takeCommittable()).toContainEqual({ topic: "L", partition: 1, offset: 9 });
  });

  it("holds a dead letter's offset while its sends fail, and the batch back once 1,000 are unsent", async () => {
    const { pipeline, sink, errors } = setup({ deadLetterFailures: Number.POSITIVE_INFINITY });
    await pipeline.handleBatch(batch("L", 1, 7, ["{nope", envelope("legacy", "a", T0)]));
    await pipeline.handleBatch(batch("N", 1, 0, [envelope("new", "a", T0)]));
    await vi.waitFor(() => expect(sink.stored).toHaveLength(1));
    expect(pipeline.offsets.takeCommittable()).toEqual([
      { topic: "L", partition: 1, offset: 7 },
      { topic: "N", partition: 1, offset: 1 },
    ]);
    expect([pipeline.deadLettersUnsent, pipeline.deadLettersHoldIntake]).toEqual([1, false]);
    let handled = false;
    const many = batch(
      "L",
      2,
      0,
      Array.from({ length: 1_000 }, () => "{nope"),
    );
    const more = pipeline.handleBatch(many).then(() => {
      handled = true;
    });
    await vi.waitFor(() => expect(errors.length).toBeGreaterThan(1_000));
    expect(handled).toBe(false); // the 1,001st unsent dead letter holds the batch
    expect([pipeline.deadLettersUnsent, pipeline.deadLettersHoldIntake]).toEqual([1_001, true]);
    pipeline.stop();
    await more;
    await pipeline.drain();
    expect(pipeline.offsets.takeCommittable()).toEqual([{ topic: "L", partition: 2, offset: 0 }]);
  });

  it("counts conflicting duplicates among the unsent dead letters, and holds the batch back past 1,000", async () => {
    const { pipeline } = setup({ deadLetterFailures: Number.POSITIVE_INFINITY, maxPending: 10_000 });
    // Each request's legacy event twice, with different bytes: the second is a conflict.
    const lines = Array.from({ length: 1_001 }, (_, i) => [
      envelope("legacy", `c${i}`, T0),
      envelope("legacy", `c${i}`, T0 + 1),
    ]).flat();
    let handled = false;
    const more = pipeline.handleBatch(batch("L", 0, 0, lines)).then(() => {
      handled = true;
    });
    await vi.waitFor(() => expect(pipeline.deadLettersUnsent).toBe(1_001));
    await new Promise((r) => setTimeout(r, 20));
    expect([handled, pipeline.deadLettersHoldIntake]).toEqual([false, true]);
    pipeline.stop();
    await more;
  });

  it("lets a stop end a batch held by dead-letter sends that never settle, resolving nothing after them", async () => {
    const { pipeline } = setup({ deadLettersHang: true });
    const lines = [...Array.from({ length: 1_001 }, () => "{nope"), envelope("legacy", "after", T0)];
    const held = pipeline.handleBatch(batch("L", 0, 0, lines));
    await vi.waitFor(() => expect(pipeline.deadLettersHoldIntake).toBe(true));
    expect(pipeline.oldestUnsentDeadLetterMs).toBe(WALL0);
    pipeline.stop();
    await held; // used to wait for a send that never ends
    expect(pipeline.pendingEvents()).toBe(0); // the event after them was not taken: re-read later
    expect(pipeline.offsets.takeCommittable()).toEqual([{ topic: "L", partition: 0, offset: 0 }]);
  });

  it("commits nothing past an outcome the store failed to write, and retries it until it is stored", async () => {
    const { pipeline, sink, errors } = setup();
    sink.failing = true;
    await pipeline.handleBatch(batch("L", 0, 0, [envelope("legacy", "a", T0)]));
    await pipeline.handleBatch(batch("N", 0, 0, [envelope("new", "a", T0)]));
    await new Promise((r) => setTimeout(r, 50));
    expect(errors.length).toBeGreaterThan(0);
    expect(pipeline.offsets.takeCommittable()).toEqual([
      { topic: "L", partition: 0, offset: 0 },
      { topic: "N", partition: 0, offset: 0 },
    ]);
    sink.failing = false;
    await pipeline.drain();
    expect(sink.stored.map((o) => o.correlation_id)).toEqual(["a"]);
    expect(pipeline.offsets.takeCommittable()).toEqual([
      { topic: "L", partition: 0, offset: 1 },
      { topic: "N", partition: 0, offset: 1 },
    ]);
  });

  it("stops retrying at once on stop: a backoff between attempts is cut short, nothing is committed", async () => {
    vi.useFakeTimers();
    try {
      const { pipeline, sink, errors } = setup();
      sink.failing = true;
      await pipeline.handleBatch(batch("L", 0, 0, [envelope("legacy", "a", T0)]));
      await pipeline.handleBatch(batch("N", 0, 0, [envelope("new", "a", T0)]));
      await vi.waitFor(() => expect(errors.length).toBe(1));
      // The work now waits out its backoff on a timer that never fires unless the stop wakes it.
      pipeline.stop();
      await pipeline.drain();
      expect(errors).toHaveLength(1);
      expect(sink.stored).toEqual([]);
      expect(pipeline.offsets.takeCommittable()).toEqual([
        { topic: "L", partition: 0, offset: 0 },
        { topic: "N", partition: 0, offset: 0 },
      ]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("retries unpaired events given up together without storing or counting the stored ones again", async () => {
    const sink = new MemorySink();
    const counted: string[] = [];
    let wall = WALL0;
    let failuresLeft = 1;
    const pipeline = new StreamPipeline({
      evaluator: maker({
        ...fakeDiffer,
        diffUnpaired: async (o) => {
          if (o.event.correlationId === "second" && failuresLeft-- > 0) throw new Error("worker died");
          return outcome(o.event.correlationId, false);
        },
      }),
      sink,
      deadLetters: { send: async () => {}, close: async () => {} },
      window: { windowMs: 30_000, maxPending: 100 },
      topics: { legacy: "L", new: "N" },
      pairedAlready: async () => new Set(),
      now: () => wall,
      // The in-process maker counts with the outcome itself.
      onOutcome: (o) => counted.push((o as PairOutcome).correlationId),
    });
    await pipeline.handleBatch(
      batch("L", 0, 0, [envelope("legacy", "first", T0), envelope("legacy", "second", T0)]),
    );
    wall += 31_000;
    pipeline.tick();
    await pipeline.drain();
    expect(sink.stored.map((o) => o.correlation_id).sort()).toEqual(["first", "second"]);
    expect(counted.sort()).toEqual(["first", "second"]);
  });

  it("dead-letters an event dated far in the future instead of letting it hold event time", async () => {
    const { pipeline, dead } = setup();
    await pipeline.handleBatch(batch("L", 0, 0, [envelope("legacy", "future", T0 + 3_600_000)]));
    await pipeline.drain();
    expect(dead.map((d) => d.reason)).toEqual([expect.stringContaining("in the future")]);
    expect(pipeline.offsets.takeCommittable()).toEqual([{ topic: "L", partition: 0, offset: 1 }]);
  });

  it("does not route a re-read of an offset it already holds", async () => {
    const { pipeline, sink } = setup();
    const l = batch("L", 0, 0, [envelope("legacy", "a", T0)]);
    await pipeline.handleBatch(l);
    await pipeline.handleBatch(l); // the same offset again (e.g. a seek back after a rebalance)
    expect(pipeline.offsets.takeCommittable()).toEqual([{ topic: "L", partition: 0, offset: 0 }]);
    await pipeline.handleBatch(batch("N", 0, 0, [envelope("new", "a", T0)]));
    await pipeline.drain();
    expect(sink.stored).toHaveLength(1);
  });

  it("drops a re-read half of a pair that is already stored instead of reporting it unpaired", async () => {
    const { pipeline, sink, advanceWall, released } = setup({ alreadyPaired: ["a"] });
    await pipeline.handleBatch(batch("L", 0, 3, [envelope("legacy", "a", T0)]));
    advanceWall(31_000);
    pipeline.tick();
    await pipeline.drain();
    expect(sink.stored).toEqual([]);
    expect(released).toEqual(["a"]);
    expect(pipeline.offsets.takeCommittable()).toEqual([{ topic: "L", partition: 0, offset: 4 }]);
  });

  it("resolves a redelivered message at once and stores the pair once", async () => {
    const { pipeline, sink, released } = setup();
    const l = envelope("legacy", "a", T0);
    await pipeline.handleBatch(batch("L", 0, 0, [l, l]));
    await pipeline.handleBatch(batch("N", 0, 0, [envelope("new", "a", T0)]));
    await pipeline.drain();
    expect(sink.stored).toHaveLength(1);
    expect(released).toEqual(["a"]); // the redelivered copy; the first went into the pair
    expect(pipeline.offsets.takeCommittable()).toContainEqual({ topic: "L", partition: 0, offset: 2 });
  });

  it("reports the partitions whose window reached the limit, for backpressure", async () => {
    const { pipeline } = setup();
    const many = Array.from({ length: 100 }, (_, i) => envelope("legacy", `c${i}`, T0 + i));
    await pipeline.handleBatch(batch("L", 2, 0, many));
    expect(pipeline.fullPartitions()).toEqual([{ partition: 2, ahead: "legacy" }]);
    expect(pipeline.pendingEvents()).toBe(100);
  });

  it("dead-letters a token lifecycle event when the config has no lifecycle section", async () => {
    const { pipeline, dead } = setup();
    await pipeline.handleBatch(batch("T", 0, 0, [tokenEnvelope("legacy", "s1", T0)]));
    await pipeline.drain();
    expect(dead).toEqual([
      { offset: 0, reason: "a token lifecycle event, but the config has no lifecycle section" },
    ]);
    expect(pipeline.offsets.takeCommittable()).toEqual([{ topic: "T", partition: 0, offset: 1 }]);
  });

  it("stores a token event's fact before its offset resolves, retrying a failed store, never pairing it", async () => {
    const stored: SessionFact[] = [];
    let failures = 1;
    const { pipeline, sink, errors } = setup({
      lifecycle: {
        observe: async (o) =>
          ({ session: o.event.sessionId, source: o.source, side: o.event.side }) as SessionFact,
        store: async (fact) => {
          if (failures-- > 0) throw new Error("store down");
          stored.push(fact);
        },
      },
    });
    await pipeline.handleBatch(
      batch("T", 3, 5, [tokenEnvelope("legacy", "s1", T0), tokenEnvelope("new", "s1", T0)]),
    );
    // Nothing past the fact that failed to store: the next offset to read stays 5.
    expect(pipeline.offsets.takeCommittable()).toEqual([{ topic: "T", partition: 3, offset: 5 }]);
    await pipeline.drain();
    expect(stored.map((f) => `${f.session} ${f.side} ${f.source}`).sort()).toEqual([
      "s1 legacy T/3",
      "s1 new T/3",
    ]);
    expect(errors).toHaveLength(1);
    expect(sink.stored).toEqual([]);
    expect(pipeline.pendingEvents()).toBe(0);
    expect(pipeline.offsets.takeCommittable()).toEqual([{ topic: "T", partition: 3, offset: 7 }]);
  });

  it("hands a source's facts to the store in arrival order, however their verifications finish", async () => {
    const stored: string[] = [];
    const verified = new Map<string, () => void>();
    const { pipeline } = setup({
      lifecycle: {
        // Each verification finishes when the test says so: here, the last one first.
        observe: (o) =>
          new Promise((resolve) => {
            verified.set(o.event.sessionId, () =>
              resolve({ session: o.event.sessionId, source: o.source } as SessionFact),
            );
          }),
        store: async (fact) => void stored.push(`${fact.source} ${fact.session}`),
      },
    });
    const sessions = ["s0", "s1", "s2", "s3"];
    await pipeline.handleBatch(
      batch(
        "T",
        0,
        0,
        sessions.map((s, i) => tokenEnvelope("legacy", s, T0 + i)),
      ),
    );
    await pipeline.handleBatch(batch("T", 1, 0, [tokenEnvelope("new", "p1", T0)]));
    const settle = async (session: string) => {
      verified.get(session)?.();
      await new Promise((r) => setTimeout(r, 0));
    };
    for (const s of ["s3", "s1", "p1"]) await settle(s);
    // s0 is still verifying: nothing after it on T/0 may go first; the other partition is not held.
    expect(stored).toEqual(["T/1 p1"]);
    await settle("s0");
    expect(stored).toEqual(["T/1 p1", "T/0 s0", "T/0 s1"]);
    await settle("s2");
    await pipeline.drain();
    expect(stored).toEqual(["T/1 p1", "T/0 s0", "T/0 s1", "T/0 s2", "T/0 s3"]);
    expect(pipeline.offsets.takeCommittable()).toEqual(
      expect.arrayContaining([
        { topic: "T", partition: 0, offset: 4 },
        { topic: "T", partition: 1, offset: 1 },
      ]),
    );
  });

  it("stores nothing of a source past a token event given up on stop", async () => {
    const stored: string[] = [];
    const { pipeline } = setup({
      lifecycle: {
        observe: async (o) => {
          if (o.event.sessionId === "s0") throw new Error("keys unavailable");
          return { session: o.event.sessionId, source: o.source } as SessionFact;
        },
        store: async (fact) => void stored.push(`${fact.source} ${fact.session}`),
      },
    });
    await pipeline.handleBatch(
      batch("T", 0, 0, [tokenEnvelope("legacy", "s0", T0), tokenEnvelope("legacy", "s1", T0 + 1)]),
    );
    await pipeline.handleBatch(batch("T", 1, 0, [tokenEnvelope("new", "p1", T0)]));
    await new Promise((r) => setTimeout(r, 0));
    expect(stored).toEqual(["T/1 p1"]);
    pipeline.stop();
    await pipeline.drain();
    expect(stored).toEqual(["T/1 p1"]);
    expect(pipeline.offsets.takeCommittable()).toEqual(
      expect.arrayContaining([{ topic: "T", partition: 1, offset: 1 }]),
    );
  });

  it("says it is backlogged while as many token events as a window holds wait to be stored", async () => {
    const { pipeline } = setup({
      lifecycle: {
        observe: async () => {
          throw new Error("keys unavailable");
        },
        store: async () => {},
      },
    });
    const events = Array.from({ length: 100 }, (_, i) => tokenEnvelope("legacy", `s${i}`, T0));
    await pipeline.handleBatch(batch("T", 0, 0, events.slice(0, 99)));
    expect(pipeline.tokenEventsBacklogged).toBe(false);
    await pipeline.handleBatch(batch("T", 0, 99, events.slice(99)));
    expect(pipeline.tokenEventsBacklogged).toBe(true);
    expect(pipeline.httpTokenEventsInFlight).toBe(0);
    pipeline.acceptTokenEvent({ event: JSON.parse(events[0] as string), observedAtMs: T0, source: "http" });
    expect(pipeline.httpTokenEventsInFlight).toBe(1);
    expect(pipeline.offsets.takeCommittable()).toEqual([{ topic: "T", partition: 0, offset: 0 }]);
    pipeline.stop();
    await pipeline.drain();
  });
});

describe("StreamPipeline, when judging a pair ends its worker thread", () => {
  const idOf = (h: EventHandle) => (h as unknown as ObservedEvent).event.correlationId;
  const blamed = () =>
    new JudgementFailed("a differ worker exited (code 3), while it was judging this request", "exited");

  /**
   * An evaluator whose pairs and unpaired events named `poison` fail with `failure(try)` (or
   * succeed once it returns undefined); every call's options are noted.
   */
  function losing(failure: (attempt: number) => Error | undefined) {
    const calls: { id: string; options: PairOptions | undefined }[] = [];
    const fail = (id: string) =>
      id === "poison" ? failure(calls.filter((c) => c.id === "poison").length) : undefined;
    const wrap = (local: Evaluator): Evaluator => ({
      ...local,
      pair: async (l, n, options) => {
        calls.push({ id: idOf(l), options });
        const error = fail(idOf(l));
        if (error) throw error;
        return local.pair(l, n, options);
      },
      unpaired: async (o, detail) => {
        calls.push({ id: idOf(o), options: undefined });
        const error = fail(idOf(o));
        if (error) throw error;
        return local.unpaired(o, detail);
      },
    });
    return { calls, wrap, of: (id: string) => calls.filter((c) => c.id === id).map((c) => c.options) };
  }

  const pairs = (ids: string[]) => ({
    legacy: batch(
      "L",
      0,
      0,
      ids.map((id) => envelope("legacy", id, T0)),
    ),
    next: batch(
      "N",
      0,
      0,
      ids.map((id) => envelope("new", id, T0)),
    ),
  });

  it("narrows each try after a loss blamed on the pair: its decisions only, then no policy; stores it once and commits past it", async () => {
    const { wrap, of } = losing((attempt) => (attempt <= 2 ? blamed() : undefined));
    const { pipeline, sink, dead } = setup({ wrap });
    const { legacy, next } = pairs(["a", "poison", "b"]);
    await pipeline.handleBatch(legacy);
    await pipeline.handleBatch(next);
    await pipeline.drain();
    expect(of("poison")).toEqual([
      {},
      { onlyDecisions: true },
      {
        skipPolicy: expect.stringMatching(
          /^judging it failed twice \(the latest: a differ worker exited \(code 3\), while it was judging this request\); the policy was not asked again$/,
        ),
      },
    ]);
    // The other pairs were asked once each, in full.
    expect([...of("a"), ...of("b")]).toEqual([{}, {}]);
    expect(sink.stored.map((o) => o.correlation_id).sort()).toEqual(["a", "b", "poison"]);
    expect(dead).toEqual([]);
    expect(pipeline.offsets.takeCommittable()).toEqual([
      { topic: "L", partition: 0, offset: 3 },
      { topic: "N", partition: 0, offset: 3 },
    ]);
  });

  it("sets aside a pair still blamed without the policy: both events dead-lettered, the partition committed past them", async () => {
    const { wrap, of } = losing(() => blamed());
    const { pipeline, sink, dead, rejected } = setup({ wrap });
    const { legacy, next } = pairs(["a", "poison"]);
    await pipeline.handleBatch(legacy);
    await pipeline.handleBatch(next);
    await pipeline.drain();
    expect(of("poison")).toHaveLength(3);
    expect(sink.stored.map((o) => o.correlation_id)).toEqual(["a"]);
    expect(dead.map((d) => d.offset)).toEqual([1, 1]);
    for (const d of dead)
      expect(d.reason).toMatch(
        /^set aside, not retried: judging it failed 3 times \(the latest: .*\); its partition goes on without it$/,
      );
    expect(rejected.map((r) => r.category)).toEqual(["set_aside", "set_aside"]);
    expect(sink.setAside).toEqual([
      {
        // The id its outcome would have: a replay that judges it is stored under the same pair.
        pair_id: pairIdOf({ correlationId: "poison", paired: true, onlySide: null }),
        correlation_id: "poison",
        only_side: "",
        event_time: "2026-11-01 10:00:00.000",
        reason: dead[0]?.reason,
        sources: ["L/0@1", "N/0@1"],
      },
    ]);
    expect(pipeline.offsets.takeCommittable()).toEqual([
      { topic: "L", partition: 0, offset: 2 },
      { topic: "N", partition: 0, offset: 2 },
    ]);
  });

  it("records a set-aside in the store before its dead letters: while the store fails, nothing is sent nor committed", async () => {
    const { wrap } = losing(() => blamed());
    const { pipeline, sink, dead, errors } = setup({ wrap });
    const { legacy, next } = pairs(["poison"]);
    sink.failing = true;
    await pipeline.handleBatch(legacy);
    await pipeline.handleBatch(next);
    await vi.waitFor(() => expect(errors.map(String)).toContain("Error: store down"), { timeout: 5000 });
    expect(dead).toEqual([]);
    expect(pipeline.offsets.takeCommittable()).toEqual([
      { topic: "L", partition: 0, offset: 0 },
      { topic: "N", partition: 0, offset: 0 },
    ]);
    sink.failing = false;
    await pipeline.drain();
    expect(sink.setAside.map((r) => r.correlation_id)).toEqual(["poison"]);
    expect(dead.map((d) => d.offset)).toEqual([0, 0]);
    expect(pipeline.offsets.takeCommittable()).toEqual([
      { topic: "L", partition: 0, offset: 1 },
      { topic: "N", partition: 0, offset: 1 },
    ]);
  });

  it("holds a set-aside pair's offsets while its dead letters fail, and resolves them once sent", async () => {
    const { wrap } = losing(() => blamed());
    const { pipeline, dead, errors } = setup({ wrap, deadLetterFailures: 2 });
    const { legacy, next } = pairs(["poison"]);
    await pipeline.handleBatch(legacy);
    await pipeline.handleBatch(next);
    await pipeline.drain();
    // Three losses, then two refused sends: each reported, neither event lost.
    expect(errors.map((e) => String(e))).toEqual([
      ...Array(3).fill(expect.stringContaining("while it was judging this request")),
      ...Array(2).fill(expect.stringContaining("dead-letter topic: not authorized")),
    ]);
    expect(dead.map((d) => d.offset)).toEqual([0, 0]);
    expect(pipeline.offsets.takeCommittable()).toEqual([
      { topic: "L", partition: 0, offset: 1 },
      { topic: "N", partition: 0, offset: 1 },
    ]);
  });

  it("over HTTP, dead-letters a set-aside event's envelope, replayable, and records it in the store", async () => {
    const { wrap } = losing(() => blamed());
    const { pipeline, sink, dead, letters, rejected } = setup({ wrap });
    for (const side of ["legacy", "new"] as const) {
      const parsed = parseEvent(envelope(side, "poison", T0));
      if (!parsed.ok) throw new Error(parsed.reason);
      pipeline.acceptEvent(parsed, `${side}:poison`);
    }
    await pipeline.drain();
    expect(sink.stored).toEqual([]);
    expect(sink.setAside.map((r) => [r.correlation_id, r.only_side, r.sources])).toEqual([
      ["poison", "", ["http", "http"]],
    ]);
    expect(dead.map((d) => d.offset)).toEqual([-1, -1]);
    expect(letters.map((l) => [l.topic, l.partition, l.key])).toEqual([
      ["http", -1, "poison"],
      ["http", -1, "poison"],
    ]);
    // The envelope as validated: parsed again, it is the same event, ready to be replayed.
    const replayed = letters.map((l) => parseEvent(l.value?.toString("utf8") ?? ""));
    expect(replayed.map((r) => (r.ok ? [r.event.side, r.event.correlationId, r.observedAtMs] : r))).toEqual([
      ["legacy", "poison", T0],
      ["new", "poison", T0],
    ]);
    expect(rejected).toEqual([
      { category: "set_aside", reason: expect.stringMatching(/^set aside, not retried/) },
      { category: "set_aside", reason: expect.stringMatching(/^set aside, not retried/) },
    ]);
  });

  it("over HTTP without a dead-letter topic, reports a set-aside event once and records it, sending nothing", async () => {
    const { wrap } = losing(() => blamed());
    const missing = "no dead-letter topic without Kafka";
    const { pipeline, sink, dead, rejected, errors } = setup({ wrap, noDeadLetterTopic: missing });
    for (const side of ["legacy", "new"] as const) {
      const parsed = parseEvent(envelope(side, "poison", T0));
      if (!parsed.ok) throw new Error(parsed.reason);
      pipeline.acceptEvent(parsed, `${side}:poison`);
    }
    await pipeline.drain();
    expect(sink.setAside.map((r) => [r.correlation_id, r.sources])).toEqual([["poison", ["http", "http"]]]);
    expect(dead).toEqual([]);
    expect(pipeline.deadLettersUnsent).toBe(0);
    // Only the three blamed judgements: no send was tried and failed.
    expect(errors.map(String)).toEqual(
      Array(3).fill(expect.stringContaining("while it was judging this request")),
    );
    const notSent = new RegExp(`^set aside, not retried.*\\(not dead-lettered: ${missing}\\)$`);
    expect(rejected).toEqual([
      { category: "set_aside", reason: expect.stringMatching(notSent) },
      { category: "set_aside", reason: expect.stringMatching(notSent) },
    ]);
  });

  it("never narrows nor sets aside a pair whose failures were not blamed on it: it waited behind another job", async () => {
    const { wrap, of } = losing((attempt) =>
      attempt <= 3 ? new Error("a differ worker exited (code 3)") : undefined,
    );
    const { pipeline, sink, dead, errors } = setup({ wrap });
    const { legacy, next } = pairs(["poison"]);
    await pipeline.handleBatch(legacy);
    await pipeline.handleBatch(next);
    await pipeline.drain();
    expect(of("poison")).toEqual([{}, {}, {}, {}]);
    expect(errors).toHaveLength(3);
    expect(sink.stored.map((o) => o.correlation_id)).toEqual(["poison"]);
    expect(dead).toEqual([]);
  });

  it("counts a judgement that throws like a lost worker, on this thread too; not an error before it", async () => {
    const asked: PairOptions[] = [];
    let verifyFailures = 2;
    const differ: PairDiffer = {
      ...twoStep(fakeDiffer),
      preparePair: async (l, _n, options = {}) => {
        // Two failures of the verification first: retried, never counted.
        if (verifyFailures-- > 0) throw new Error("key set fetch failed");
        asked.push(options);
        return () => {
          if (options.skipPolicy === undefined) throw new TypeError("cannot read properties of undefined");
          return outcome(l.event.correlationId, true);
        };
      },
    };
    const { pipeline, sink, errors } = setup({
      wrap: () => createLocalEvaluator(createOutcomeMaker(makerDeps(differ))),
    });
    const { legacy, next } = pairs(["poison"]);
    await pipeline.handleBatch(legacy);
    await pipeline.handleBatch(next);
    await pipeline.drain();
    expect(asked).toEqual([
      {},
      { onlyDecisions: true },
      {
        skipPolicy: expect.stringMatching(
          /^judging it failed twice \(the latest: its judgement threw TypeError: cannot read properties of undefined\); the policy was not asked again$/,
        ),
      },
    ]);
    expect(errors.map((e) => String(e))).toEqual([
      "Error: key set fetch failed",
      "Error: key set fetch failed",
      "JudgementFailed: its judgement threw TypeError: cannot read properties of undefined",
      "JudgementFailed: its judgement threw TypeError: cannot read properties of undefined",
    ]);
    expect(sink.stored.map((o) => o.correlation_id)).toEqual(["poison"]);
  });

  it("sets aside an unpaired event blamed twice, and stores the others given up with it", async () => {
    const { wrap, of } = losing(() => blamed());
    const { pipeline, sink, dead, advanceWall } = setup({ wrap });
    await pipeline.handleBatch(
      batch("L", 0, 0, [envelope("legacy", "alone", T0), envelope("legacy", "poison", T0)]),
    );
    advanceWall(31_000);
    pipeline.tick();
    await pipeline.drain();
    expect(of("poison")).toHaveLength(2);
    expect(of("alone")).toHaveLength(1);
    expect(sink.stored.map((o) => o.correlation_id)).toEqual(["alone"]);
    expect(dead).toEqual([
      {
        offset: 1,
        reason: expect.stringMatching(/^set aside, not retried: judging it failed twice/),
      },
    ]);
    expect(sink.setAside.map((r) => [r.correlation_id, r.only_side, r.sources])).toEqual([
      ["poison", "legacy", ["L/0@1"]],
    ]);
    expect(pipeline.offsets.takeCommittable()).toContainEqual({ topic: "L", partition: 0, offset: 2 });
  });
});
