/**
 * Longest a stop waits for the outcomes in hand to be stored (docs/service.md, graceful shutdown).
 * All of a stop's waits (STOP_WAITS_MS) stay inside a 30 s grace period (docker-compose.yml's).
 */
export const STOP_STORE_WAIT_MS = 12_000;

/** Once the store wait is over: for the writer's insert in flight, then for the work on its way. */
export const STOP_ABORT_WAIT_MS = 2_000;

/** True when `work` settles within `ms` (a rejection counts as settled: its caller handles it). */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Longest a stop waits for the last commit (docs/service.md, graceful shutdown). */
export const FINAL_COMMIT_WAIT_MS = 8_000;

/** Longest a stop waits for its connections and threads to close (Kafka clients, HTTP, workers). */
export const CLOSE_WAIT_MS = 3_000;

/** After a stop, how long `serve` may take to exit by itself before it is made to. */
export const EXIT_GRACE_MS = 2_000;

/**
 * The longest a stop's waits add up to: the session sweep, batch in hand and store together, the
 * two after giving the store up, the last commit, the connections, the exit. Closing the writer
 * and the store comes after the store was either flushed or given up: nothing is left to wait on.
 */
export const STOP_WAITS_MS =
  STOP_STORE_WAIT_MS + 2 * STOP_ABORT_WAIT_MS + FINAL_COMMIT_WAIT_MS + CLOSE_WAIT_MS + EXIT_GRACE_MS;
