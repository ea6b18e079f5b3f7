/**
 * Retries `attempt` while it fails with an error kafkajs marks retriable (`retriable: true`), such
 * as COORDINATOR_LOAD_IN_PROGRESS right after a broker (re)start: the admin client does not retry
 * those itself for offset fetches. Any other error, or the deadline, ends it with the last error.
 */
export async function retryRetriable<T>(attempt: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (!isRetriable(err) || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

function isRetriable(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { retriable?: unknown }).retriable === true;
}
