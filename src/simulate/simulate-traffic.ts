import type { ExpectedManifest } from "../../examples/health-tech/generator/expected-manifest.js";
import { type DemoTraffic, generateDemoTraffic } from "../../examples/health-tech/generator/traffic.js";
import type { Side } from "../contracts/index.js";
import type { MirrorProducer } from "../ingest/kafka/kafka-producer.js";
import { type Clock, systemClock } from "./clock.js";
import { PacedSender, type RoutedMessage } from "./paced-sender.js";
import { RatePacer } from "./rate-pacer.js";
import { routeLine } from "./route-line.js";
import { simulationPlan } from "./simulation-plan.js";

export interface SimulationOptions {
  producer: MirrorProducer;
  /** With `tokens`, the demo's token lifecycle events go there too (keyed by sessionId). */
  topics: Readonly<Record<Side, string>> & { readonly tokens?: string };
  eventsPerSecond: number;
  durationSeconds: number;
  seed: number;
  /** Size of the demo's principal pool (default: the generator's). */
  principals?: number;
  /** HS256 secret the demo's legacy tokens are signed with (the service must verify with the same). */
  legacySecret: string;
  /** Most messages per send; default: 50 ms worth of the rate, between 1 and MAX_BATCH. */
  batchSize?: number;
  /** When the first event is due (wall clock, ms); default now. Event times start there. */
  startAtMs?: number;
  /**
   * Generates the whole run (tokens signed, lines rendered) before the first send, so sending
   * costs only the Kafka client's CPU: for load tests where this process shares the machine with
   * the service under test. Give `startAtMs` time for it; if it runs late, the sender catches up.
   */
  prepare?: boolean;
  /** Stops the run after the batches in flight (SIGINT). */
  signal?: AbortSignal;
  clock?: Clock;
  /** After every acknowledged batch. */
  onProgress?: (sent: number, elapsedMs: number) => void;
}

export interface SimulationSummary {
  seed: number;
  /** Event time of the run's start (the first request comes a little later). */
  start: string;
  targetRate: number;
  /** rate × duration. */
  planned: number;
  /** Mirrored request events the broker acknowledged. */
  sent: number;
  bySide: Record<Side, number>;
  /** Token lifecycle events sent (only with a tokens topic; not counted in `planned`). */
  lifecycle: number;
  /** Lines that are not JSON envelopes: sent to the legacy topic without a key. */
  unkeyed: number;
  elapsedMs: number;
  achievedRate: number;
  /** False when stopped early (signal). */
  completed: boolean;
  /** The ground truth of what was sent (pairs, unpaired, findings...); only for a completed run. */
  expected?: ExpectedManifest;
}

export const MAX_BATCH = 500;

/**
 * Produces the health-tech demo's mirrored traffic to the two mirror topics at a steady rate, as
 * the gateways would: keyed by correlationId, event times starting now (the store's retention
 * counts from the wall clock) and advancing with it.
 */
export async function simulateTraffic(options: SimulationOptions): Promise<SimulationSummary> {
  const { producer, topics, eventsPerSecond, signal } = options;
  const clock = options.clock ?? systemClock;
  const plan = simulationPlan(eventsPerSecond, options.durationSeconds);
  const pacer = new RatePacer(eventsPerSecond, clock, options.startAtMs);
  const start = new Date(pacer.startMs).toISOString();
  const traffic = generateDemoTraffic({
    events: plan.events,
    seed: options.seed,
    start,
    principals: options.principals,
    requestsPerSecond: plan.requestsPerSecond,
    legacySecret: options.legacySecret,
  });
  const sender = new PacedSender({
    producer,
    topics,
    pacer,
    batchSize: options.batchSize ?? defaultBatchSize(eventsPerSecond),
    signal,
    onAcknowledged: (c) => options.onProgress?.(c.sent, clock.now() - pacer.startMs),
  });
  const tally = { requests: 0, lifecycle: 0 };
  const routed = messagesOf(traffic, topics.tokens !== undefined, tally);
  // Prepared: routed and encoded too, so that sending is the Kafka client's work alone.
  const messages = options.prepare ? Array.from(routed, asBytes) : routed;
  for (const message of messages) {
    if (signal?.aborted) break;
    await sender.add(message);
  }
  await sender.finish();

  const counts = sender.counts;
  const elapsedMs = clock.now() - pacer.startMs;
  const sent = counts.sent - counts.tokens;
  const completed =
    tally.requests === plan.events && sent === plan.events && counts.tokens === tally.lifecycle;
  return {
    seed: options.seed,
    start,
    targetRate: eventsPerSecond,
    planned: plan.events,
    sent,
    bySide: { legacy: counts.legacy, new: counts.new },
    lifecycle: counts.tokens,
    unkeyed: counts.unkeyed,
    elapsedMs,
    achievedRate: elapsedMs > 0 ? (sent * 1000) / elapsedMs : 0,
    completed,
    ...(completed ? { expected: traffic.expected() } : {}),
  };
}

/**
 * The run's messages in sending order, counted into `tally` as they are made. The generator adds
 * the logins and refreshes a request needs as it renders the request, so they go just before it.
 */
function* messagesOf(
  traffic: DemoTraffic,
  withTokens: boolean,
  tally: { requests: number; lifecycle: number },
): Generator<RoutedMessage> {
  const lifecycle = traffic.lifecycleLines();
  for (const line of traffic.lines) {
    for (; withTokens && tally.lifecycle < lifecycle.length; tally.lifecycle++) {
      const value = lifecycle[tally.lifecycle] as string;
      yield { side: "tokens", key: (JSON.parse(value) as { sessionId: string }).sessionId, value };
    }
    tally.requests++;
    yield { ...routeLine(line), value: line };
  }
}

function asBytes({ side, key, value }: RoutedMessage): RoutedMessage {
  const bytes = (text: string | Buffer | null) => (typeof text === "string" ? Buffer.from(text) : text);
  return { side, key: bytes(key), value: bytes(value) };
}

/** 50 ms worth of events: smooth at low rates, few large sends at high ones. */
export function defaultBatchSize(eventsPerSecond: number): number {
  return Math.max(1, Math.min(MAX_BATCH, Math.round(eventsPerSecond / 20)));
}
