import type { KafkaParts } from "./run-service.js";

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
      send: async (_message, reason) => {
        throw new Error(`no dead-letter topic without Kafka (message rejected: ${reason})`);
      },
      close: async () => undefined,
    },
    lag: { measure: async () => [], close: async () => undefined },
  };
}
