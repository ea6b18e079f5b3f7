import { type Admin, Kafka, type RetryOptions } from "kafkajs";
import type { Logger } from "../../logging/logger.js";
import { KAFKAJS_LOG_LEVEL, type KafkaLogLevel, pinoLogCreator } from "./kafkajs-log.js";

/** What every kafkajs client of ours needs: where the brokers are, who we are, where logs go. */
export interface KafkajsClientOptions {
  /** Bootstrap list, `host:port` each. */
  brokers: string[];
  clientId: string;
  /** Where kafkajs' own log lines go; without one they are dropped (our code logs what matters). */
  logger?: Logger;
  /** The most detail kept from kafkajs; default `warn`. */
  logLevel?: KafkaLogLevel;
  /** How failing requests are retried (how long a broker outage is ridden out); default KAFKA_RETRY. */
  retry?: Pick<RetryOptions, "initialRetryTime" | "maxRetryTime" | "retries">;
}

/**
 * Retries of every request (connect, metadata, fetch, join, commit, produce). Every field is set:
 * kafkajs swaps in much shorter defaults when NODE_ENV is `test`, and tests must behave like
 * production. Eight retries with a 10 s cap ride out about 40 s of broker outage before an
 * operation gives up; the consumer then restarts itself (see kafkajs-consumer.ts).
 */
export const KAFKA_RETRY = {
  initialRetryTime: 300,
  maxRetryTime: 10_000,
  retries: 8,
  factor: 0.2,
  multiplier: 2,
} as const satisfies RetryOptions;

export function createKafkajsClient(options: KafkajsClientOptions): Kafka {
  return new Kafka({
    brokers: options.brokers,
    clientId: options.clientId,
    retry: { ...KAFKA_RETRY, ...options.retry },
    logLevel: options.logger ? KAFKAJS_LOG_LEVEL[options.logLevel ?? "warn"] : KAFKAJS_LOG_LEVEL.nothing,
    ...(options.logger ? { logCreator: pinoLogCreator(options.logger) } : {}),
  });
}

/** Runs `use` with a connected admin client and disconnects it afterwards, whatever happens. */
export async function withKafkajsAdmin<T>(
  options: KafkajsClientOptions,
  use: (admin: Admin) => Promise<T>,
): Promise<T> {
  const admin = createKafkajsClient(options).admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}
