import type { KafkaConfig } from "../contracts/index.js";
import { checkCoPartitioned } from "../ingest/kafka/check-topics.js";
import { withKafkajsAdmin } from "../ingest/kafka/kafkajs-client.js";
import { createKafkajsMirrorConsumer } from "../ingest/kafka/kafkajs-consumer.js";
import { createKafkajsDeadLetterSink } from "../ingest/kafka/kafkajs-dead-letter.js";
import { createKafkajsDeadLetterReader } from "../ingest/kafka/kafkajs-dead-letter-reader.js";
import { createKafkajsLagProbe } from "../ingest/kafka/kafkajs-lag-probe.js";
import type { DeadLetterSource } from "../ingest/kafka/mirror-consumer.js";
import type { Logger } from "../logging/logger.js";
import { kafkaBrokers } from "./kafka-brokers.js";
import type { KafkaParts, MirrorTopics } from "./run-service.js";

/** The only place that picks kafkajs: swap this file to move to another client (docs/kafka.md). */
export async function kafkajsParts(
  kafka: KafkaConfig,
  topics: MirrorTopics,
  env: Readonly<Record<string, string | undefined>>,
  log: Logger,
): Promise<KafkaParts> {
  const client = { brokers: kafkaBrokers(kafka, env), clientId: kafka.clientId, logger: log };
  // The tokens topic is keyed by sessionId, not correlationId; it is co-partitioned only so one
  // assignment serves all three (its events are judged from the store, across members).
  const mirrorTopics = [...new Set([topics.legacy, topics.new, ...(topics.tokens ? [topics.tokens] : [])])];
  const counts = await withKafkajsAdmin(client, (admin) => checkCoPartitioned(admin, mirrorTopics));
  log.info({ topics: counts }, "mirror topics are co-partitioned");
  return {
    consumer: createKafkajsMirrorConsumer({
      ...client,
      groupId: kafka.groupId,
      topics: mirrorTopics,
      fromBeginning: kafka.fromBeginning,
      sessionTimeoutMs: kafka.sessionTimeoutMs,
    }),
    deadLetters: createKafkajsDeadLetterSink({ ...client, topic: kafka.topics.deadLetter }),
    lag: createKafkajsLagProbe({ ...client, groupId: kafka.groupId, topics: mirrorTopics }),
  };
}

/** The dead-letter topic of a config, to read once (`judge-set-aside`). */
export function kafkajsDeadLetterSource(
  kafka: KafkaConfig,
  env: Readonly<Record<string, string | undefined>>,
): DeadLetterSource {
  return createKafkajsDeadLetterReader({
    brokers: kafkaBrokers(kafka, env),
    clientId: kafka.clientId,
    topic: kafka.topics.deadLetter,
  });
}
