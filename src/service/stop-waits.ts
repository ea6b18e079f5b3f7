/**
 * Longest a stop waits for the outcomes in hand to be stored (docs/service.md, graceful shutdown):
 * with the last commit's wait, well inside a 30 s grace period (docker-compose.yml gives 30 s).
 */
export const STOP_STORE_WAIT_MS = 15_000;

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
export const FINAL_COMMIT_WAIT_MS = 10_000;
