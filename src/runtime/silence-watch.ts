/**
 * Counts how long the oldest entry of each queue (jobs, decodes) has stayed the oldest: progress
 * is the worker answering it, so a worker that is slow but answers in turn is left alone, and one
 * whose job hangs on an `await` is caught although it still answers other messages. Only time the
 * main thread itself was awake counts (at most two intervals per look): after a stall of ours (a
 * long garbage collection, a paused container) the replies wait in the queue behind this timer.
 *
 * It counts the same way how long the worker's judging cell has named the same job. A worker
 * given up is blamed on that job only when it has been judging it for at least half the timeout:
 * a thread blocked in one judgement, not one that was busy with short ones (a job stalled on an
 * await behind them, or a slow one that had just finished) when the timeout came. A judgement
 * under way when the silence runs out is watched until it has run that long, or ends: given up
 * at once, one that never ends but began late in another job's silence (behind an await that
 * never settles) would go unblamed, on every try. Times are monotonic (performance.now).
 */
export function silenceWatch(
  { timeoutMs, intervalMs }: { timeoutMs: number; intervalMs: number },
  heads: () => readonly (number | undefined)[],
  judged: () => number,
) {
  let timer: NodeJS.Timeout | undefined;
  return {
    timeoutMs,
    /** `onWedged` is told the job to blame, or 0. */
    start(onWedged: (blamed: number) => void) {
      clearInterval(timer);
      let seen: readonly (number | undefined)[] = [];
      /** The judgement under way when the silence ran out, watched until it ends or is blocked. */
      let overdue: number | undefined;
      let silentMs: number[] = [];
      let judging = 0;
      let judgingMs = 0;
      let lookedAt = performance.now();
      timer = setInterval(() => {
        const now = performance.now();
        const step = Math.min(now - lookedAt, 2 * intervalMs);
        lookedAt = now;
        const current = heads();
        // A new oldest entry starts at 0: the time before it was the oldest is not its silence.
        silentMs = current.map((head, i) =>
          head === undefined || head !== seen[i] ? 0 : (silentMs[i] ?? 0) + step,
        );
        seen = current;
        const job = judged();
        judgingMs = job !== 0 && job === judging ? judgingMs + step : 0;
        judging = job;
        if (silentMs.every((ms) => ms <= timeoutMs)) {
          overdue = undefined;
          return;
        }
        const blocked = judgingMs >= timeoutMs / 2;
        // Only the judgement under way when the silence ran out waits: blamed once it has run
        // half the timeout; ended (or another begun) first, the silence was not its doing.
        if (!blocked && job !== 0 && (overdue === undefined || overdue === job)) {
          overdue = job;
          return;
        }
        clearInterval(timer);
        onWedged(blocked ? judging : 0);
      }, intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
