import { describe, expect, it } from "vitest";
import { DEMO_LEGACY_JWT_SECRET } from "../../examples/health-tech/demo-secrets.js";
import type { KeyedMessage, MirrorProducer } from "../ingest/kafka/kafka-producer.js";
import { FakeClock } from "./fake-clock.fixture.js";
import { defaultBatchSize, MAX_BATCH, simulateTraffic } from "./simulate-traffic.js";

interface Sent {
  topic: string;
  messages: KeyedMessage[];
  atMs: number;
}

/** Records every send with the (fake) time it happened. */
class RecordingProducer implements MirrorProducer {
  readonly sends: Sent[] = [];
  closed = false;
  constructor(private readonly clock: FakeClock) {}
  async send(topic: string, messages: readonly KeyedMessage[]): Promise<void> {
    this.sends.push({ topic, messages: [...messages], atMs: this.clock.now() });
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  messages(topic: string): KeyedMessage[] {
    return this.sends.filter((s) => s.topic === topic).flatMap((s) => s.messages);
  }
}

const topics = { legacy: "mirror.legacy", new: "mirror.new" };
const parse = (m: KeyedMessage) =>
  JSON.parse(String(m.value)) as { side: string; correlationId: string; observedAt: string };

function run(
  clock: FakeClock,
  producer: MirrorProducer,
  extra: {
    signal?: AbortSignal;
    batchSize?: number;
    tokens?: string;
    startAtMs?: number;
    prepare?: boolean;
  } = {},
) {
  const { tokens, ...rest } = extra;
  return simulateTraffic({
    producer,
    topics: tokens ? { ...topics, tokens } : topics,
    eventsPerSecond: 1_000,
    durationSeconds: 0.6,
    seed: 42,
    legacySecret: DEMO_LEGACY_JWT_SECRET,
    clock,
    ...rest,
  });
}

function parsedOrNothing(value: string): { sessionId?: string } {
  try {
    return JSON.parse(value) as { sessionId?: string };
  } catch {
    return {};
  }
}

describe("simulateTraffic", () => {
  it("sends the token lifecycle events to the tokens topic, keyed by session, before the requests that need them", async () => {
    const clock = new FakeClock();
    const producer = new RecordingProducer(clock);
    const summary = await run(clock, producer, { tokens: "mirror.tokens" });
    const tokens = producer.messages("mirror.tokens");
    expect(summary).toMatchObject({ planned: 600, sent: 600, completed: true, lifecycle: tokens.length });
    expect(tokens.length).toBeGreaterThan(0);
    const sessions = new Set<string>();
    for (const m of tokens) {
      const e = JSON.parse(String(m.value)) as { schema: string; sessionId: string };
      expect(e.schema).toBe("entitlement-diff.token.v1");
      expect(m.key).toBe(e.sessionId);
      sessions.add(e.sessionId);
    }
    // Topics of one batch are sent together: a session's login goes out no later than its first request.
    const firstUse = new Map<string, number>();
    const login = new Map<string, number>();
    for (const send of producer.sends)
      for (const m of send.messages) {
        const e = parsedOrNothing(String(m.value));
        if (!e.sessionId) continue; // the demo's planted truncated line
        const seen = send.topic === "mirror.tokens" ? login : firstUse;
        seen.set(e.sessionId, Math.min(seen.get(e.sessionId) ?? send.atMs, send.atMs));
      }
    for (const [session, used] of firstUse)
      expect(login.get(session) ?? Infinity, session).toBeLessThanOrEqual(used);
    expect(sessions.size).toBe(login.size);
  });

  it("sends rate × duration demo events, each side to its topic keyed by correlationId", async () => {
    const clock = new FakeClock();
    const producer = new RecordingProducer(clock);
    const summary = await run(clock, producer);
    expect(summary).toMatchObject({ planned: 600, sent: 600, completed: true, targetRate: 1_000, seed: 42 });
    const legacy = producer.messages(topics.legacy);
    const next = producer.messages(topics.new);
    expect(legacy.length + next.length).toBe(600);
    expect(summary.bySide).toEqual({ legacy: legacy.length, new: next.length });
    for (const m of next) expect(parse(m)).toMatchObject({ side: "new", correlationId: m.key });
    const unkeyed = legacy.filter((m) => m.key === null);
    expect(unkeyed).toHaveLength(summary.unkeyed);
    expect(summary.unkeyed).toBe(1); // the planted truncated line
    expect(() => JSON.parse(String(unkeyed[0]?.value))).toThrow();
    for (const m of legacy.filter((l) => l.key !== null)) expect(parse(m).correlationId).toBe(m.key);
    expect(summary.expected?.totals.lines).toBe(600);
    expect(summary.expected?.totals.pairs).toBeGreaterThan(250);
  });

  it("paces the sends: no batch leaves before its last event is due, and the run takes duration", async () => {
    const clock = new FakeClock();
    const startMs = clock.now();
    const producer = new RecordingProducer(clock);
    const summary = await run(clock, producer, { batchSize: 50 });
    let sent = 0;
    const perSend = new Map<number, number>();
    for (const s of producer.sends) perSend.set(s.atMs, (perSend.get(s.atMs) ?? 0) + s.messages.length);
    for (const [atMs, n] of [...perSend].sort(([a], [b]) => a - b)) {
      expect(n).toBeLessThanOrEqual(50);
      sent += n;
      expect(atMs).toBeGreaterThanOrEqual(startMs + sent); // 1,000/s: event k is due at start + k ms
    }
    expect(summary.elapsedMs).toBe(600);
    expect(summary.achievedRate).toBeCloseTo(1_000, 6);
  });

  it("starts event time at the start of the run and advances it with the rate", async () => {
    const clock = new FakeClock();
    const startMs = clock.now();
    const producer = new RecordingProducer(clock);
    const summary = await run(clock, producer);
    expect(summary.start).toBe(new Date(startMs).toISOString());
    // Legacy events carry the request's time; the new side's mirror is -150..+400 ms off it.
    // The planted conflict re-sends one legacy event re-stamped 1.2 s later: the first one counts.
    const firstSeen = new Map<string, number>();
    for (const m of producer.messages(topics.legacy)) {
      const key = m.key === null ? null : String(m.key);
      if (key === null || firstSeen.has(key)) continue;
      firstSeen.set(key, Date.parse(parse(m).observedAt) - startMs);
    }
    const times = [...firstSeen.values()];
    expect(Math.min(...times)).toBeGreaterThanOrEqual(0);
    expect(Math.min(...times)).toBeLessThan(50);
    // 600 events at 1,000/s: the last request is ~600 ms in (exponential gaps: a few % of noise)
    expect(Math.max(...times)).toBeGreaterThan(450);
    expect(Math.max(...times)).toBeLessThan(750);
  });

  it("prepared ahead of a later start: the same messages in the same order, none sent before the start, dated from it", async () => {
    const sendings = await Promise.all(
      [false, true].map(async (prepare) => {
        const clock = new FakeClock();
        const startAtMs = clock.now() + 5_000;
        const producer = new RecordingProducer(clock);
        const summary = await run(clock, producer, { startAtMs, prepare, tokens: "mirror.tokens" });
        expect(summary).toMatchObject({ start: new Date(startAtMs).toISOString(), completed: true });
        expect(Math.min(...producer.sends.map((x) => x.atMs))).toBeGreaterThan(startAtMs);
        const messages = producer.sends.flatMap((x) =>
          x.messages.map((m) => `${x.topic} ${m.key === null ? "-" : String(m.key)} ${String(m.value)}`),
        );
        return { messages, summary };
      }),
    );
    const [lazy, prepared] = sendings;
    expect(prepared?.messages).toEqual(lazy?.messages);
    expect(prepared?.summary.expected).toEqual(lazy?.summary.expected);
    expect(prepared?.summary.lifecycle).toBe(lazy?.summary.lifecycle);
    expect(prepared?.messages.filter((m) => !m.startsWith("mirror.tokens")).length).toBe(600);
    expect(prepared?.summary.lifecycle).toBeGreaterThan(0);
  });

  it("stops early when aborted, after the batches in flight, without a ground truth", async () => {
    const clock = new FakeClock();
    const producer = new RecordingProducer(clock);
    const stop = new AbortController();
    const summary = await simulateTraffic({
      producer,
      topics,
      eventsPerSecond: 1_000,
      durationSeconds: 5,
      seed: 7,
      legacySecret: DEMO_LEGACY_JWT_SECRET,
      clock,
      batchSize: 100,
      signal: stop.signal,
      onProgress: (sent) => {
        if (sent >= 300) stop.abort();
      },
    });
    expect(summary.completed).toBe(false);
    expect(summary.expected).toBeUndefined();
    expect(summary.sent).toBeGreaterThanOrEqual(300);
    expect(summary.sent).toBeLessThanOrEqual(500);
    expect(summary.sent).toBe(producer.sends.reduce((n, s) => n + s.messages.length, 0));
  });

  it("fails when the producer fails, with the producer's error", async () => {
    const clock = new FakeClock();
    const failing: MirrorProducer = {
      send: async () => {
        throw new Error("broker gone");
      },
      close: async () => undefined,
    };
    await expect(run(clock, failing)).rejects.toThrow("broker gone");
  });

  it("sends 50 ms worth of events per batch, between 1 and MAX_BATCH", () => {
    expect(defaultBatchSize(500)).toBe(25);
    expect(defaultBatchSize(5)).toBe(1);
    expect(defaultBatchSize(1_000_000)).toBe(MAX_BATCH);
  });
});
