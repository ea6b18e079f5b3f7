import type { Side } from "../contracts/index.js";
import type { MirrorConsumer } from "../ingest/kafka/mirror-consumer.js";
import type { TopicPartition } from "../stream/offset-tracker.js";

export interface FullPartition {
  partition: number;
  /** The side with most events waiting for partners: the one to hold back. */
  ahead: Side;
}

/**
 * Pauses fetching while the store cannot keep up, and pauses the side that runs ahead in a
 * partition whose pairing window is full (the other side keeps delivering the partners that
 * drain it), so memory stays bounded and nothing is dropped. Resumes when the cause is gone.
 */
export class Backpressure {
  private storePaused = false;
  private readonly held = new Map<string, TopicPartition>();

  constructor(
    private readonly consumer: MirrorConsumer,
    private readonly topicOf: Readonly<Record<Side, string>>,
  ) {}

  update(storeWantsPause: boolean, full: readonly FullPartition[]): void {
    const wanted = new Map(
      full.map((f) => {
        const tp = { topic: this.topicOf[f.ahead], partition: f.partition };
        return [`${tp.topic}#${tp.partition}` as string, tp] as const;
      }),
    );
    const toPause = [...wanted].filter(([k]) => !this.held.has(k)).map(([, tp]) => tp);
    const toResume = [...this.held].filter(([k]) => !wanted.has(k)).map(([, tp]) => tp);
    for (const tp of toResume) this.held.delete(`${tp.topic}#${tp.partition}`);
    for (const tp of toPause) this.held.set(`${tp.topic}#${tp.partition}`, tp);

    if (storeWantsPause && !this.storePaused) this.consumer.pause();
    if (!storeWantsPause && this.storePaused) {
      this.consumer.resume();
      if (this.held.size > 0) this.consumer.pause([...this.held.values()]);
    } else if (!storeWantsPause) {
      if (toPause.length > 0) this.consumer.pause(toPause);
      if (toResume.length > 0) this.consumer.resume(toResume);
    }
    this.storePaused = storeWantsPause;
  }

  /** Every partition is paused (the store): no stream is read, so no silence is the gateways'. */
  get pausedEverything(): boolean {
    return this.storePaused;
  }
}
