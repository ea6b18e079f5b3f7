/**
 * The cell a differ worker shares with its pool (one Int32 over a SharedArrayBuffer): the id of
 * the job whose synchronous work the thread is running, 0 when none. Read by the pool when the
 * worker exits or stops answering, to blame the job that was running (runtime/worker-pool.ts).
 */
export type JudgingCell = Int32Array;

export const createJudgingCell = (): JudgingCell =>
  new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));

/** Runs synchronous work of job `id` with the cell naming it, cleared afterwards however it ends. */
export function markedWhile<T>(cell: JudgingCell | undefined, id: number, work: () => T): T {
  if (!cell) return work();
  Atomics.store(cell, 0, id);
  try {
    return work();
  } finally {
    Atomics.store(cell, 0, 0);
  }
}

export const markedJob = (cell: JudgingCell): number => Atomics.load(cell, 0);

/** Job ids fit the cell (a positive Int32) and come round again after 2^31 - 1 jobs; 0 is "none". */
export const nextJobId = (id: number): number => (id >= 0x7fff_ffff ? 1 : id + 1);
