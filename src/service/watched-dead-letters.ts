import type { DeadLetterSink } from "../ingest/kafka/mirror-consumer.js";

/** A dead-letter sink that remembers how its sends fare, for readiness and metrics. */
export interface WatchedDeadLetterSink extends DeadLetterSink {
  /** The latest failed send, until a send succeeds after it (sends run side by side). */
  readonly latestFailure: { error: string; atMs: number } | undefined;
}

/**
 * Wraps a sink: a failure is counted and kept until a later send succeeds. Failures are not
 * swallowed: the pipeline retries the send (holding its message's offset). A send that never
 * settles (a producer retrying without end) fails nothing: the age of the oldest unsent dead
 * letter (the pipeline's) is what shows it.
 */
export function watchDeadLetters(
  sink: DeadLetterSink,
  onFailure: (error: unknown) => void,
  now: () => number = Date.now,
): WatchedDeadLetterSink {
  let latestFailure: { error: string; atMs: number } | undefined;
  return {
    ...(sink.missing === undefined ? {} : { missing: sink.missing }),
    get latestFailure() {
      return latestFailure;
    },
    async send(message, reason) {
      const startedAt = now();
      try {
        await sink.send(message, reason);
        // Only a success that started after the failure says the topic works again.
        if (latestFailure && latestFailure.atMs <= startedAt) latestFailure = undefined;
      } catch (error) {
        latestFailure = { error: String(error), atMs: now() };
        onFailure(error);
        throw error;
      }
    },
    close: () => sink.close(),
  };
}
