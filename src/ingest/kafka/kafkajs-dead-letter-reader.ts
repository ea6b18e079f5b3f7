import { randomBytes } from "node:crypto";
import { EntitlementDiffError } from "../../errors/errors.js";
import { checkTopicsExist } from "./check-topics.js";
import { createKafkajsClient, type KafkajsClientOptions, withKafkajsAdmin } from "./kafkajs-client.js";
import type { DeadLetter, DeadLetterSource } from "./mirror-consumer.js";

/** The dead-letter topic could not be read to its end (brokers unreachable, a timeout). Exit 69. */
export class DeadLetterReadError extends EntitlementDiffError {
  readonly exitCode = 69;
  override name = "DeadLetterReadError";
}

export interface KafkajsDeadLetterReaderOptions extends KafkajsClientOptions {
  topic: string;
  /** Gives up when reading makes no progress for this long (a broker that stops answering). */
  stallMs?: number;
}

/**
 * Reads the dead-letter topic from its start up to its end as measured first (what arrives later
 * is left for the next read), keeping the letters `keep` wants. A throwaway consumer group commits
 * nothing and is deleted afterwards, so serve's group and any other reader are unaffected.
 */
export function createKafkajsDeadLetterReader(options: KafkajsDeadLetterReaderOptions): DeadLetterSource {
  return {
    async read(keep) {
      try {
        return await readOnce(options, keep);
      } catch (err) {
        if (err instanceof EntitlementDiffError) throw err; // a missing topic says so itself
        throw new DeadLetterReadError(
          `cannot read the dead-letter topic ${options.topic} from ${options.brokers.join(",")}: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        );
      }
    },
  };
}

async function readOnce(
  options: KafkajsDeadLetterReaderOptions,
  keep: (letter: DeadLetter) => boolean,
): Promise<DeadLetter[]> {
  const ends = await withKafkajsAdmin(options, async (admin) => {
    await checkTopicsExist(admin, [options.topic]);
    return admin.fetchTopicOffsets(options.topic);
  });
  const todo = new Map(
    ends.filter((e) => BigInt(e.high) > BigInt(e.low)).map((e) => [e.partition, BigInt(e.high)]),
  );
  if (todo.size === 0) return [];
  const groupId = `entitlement-diff-dlq-reader-${randomBytes(6).toString("hex")}`;
  const consumer = createKafkajsClient(options).consumer({ groupId, allowAutoTopicCreation: false });
  const kept: DeadLetter[] = [];
  const progress = { atMs: Date.now() };
  let done!: () => void;
  let crashed!: (error: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => {
    done = resolve;
    crashed = reject;
  });
  // Only a partition still to read moves the read on: letters arriving meanwhile on one that is
  // done must not hide a partition that never delivers.
  const reached = (partition: number, lastOffset: bigint) => {
    const high = todo.get(partition);
    if (high === undefined) return;
    progress.atMs = Date.now();
    if (lastOffset + 1n >= high) todo.delete(partition);
    if (todo.size === 0) done();
  };
  // kafkajs reports a consumer that gave up (an authorization refused, say) only by this event.
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) crashed(payload.error);
  });
  // A fetch of records the client filters out only (transaction markers, aborted records) is
  // never handed to eachBatch: kafkajs announces it with an empty batch.
  consumer.on(consumer.events.START_BATCH_PROCESS, ({ payload }) => {
    if (payload.batchSize === 0 && payload.topic === options.topic)
      reached(payload.partition, BigInt(payload.lastOffset));
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: options.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const high = todo.get(batch.partition);
        for (const m of batch.messages) {
          if (high === undefined || BigInt(m.offset) >= high) break;
          const letter = toDeadLetter(batch.partition, m);
          if (keep(letter)) kept.push(letter);
        }
        reached(batch.partition, BigInt(batch.lastOffset()));
      },
    });
    await untilStalled(finished, progress, options.stallMs ?? 60_000, () => [...todo.keys()]);
    return kept;
  } finally {
    await consumer.disconnect();
    await withKafkajsAdmin(options, (admin) => admin.deleteGroups([groupId])).catch(() => undefined);
  }
}

function toDeadLetter(
  partition: number,
  m: { offset: string; key: Buffer | null; value: Buffer | null; headers?: Record<string, unknown> },
): DeadLetter {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(m.headers ?? {}))
    if (value !== undefined) headers[name] = Buffer.isBuffer(value) ? value.toString("utf8") : String(value);
  return { partition, offset: Number(m.offset), key: m.key, value: m.value, headers };
}

/** Waits for `work`, failing once nothing has moved for `stallMs` (a broker that stopped answering). */
async function untilStalled(
  work: Promise<void>,
  progress: { atMs: number },
  stallMs: number,
  left: () => number[],
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setInterval(
      () => {
        const idle = Date.now() - progress.atMs;
        if (idle > stallMs)
          reject(new Error(`no progress for ${idle} ms before the end of partitions ${left().join(", ")}`));
      },
      Math.min(1_000, stallMs),
    );
  });
  try {
    await Promise.race([work, stalled]);
  } finally {
    clearInterval(timer);
  }
}
