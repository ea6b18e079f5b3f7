import type { TopicPartition } from "../../stream/offset-tracker.js";

/**
 * Our own small view of a Kafka consumer group: the pipeline speaks only this, so kafkajs can be
 * replaced (e.g. by @confluentinc/kafka-javascript's KafkaJS-compatible API) without touching it.
 */
export interface MirrorMessage extends TopicPartition {
  /** Kafka offsets are int64; numbers are exact up to 2^53, far beyond any partition's life. */
  offset: number;
  key: string | null;
  /**
   * The key bytes exactly as they were in Kafka, when the consumer has them: a key that is not
   * valid UTF-8 does not survive decoding into `key`, and a dead letter forwards the original.
   */
  rawKey?: Buffer;
  value: Buffer | null;
  /** Broker/producer timestamp, epoch ms (diagnostics only: pairing uses the event's observedAt). */
  timestampMs: number;
}

export interface MirrorBatch extends TopicPartition {
  messages: MirrorMessage[];
  /** High watermark of the partition when the batch was fetched. */
  highWatermark: number;
  /**
   * The batch's last offset as fetched, records the client filters out (transaction markers)
   * included: `lastOffset + 1 >= highWatermark` says nothing was left unread at the fetch.
   */
  lastOffset: number;
  /** The fetch's first offset, records filtered out included (given for a batch of those only). */
  firstOffset?: number;
}

export interface MirrorConsumerEvents {
  /**
   * The partitions now owned by this member (after every rebalance). Partitions kept through a
   * rebalance continue where delivery was (no redelivery); newly assigned ones start at the group's
   * committed offset. `[]` when membership is lost (a crash, or an expired session): at the next
   * assignment every partition starts over from its committed offset.
   */
  onAssigned?(partitions: TopicPartition[]): void;
  /**
   * A fetch of a partition held only records the client filters out (a transactional producer's
   * markers, aborted transactions' records): nothing for `handle`, but the position moved past
   * `lastOffset` (`messages` is empty). Only for a fetch contiguous with what was delivered.
   */
  onFiltered?(batch: MirrorBatch): void;
  /**
   * The consumer crashed and will not restart by itself (kafkajs `crash` with restart false), or
   * `handle` rejected. Nothing more is delivered; call `stop()`.
   */
  onFatal?(error: Error): void;
}

export interface MirrorConsumer {
  /**
   * Joins the group and calls `handle` for each fetched batch, one partition at a time. Offsets are
   * NEVER committed automatically: only `commit` commits. Resolves once the member has its first
   * assignment; rejects when it cannot start (topics missing or not co-partitioned, brokers
   * unreachable). A rejecting `handle` is fatal (`onFatal`), never retried with the same batch.
   */
  run(handle: (batch: MirrorBatch) => Promise<void>, events?: MirrorConsumerEvents): Promise<void>;
  /**
   * Commits `offset` = the next offset to read, per partition. Partitions this member does not own
   * (any more) are skipped: their new owner re-reads from the last commit. Rejects when the
   * consumer is not a group member at the moment (stopped, or rejoining after a failure).
   */
  commit(offsets: (TopicPartition & { offset: number })[]): Promise<void>;
  /**
   * Stops fetching from the given partitions, or from every assigned one (backpressure); `resume`
   * undoes it. Pausing one side of a partition pair lets the other side catch up with its partners.
   * Once `pause` returns, `handle` gets no batch of a paused partition until it is resumed (a batch
   * fetched before is fetched again later). Pauses hold across rebalances and restarts.
   */
  pause(partitions?: TopicPartition[]): void;
  resume(partitions?: TopicPartition[]): void;
  /** Leaves the group and disconnects. */
  stop(): Promise<void>;
}

/** Where messages that are not valid envelopes go, with the reason and their origin in headers. */
export interface DeadLetterSink {
  send(message: MirrorMessage, reason: string): Promise<void>;
  close(): Promise<void>;
  /**
   * Why there is no dead-letter topic at all (a service without Kafka), when there is none: work
   * that would be dead-lettered is then only reported, not sent and retried without end.
   */
  readonly missing?: string;
}

/** A message of the dead-letter topic: the original key and value, and the headers it was sent with. */
export interface DeadLetter {
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  /** UTF-8 text each (x-dlq-reason, x-source-topic, ...). */
  headers: Readonly<Record<string, string>>;
}

/** Reads the dead-letter topic once, from its start to its end as found, keeping what `keep` wants. */
export interface DeadLetterSource {
  read(keep: (letter: DeadLetter) => boolean): Promise<DeadLetter[]>;
}

export interface PartitionLag extends TopicPartition {
  /** High watermark minus the committed offset (the whole partition when nothing is committed). */
  lag: number;
  /** The partition's high watermark when measured. */
  highWatermark: number;
}

/** Measures consumer lag of the group from the brokers (admin offsets), for metrics and readiness. */
export interface LagProbe {
  measure(): Promise<PartitionLag[]>;
  close(): Promise<void>;
}
