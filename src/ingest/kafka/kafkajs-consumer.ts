import type { Consumer, EachBatchPayload, IMemberAssignment, KafkaMessage } from "kafkajs";
import { groupBy } from "../../collections/group-by.js";
import { type TopicPartition, tpKey } from "../../stream/offset-tracker.js";
import { checkCoPartitioned } from "./check-topics.js";
import { CoPartitionAssigner } from "./co-partition-assigner.js";
import {
  createKafkajsClient,
  KAFKA_RETRY,
  type KafkajsClientOptions,
  withKafkajsAdmin,
} from "./kafkajs-client.js";
import type { MirrorBatch, MirrorConsumer, MirrorConsumerEvents, MirrorMessage } from "./mirror-consumer.js";
import { PauseState } from "./pause-state.js";

export interface KafkajsMirrorConsumerOptions extends KafkajsClientOptions {
  groupId: string;
  /** The mirror topics (the same topic for both sides is fine); equal partition counts are checked at start. */
  topics: string[];
  /** Where a group without committed offsets starts: the beginning of the topics, or new messages only. */
  fromBeginning: boolean;
  /** How long the group waits for a silent member before giving its partitions to others; default 30 s. */
  sessionTimeoutMs?: number;
  /** Longest a fetch waits for new messages; it bounds how quickly stop() and rebalances proceed. Default 1 s. */
  maxWaitTimeMs?: number;
}

type BatchHandler = (batch: MirrorBatch) => Promise<void>;

/**
 * The MirrorConsumer on kafkajs. What kafkajs does by itself and what this adds (docs/kafka.md):
 *
 * - Offsets: `autoCommit: false`, so only `commit` writes offsets. `eachBatchAutoResolve` only
 *   moves kafkajs' in-memory fetch position past each delivered batch.
 * - Rebalances: kafkajs resets the fetch position of EVERY assigned partition to the committed
 *   offset on each join. Partitions this member keeps are sought back to where delivery was, so
 *   the pipeline (which keeps their windows) sees no redelivery; newly assigned partitions start
 *   at the committed offset. After losing membership (a crash, or an expiry that gave us a new
 *   member id) `onAssigned([])` comes first and every partition starts over from its commit.
 * - Pauses are kept here and re-applied on every join (a restarted kafkajs consumer forgets
 *   them). A batch of a paused partition that was already fetched is not delivered: its
 *   partition is rewound to it, so it comes again after `resume`.
 * - Failures: retriable ones (broker down) are retried, then kafkajs restarts the consumer;
 *   non-retriable ones (bad topic layout) and a rejecting `handle` stop it and call `onFatal`.
 */
export function createKafkajsMirrorConsumer(options: KafkajsMirrorConsumerOptions): MirrorConsumer {
  return new KafkajsMirrorConsumer(options);
}

class KafkajsMirrorConsumer implements MirrorConsumer {
  private readonly consumer: Consumer;
  private readonly topics: string[];
  private readonly heartbeatIntervalMs: number;
  private readonly pauses = new PauseState();
  /** Next offset to deliver, per owned partition that delivered something. */
  private readonly positions = new Map<string, number>();
  private owned = new Set<string>();
  /** Set while this consumer is a member of the group. */
  private memberId: string | undefined;
  private events: MirrorConsumerEvents = {};
  private started = false;
  private failed = false;
  private stopping: Promise<void> | undefined;
  private resolveFirstJoin: () => void = () => undefined;
  private rejectFirstJoin: (error: Error) => void = () => undefined;
  private readonly firstJoin = new Promise<void>((resolve, reject) => {
    this.resolveFirstJoin = resolve;
    this.rejectFirstJoin = reject;
  });

  constructor(private readonly options: KafkajsMirrorConsumerOptions) {
    this.topics = [...new Set(options.topics)];
    const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
    this.heartbeatIntervalMs = Math.min(3_000, Math.floor(sessionTimeout / 3));
    this.consumer = createKafkajsClient(options).consumer({
      groupId: options.groupId,
      partitionAssigners: [CoPartitionAssigner],
      sessionTimeout,
      heartbeatInterval: this.heartbeatIntervalMs,
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 1_000,
      allowAutoTopicCreation: false,
      // Asked after retriable failures only (retries exhausted, e.g. a long broker outage): start
      // again unless we are stopping (kafkajs would otherwise restart a consumer stopped meanwhile).
      // Non-retriable failures never get here; kafkajs reports them with restart false.
      retry: {
        ...KAFKA_RETRY,
        ...options.retry,
        restartOnFailure: async () => !this.stopping && !this.failed,
      },
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) =>
      this.joined(payload.memberId, payload.memberAssignment),
    );
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) =>
      this.crashed(payload.error, payload.restart),
    );
    // kafkajs hands no batch of filtered records (transaction markers) to eachBatch: it only
    // announces it (START_BATCH_PROCESS with no message) and moves its own position past it.
    this.consumer.on(this.consumer.events.START_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize === 0) this.filtered(payload);
    });
    // run() awaits it; a fatal error before anyone awaits must not count as unhandled.
    this.firstJoin.catch(() => undefined);
  }

  async run(handle: BatchHandler, events: MirrorConsumerEvents = {}): Promise<void> {
    if (this.started) throw new Error("a MirrorConsumer runs once; create another one");
    this.started = true;
    this.events = events;
    await withKafkajsAdmin(this.options, (admin) => checkCoPartitioned(admin, this.topics));
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: this.options.fromBeginning });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.deliver(payload, handle),
    });
    await this.firstJoin;
  }

  async commit(offsets: (TopicPartition & { offset: number })[]): Promise<void> {
    if (this.memberId === undefined || this.stopping) {
      throw new Error(
        `not a member of consumer group ${this.options.groupId} right now (stopped, or rejoining after a failure): offsets not committed`,
      );
    }
    // A partition given away meanwhile is its new owner's to commit; it re-reads from our last commit.
    const mine = offsets.filter((o) => this.owned.has(tpKey(o)));
    if (mine.length === 0) return;
    await this.consumer.commitOffsets(
      mine.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })),
    );
  }

  pause(partitions?: TopicPartition[]): void {
    this.pauses.pause(partitions);
    this.applyPauses();
  }

  resume(partitions?: TopicPartition[]): void {
    this.pauses.resume(partitions);
    this.applyPauses();
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.memberId = undefined;
      this.owned = new Set();
      this.resolveFirstJoin();
      await this.consumer.disconnect();
    })();
    return this.stopping;
  }

  private async deliver(payload: EachBatchPayload, handle: BatchHandler): Promise<void> {
    const { batch } = payload;
    const tp = { topic: batch.topic, partition: batch.partition };
    // Dropped batches are fetched again: after a pending seek, or by whoever owns them next.
    if (this.failed || this.stopping || !payload.isRunning() || payload.isStale()) return;
    if (this.pauses.isPaused(tp)) return this.rewind(tp, batch.firstOffset());
    const mirrorBatch: MirrorBatch = {
      ...tp,
      highWatermark: Number(batch.highWatermark),
      lastOffset: Number(batch.lastOffset()),
      messages: batch.messages.map((m) => toMirrorMessage(tp, m)),
    };
    // kafkajs heartbeats only between batches; a slow batch must not cost the membership. A
    // rebalance seen here is seen again by kafkajs after the batch, so the error can be ignored.
    const heartbeats = setInterval(() => {
      payload.heartbeat().catch(() => undefined);
    }, this.heartbeatIntervalMs);
    try {
      await handle(mirrorBatch);
    } catch (error) {
      this.fail(asError(error, `handling a batch of ${tpKey(tp)} failed`));
      return;
    } finally {
      clearInterval(heartbeats);
    }
    this.positions.set(tpKey(tp), Number(batch.lastOffset()) + 1);
  }

  private filtered(p: {
    topic: string;
    partition: number;
    highWatermark: string;
    firstOffset: string | null;
    lastOffset: string;
  }): void {
    const tp = { topic: p.topic, partition: p.partition };
    const key = tpKey(tp);
    if (this.failed || this.stopping || !this.owned.has(key) || p.firstOffset === null) return;
    // Only right after what was delivered: a position past an undelivered (rewound) batch would
    // count its messages as read.
    const expected = this.positions.get(key);
    if (expected !== undefined && Number(p.firstOffset) !== expected) return;
    this.positions.set(key, Number(p.lastOffset) + 1);
    // kafkajs emits this inside its batch loop: a throw here must not escape into it.
    try {
      this.events.onFiltered?.({
        ...tp,
        messages: [],
        highWatermark: Number(p.highWatermark),
        firstOffset: Number(p.firstOffset),
        lastOffset: Number(p.lastOffset),
      });
    } catch (error) {
      this.fail(asError(error, `handling filtered records of ${key} failed`));
    }
  }

  /** The batch was fetched before its partition was paused: fetch it again after resume. */
  private rewind(tp: TopicPartition, firstOffset: string | null): void {
    if (firstOffset !== null) this.toKafkajs(() => this.consumer.seek({ ...tp, offset: firstOffset }));
  }

  private joined(memberId: string, assignment: IMemberAssignment): void {
    // A new member id means we were expelled meanwhile: others may have read our partitions.
    if (this.memberId !== undefined && this.memberId !== memberId) this.lostMembership();
    const partitions = toTopicPartitions(assignment);
    this.memberId = memberId;
    this.owned = new Set(partitions.map(tpKey));
    for (const key of this.positions.keys()) if (!this.owned.has(key)) this.positions.delete(key);
    for (const tp of partitions) {
      const next = this.positions.get(tpKey(tp));
      if (next !== undefined) this.toKafkajs(() => this.consumer.seek({ ...tp, offset: String(next) }));
    }
    this.applyPauses();
    this.notifyAssigned(partitions);
    this.resolveFirstJoin();
  }

  private crashed(error: Error, restart: boolean): void {
    // kafkajs has already left the group and disconnected when it reports a crash.
    this.lostMembership();
    if (this.stopping) return; // failing while stopping changes nothing: stopped is stopped
    if (restart) {
      this.options.logger?.warn(
        { err: error, groupId: this.options.groupId },
        "Kafka consumer failed; kafkajs restarts it and it rejoins the group",
      );
      return;
    }
    this.fail(error);
  }

  private lostMembership(): void {
    const wasMember = this.memberId !== undefined;
    this.memberId = undefined;
    this.owned = new Set();
    this.positions.clear();
    if (wasMember) this.notifyAssigned([]);
  }

  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.rejectFirstJoin(error);
    // Leave the group so other members take the partitions over. Not awaited: we may be inside a
    // batch, and kafkajs' stop waits for the batch in progress.
    this.consumer.stop().catch(() => undefined);
    this.events.onFatal?.(error);
  }

  private notifyAssigned(partitions: TopicPartition[]): void {
    try {
      this.events.onAssigned?.(partitions);
    } catch (error) {
      this.fail(asError(error, "the onAssigned handler failed"));
    }
  }

  private applyPauses(): void {
    if (this.memberId === undefined) return; // applied on the next join
    const everyTopic = this.topics.map((topic) => ({ topic }));
    const { everything, exempt, paused } = this.pauses.snapshot();
    this.toKafkajs(() => {
      this.consumer.resume(everyTopic);
      if (everything) this.consumer.pause(everyTopic);
      if (exempt.length > 0) this.consumer.resume(byTopic(exempt));
      if (paused.length > 0) this.consumer.pause(byTopic(paused));
    });
  }

  /**
   * kafkajs refuses pause, resume and seek while it has no group (between a crash and its
   * restart, after which `joined` re-applies everything); nothing is lost by skipping them then.
   */
  private toKafkajs(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.options.logger?.debug({ err: error }, "kafkajs consumer not in a group; applied on the next join");
    }
  }
}

function toMirrorMessage(tp: TopicPartition, m: KafkaMessage): MirrorMessage {
  return {
    topic: tp.topic,
    partition: tp.partition,
    offset: Number(m.offset),
    key: m.key === null ? null : m.key.toString("utf8"),
    rawKey: m.key ?? undefined,
    value: m.value,
    timestampMs: Number(m.timestamp),
  };
}

function toTopicPartitions(assignment: IMemberAssignment): TopicPartition[] {
  return Object.entries(assignment)
    .flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })))
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

function byTopic(partitions: readonly TopicPartition[]): { topic: string; partitions: number[] }[] {
  return [...groupBy(partitions, (p) => p.topic)].map(([topic, own]) => ({
    topic,
    partitions: own.map((p) => p.partition),
  }));
}

function asError(error: unknown, context: string): Error {
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(`${context}: ${reason}`, { cause: error });
}
