import type { DeadLetterSink } from "../ingest/kafka/mirror-consumer.js";

/** A dead-letter sink that remembers how its sends fare, for readiness, metrics and alerts. */
export interface WatchedDeadLetterSink extends DeadLetterSink {
  /** The latest send's failure, while no send has succeeded since; undefined otherwise. */
  readonly failing: { error: string; sinceMs: number } | undefined;
}

/**
 * Wraps a sink: a failure is counted and kept until the next send that succeeds. Failures are
 * not swallowed: the pipeline retries the send (holding its message's offset).
 */
export function watchDeadLetters(
  sink: DeadLetterSink,
  onFailure: (error: unknown) => void,
  now: () => number = Date.now,
): WatchedDeadLetterSink {
  let failing: { error: string; sinceMs: number } | undefined;
  return {
    get failing() {
      return failing;
    },
    async send(message, reason) {
      try {
        await sink.send(message, reason);
        failing = undefined;
      } catch (error) {
        failing = { error: String(error), sinceMs: failing?.sinceMs ?? now() };
        onFailure(error);
        throw error;
      }
    },
    close: () => sink.close(),
  };
}
