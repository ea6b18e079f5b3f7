import { Partitioners } from "kafkajs";
import { checkTopicsExist } from "./check-topics.js";
import { connectOnce } from "./connect-once.js";
import { createKafkajsClient, type KafkajsClientOptions, withKafkajsAdmin } from "./kafkajs-client.js";
import type { DeadLetterSink, MirrorMessage } from "./mirror-consumer.js";
import { rawKeyOf } from "./raw-key.js";

/** The headers of a dead letter; values are UTF-8 text. */
export const DLQ_HEADERS = {
  reason: "x-dlq-reason",
  sourceTopic: "x-source-topic",
  sourcePartition: "x-source-partition",
  sourceOffset: "x-source-offset",
  /** When it was dead-lettered, ISO 8601 UTC. */
  at: "x-dlq-at",
} as const;

/** Long parser messages are cut here: a header is for a person to read, not a dump. */
const MAX_REASON_CHARS = 2_000;

export interface KafkajsDeadLetterOptions extends KafkajsClientOptions {
  topic: string;
  now?: () => Date;
}

/**
 * Forwards a message that is not a valid envelope to the dead-letter topic: the original key and
 * value bytes, and why and where from in headers. Idempotent producer, acks from all in-sync
 * replicas; `send` resolves once acknowledged and retries as long as the broker is unreachable
 * (kafkajs' idempotent default), so a dead letter is never dropped. On first use it checks that
 * the topic exists: with automatic creation off, a missing topic would otherwise retry forever.
 */
export function createKafkajsDeadLetterSink(options: KafkajsDeadLetterOptions): DeadLetterSink {
  const now = options.now ?? (() => new Date());
  const producer = createKafkajsClient(options).producer({
    idempotent: true,
    maxInFlightRequests: 1,
    // kafkajs' idempotent default; our shared retry count would make it give up (and warn).
    retry: { retries: Number.MAX_SAFE_INTEGER },
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  const ready = connectOnce({
    connect: async () => {
      await withKafkajsAdmin(options, (admin) => checkTopicsExist(admin, [options.topic]));
      await producer.connect();
    },
  });
  return {
    async send(message, reason) {
      await ready();
      await producer.send({
        topic: options.topic,
        acks: -1,
        messages: [
          {
            key: rawKeyOf(message),
            value: message.value,
            headers: deadLetterHeaders(message, reason, now()),
          },
        ],
      });
    },
    close: () => producer.disconnect(),
  };
}

export function deadLetterHeaders(message: MirrorMessage, reason: string, at: Date): Record<string, string> {
  return {
    [DLQ_HEADERS.reason]: reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS)}…` : reason,
    [DLQ_HEADERS.sourceTopic]: message.topic,
    [DLQ_HEADERS.sourcePartition]: String(message.partition),
    [DLQ_HEADERS.sourceOffset]: String(message.offset),
    [DLQ_HEADERS.at]: at.toISOString(),
  };
}
