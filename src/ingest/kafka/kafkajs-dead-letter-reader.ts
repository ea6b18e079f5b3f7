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
  /** Gives up when the topic's end is not reached in this long (a broker that stops answering). */
  timeoutMs?: number;
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
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
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
          if (BigInt(m.offset) + 1n >= high) todo.delete(batch.partition);
        }
        // Records the client filters out (transaction markers) end a partition too.
        if (high !== undefined && BigInt(batch.lastOffset()) + 1n >= high) todo.delete(batch.partition);
        if (todo.size === 0) done();
      },
    });
    await withTimeout(finished, options.timeoutMs ?? 120_000, () => [...todo.keys()]);
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

async function withTimeout(work: Promise<void>, ms: number, left: () => number[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `the dead-letter topic's end was not reached in ${ms} ms (partitions ${left().join(", ")})`,
          ),
        ),
      ms,
    );
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
