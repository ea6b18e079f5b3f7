import type { Side } from "../contracts/index.js";
import type { KeyedMessage, MirrorProducer } from "../ingest/kafka/kafka-producer.js";
import type { RatePacer } from "./rate-pacer.js";

/** Where a message goes: a side's mirror topic, or the token lifecycle topic. */
export type Destination = Side | "tokens";

/** A message and the topic it goes to. */
export interface RoutedMessage extends KeyedMessage {
  side: Destination;
}

export interface SentCounts {
  /** Messages the broker acknowledged. */
  sent: number;
  legacy: number;
  new: number;
  /** Token lifecycle events. */
  tokens: number;
  /** Sent without a key (lines that are not envelopes). */
  unkeyed: number;
}

/** Batches sent but not yet acknowledged: the next one is gathered while the broker answers. */
const MAX_IN_FLIGHT = 2;

/**
 * Gathers messages into batches and sends each batch when the pacer says its last message is due,
 * split by topic. Acknowledgements are awaited in order, at most MAX_IN_FLIGHT batches behind.
 */
export class PacedSender {
  readonly counts: SentCounts = { sent: 0, legacy: 0, new: 0, tokens: 0, unkeyed: 0 };
  private batch: RoutedMessage[] = [];
  private scheduled = 0;
  private readonly inflight: Promise<void>[] = [];

  constructor(
    private readonly options: {
      producer: MirrorProducer;
      topics: Readonly<Record<Side, string>> & { readonly tokens?: string };
      pacer: RatePacer;
      batchSize: number;
      signal?: AbortSignal;
      onAcknowledged?: (counts: SentCounts) => void;
    },
  ) {}

  async add(message: RoutedMessage): Promise<void> {
    this.batch.push(message);
    if (this.batch.length >= this.options.batchSize) await this.dispatch();
  }

  /** Sends what is gathered and waits for every acknowledgement. */
  async finish(): Promise<void> {
    if (this.batch.length > 0) await this.dispatch();
    while (this.inflight.length > 0) await this.inflight.shift();
  }

  private async dispatch(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    this.scheduled += batch.length;
    await this.options.pacer.waitFor(this.scheduled, this.options.signal);
    if (this.options.signal?.aborted) return;
    const sending = this.send(batch);
    sending.catch(() => undefined); // awaited in order below; this only marks it handled meanwhile
    this.inflight.push(sending);
    if (this.inflight.length >= MAX_IN_FLIGHT) await this.inflight.shift();
  }

  private async send(batch: readonly RoutedMessage[]): Promise<void> {
    const byTopic = new Map<string, KeyedMessage[]>();
    for (const { side, key, value } of batch) {
      const topic = this.options.topics[side];
      if (topic === undefined) throw new Error(`no topic for ${side} messages`);
      const list = byTopic.get(topic) ?? [];
      list.push({ key, value });
      byTopic.set(topic, list);
    }
    const { producer } = this.options;
    await Promise.all([...byTopic].map(([topic, messages]) => producer.send(topic, messages)));
    for (const m of batch) {
      this.counts[m.side]++;
      if (m.key === null) this.counts.unkeyed++;
    }
    this.counts.sent += batch.length;
    this.options.onAcknowledged?.(this.counts);
  }
}
