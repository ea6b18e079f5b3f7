import type { TopicPartition } from "../../stream/offset-tracker.js";

/**
 * Our own small view of a Kafka consumer group: the pipeline speaks only this, so kafkajs can be
 * replaced (e.g. by @confluentinc/kafka-javascript's KafkaJS-compatible API) without touching it.
 */
export interface MirrorMessage extends TopicPartition {
  /** Kafka offsets are int64; numbers are exact up to 2^53, far beyond any partition's life. */
  offset: number;
  key: string | null;
  value: Buffer | null;
  /** Broker/producer timestamp, epoch ms (diagnostics only: pairing uses the event's observedAt). */
  timestampMs: number;
}

export interface MirrorBatch extends TopicPartition {
  messages: MirrorMessage[];
  /** High watermark of the partition when the batch was fetched (for lag). */
  highWatermark: number;
}

export interface MirrorConsumerEvents {
  /** The partitions now owned by this member (after every rebalance). */
  onAssigned?(partitions: TopicPartition[]): void;
  /** The consumer crashed and will not restart by itself (kafkajs `crash` with restart false). */
  onFatal?(error: Error): void;
}

export interface MirrorConsumer {
  /**
   * Joins the group and calls `handle` for each fetched batch, one partition at a time. Offsets are
   * NEVER committed automatically: only `commit` commits.
   */
  run(handle: (batch: MirrorBatch) => Promise<void>, events?: MirrorConsumerEvents): Promise<void>;
  /** Commits `offset` = the next offset to read, per partition. */
  commit(offsets: (TopicPartition & { offset: number })[]): Promise<void>;
  /**
   * Stops fetching from the given partitions, or from every assigned one (backpressure); `resume`
   * undoes it. Pausing one side of a partition pair lets the other side catch up with its partners.
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
}

export interface PartitionLag extends TopicPartition {
  /** High watermark minus the committed offset (the whole partition when nothing is committed). */
  lag: number;
}

/** Measures consumer lag of the group from the brokers (admin offsets), for metrics and readiness. */
export interface LagProbe {
  measure(): Promise<PartitionLag[]>;
  close(): Promise<void>;
}
