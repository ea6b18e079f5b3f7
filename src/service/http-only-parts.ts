import type { KafkaParts } from "./run-service.js";

export const NO_DEAD_LETTER_TOPIC = "no dead-letter topic without Kafka (serve --no-kafka)";

/**
 * The Kafka side of a service that takes its events over HTTP only (`serve --no-kafka`: the demo,
 * or gateways that mirror over POST /api/v1/events). No partition is ever assigned, so nothing
 * is fetched, committed or dead-lettered (HTTP ingest answers bad lines itself), and there is no
 * lag to measure.
 */
export function httpOnlyParts(): KafkaParts {
  return {
    consumer: {
      run: async (_handle, events) => events?.onAssigned?.([]),
      commit: async () => undefined,
      pause: () => undefined,
      resume: () => undefined,
      stop: async () => undefined,
    },
    deadLetters: {
      missing: NO_DEAD_LETTER_TOPIC,
      send: async (_message, reason) => {
        throw new Error(`${NO_DEAD_LETTER_TOPIC} (message rejected: ${reason})`);
      },
      close: async () => undefined,
    },
    lag: { measure: async () => [], close: async () => undefined },
  };
}
