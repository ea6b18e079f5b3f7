import type { Config, Side } from "../contracts/index.js";
import { judgeOptionsOf } from "../lifecycle/judge-options.js";
import { judgeSessions } from "../lifecycle/judge-sessions.js";
import type { FactsComplete } from "../lifecycle/session-fact.js";
import type { Store } from "../store/open-store.js";
import {
  type FactProgress,
  insertLifecycleFindings,
  readFactProgress,
  readSessions,
  readSessionsToJudge,
} from "../store/session-lifecycle.js";

export interface SessionSweepDeps {
  store: Pick<Store, "driver" | "tables">;
  config: Pick<Config, "identity"> & { lifecycle: NonNullable<Config["lifecycle"]> };
  /** Consumer lag of a fact source (`topic/partition`); undefined when unknown (HTTP, not probed). */
  lagOf(source: string): number | undefined;
  now?: () => number;
}

export interface SweepResult {
  sessions: number;
  findings: number;
}

const SESSIONS_PER_READ = 500;

/**
 * The session judge over the store, for `serve`: every member may run it (findings have
 * deterministic ids, so two judging the same session store each finding once), and it sees the
 * facts and requests of all members, whichever member consumed them. Each run judges the
 * sessions that moved since the last one and those whose one-sided verdicts may have come due.
 */
export function createSessionSweep(deps: SessionSweepDeps): () => Promise<SweepResult> {
  const now = deps.now ?? Date.now;
  const windowMs = deps.config.lifecycle.windowSeconds * 1000;
  const sweepMs = deps.config.lifecycle.sweepSeconds * 1000;
  let lastStartedAt = 0;
  return async () => {
    const startedAt = now();
    const progress = await readFactProgress(deps.store);
    const factsComplete = completeness(progress, { now: startedAt, windowMs, lagOf: deps.lagOf });
    const active = progress.filter((p) => p.lastStoredAtMs >= startedAt - windowMs - 3 * sweepMs);
    const openSinceMs = Math.min(...active.map((p) => p.maxObservedAtMs - 2 * windowMs));
    const sessions = await readSessionsToJudge(deps.store, {
      storedSinceMs: lastStartedAt - sweepMs,
      openSinceMs: Number.isFinite(openSinceMs) ? openSinceMs : Number.MAX_SAFE_INTEGER,
    });
    const options = judgeOptionsOf(deps.config, factsComplete);
    let findings = 0;
    for (let i = 0; i < sessions.length; i += SESSIONS_PER_READ) {
      const { facts, uses } = await readSessions(deps.store, sessions.slice(i, i + SESSIONS_PER_READ));
      const judged = judgeSessions(facts, uses, options);
      await insertLifecycleFindings(deps.store, judged);
      findings += judged.length;
    }
    lastStartedAt = startedAt;
    return { sessions: sessions.length, findings };
  };
}

/**
 * A source has delivered a side up to the latest fact of that side stored from it. A source that
 * went quiet (nothing stored for a window, nothing left unread in Kafka) has delivered everything.
 */
export function completeness(
  progress: readonly FactProgress[],
  o: { now: number; windowMs: number; lagOf(source: string): number | undefined },
): FactsComplete {
  const bySource = new Map<string, FactProgress[]>();
  for (const p of progress) bySource.set(p.source, [...(bySource.get(p.source) ?? []), p]);
  return (source: string, side: Side) => {
    const entries = bySource.get(source) ?? [];
    const lastStored = Math.max(...entries.map((e) => e.lastStoredAtMs));
    const quiet = o.now - lastStored > o.windowMs && (o.lagOf(source) ?? 0) === 0;
    if (entries.length > 0 && quiet) return Number.POSITIVE_INFINITY;
    return entries.find((e) => e.side === side)?.maxObservedAtMs ?? Number.NEGATIVE_INFINITY;
  };
}

/** Runs the sweep every `intervalMs`, one run at a time; `stop` waits for the run in progress. */
export function startSweepLoop(
  sweep: () => Promise<SweepResult>,
  intervalMs: number,
  onError: (err: unknown) => void,
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= sweep()
      .then(() => undefined, onError)
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
