import type { StageTransition } from "../../contracts/index.js";
import { EntitlementDiffError } from "../../errors/errors.js";
import type { StagePublisher } from "../../promotion/promote-cohort.js";
import { firstLine } from "../../store/store-errors.js";
import { createKafkajsMirrorProducer } from "./kafka-producer.js";
import type { KafkajsClientOptions } from "./kafkajs-client.js";

/** The transition is recorded in the store but the router did not get it. Exit 69. */
export class StagePublishError extends EntitlementDiffError {
  readonly exitCode = 69;
  override name = "StagePublishError";
}

/**
 * Publishes stage transitions to the router's topic, keyed by cohort so one cohort's moves stay
 * in order on one partition; acknowledged by all in-sync replicas before it resolves.
 */
export function createKafkaStagePublisher(
  options: KafkajsClientOptions & { topic: string },
): StagePublisher & { close(): Promise<void> } {
  const producer = createKafkajsMirrorProducer({
    ...options,
    // A CLI run waits for about 10 s of broker trouble, not the service's 40 s.
    retry: { retries: 4, initialRetryTime: 300, maxRetryTime: 3_000, ...options.retry },
  });
  return {
    async publish(t: StageTransition) {
      try {
        await producer.send(options.topic, [{ key: t.cohort, value: JSON.stringify(t) }]);
      } catch (err) {
        throw new StagePublishError(
          `${t.cohort} ${t.from} -> ${t.to} is recorded (transition ${t.id}) but was not published to ${options.topic}: ${firstLine(err)}; run the same promote again to republish it`,
          { cause: err },
        );
      }
    },
    close: () => producer.close(),
  };
}
