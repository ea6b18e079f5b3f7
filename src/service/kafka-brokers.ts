import type { KafkaConfig } from "../contracts/index.js";

/** The broker list: the environment variable named in the config wins (compose sets KAFKA_BROKERS). */
export function kafkaBrokers(
  kafka: KafkaConfig,
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const fromEnv = env[kafka.brokersEnv]?.trim();
  if (!fromEnv) return kafka.brokers;
  return fromEnv
    .split(",")
    .map((b) => b.trim())
    .filter(Boolean);
}
