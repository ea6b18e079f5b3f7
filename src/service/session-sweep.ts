import { groupBy } from "../collections/group-by.js";
import { type Config, SIDES, type Side } from "../contracts/index.js";
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
  readStoreClock,
} from "../store/session-lifecycle.js";

export interface SessionSweepDeps {
  store: Pick<Store, "driver" | "tables">;
  config: Pick<Config, "identity"> & { lifecycle: NonNullable<Config["lifecycle"]> };
  /**
   * What a fact source (`topic/partition`, or `http`) still has to store: its consumer lag, or
   * the HTTP token events accepted and not yet stored; undefined when unknown (not probed, stale).
   */
  lagOf(source: string): SourceLag | undefined;
  /** The clock stored_at is compared with; the store's own by default. */
  now?: () => number;
}

/** What a source still had to store, and how long ago (ms) that was measured. */
export interface SourceLag {
  remaining: number;
  ageMs: number;
}

export interface SweepResult {
  sessions: number;
  findings: number;
}

const SESSIONS_PER_READ = 500;
/** How long after its stored_at an insert may become visible: the store client's request timeout. */
const INSERT_VISIBILITY_MS = 60_000;

/**
 * The session judge over the store, for `serve`: every member may run it (findings have
 * deterministic ids, so two judging the same session store each finding once), and it sees the
 * facts and requests of all members, whichever member consumed them. Each run judges the
 * sessions that moved since the last one and those whose one-sided verdicts may have come due.
 */
export function createSessionSweep(deps: SessionSweepDeps): () => Promise<SweepResult> {
  const windowMs = deps.config.lifecycle.windowSeconds * 1000;
  const sweepMs = deps.config.lifecycle.sweepSeconds * 1000;
  // Times are the store's clock (stored_at is set by the server), never this process's.
  let lastStartedAt = 0;
  /** What each source and side was complete up to at the last sweep. */
  let previous = new Map<string, number>();
  return async () => {
    const startedAt = deps.now?.() ?? (await readStoreClock(deps.store));
    const progress = await readFactProgress(deps.store);
    const factsComplete = completeness(progress, { now: startedAt, windowMs, lagOf: deps.lagOf });
    const current = new Map(
      progress.flatMap((p) =>
        SIDES.map(
          (side) => [progressKey({ source: p.source, side }), factsComplete(p.source, side)] as const,
        ),
      ),
    );
    const sessions = await readSessionsToJudge(deps.store, {
      // stored_at is set when the server takes an insert, which may become visible later (a
      // slow or throttled insert, up to the client's timeout): look back that far.
      storedSinceMs: lastStartedAt - Math.max(sweepMs, INSERT_VISIBILITY_MS) - windowMs,
      open: openBounds(progress, previous, current, windowMs),
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
    previous = current;
    return { sessions: sessions.length, findings };
  };
}

/**
 * Per source, from when facts may have verdicts come due since the last sweep. A fact's verdict
 * waits for the other side of its source to be complete past it, so only a side whose
 * completeness rose makes anything due: the source's facts (and requests) dated after what that
 * side was complete up to before, less the windows a verdict waits, however far it rose. A side
 * not complete at all before opens every fact of the source; that happens when its first facts
 * come, or when the source goes quiet. A fall (a quiet source busy again) makes nothing due.
 */
export function openBounds(
  progress: readonly FactProgress[],
  previous: ReadonlyMap<string, number>,
  current: ReadonlyMap<string, number>,
  windowMs: number,
): { source: string; sinceMs: number }[] {
  const sources = [...new Set(progress.map((p) => p.source))];
  return sources.flatMap((source) => {
    const rose = SIDES.map((side) => progressKey({ source, side }))
      .map((k) => ({
        before: previous.get(k) ?? Number.NEGATIVE_INFINITY,
        now: current.get(k) ?? Number.NEGATIVE_INFINITY,
      }))
      .filter((c) => c.now > c.before);
    if (rose.length === 0) return [];
    const before = Math.min(...rose.map((c) => c.before));
    return [{ source, sinceMs: Number.isFinite(before) ? before - 2 * windowMs : Number.MIN_SAFE_INTEGER }];
  });
}

const progressKey = (p: Pick<FactProgress, "source" | "side">) => `${p.source}\u0000${p.side}`;

/**
 * A source has delivered a side up to the latest fact of that side stored from it. A source that
 * went quiet (nothing stored for a window, nothing left unread in Kafka) has delivered everything.
 */
export function completeness(
  progress: readonly FactProgress[],
  o: { now: number; windowMs: number; lagOf(source: string): SourceLag | undefined },
): FactsComplete {
  const bySource = groupBy(progress, (p) => p.source);
  return (source: string, side: Side) => {
    const entries = bySource.get(source) ?? [];
    const lastStored = Math.max(...entries.map((e) => e.lastStoredAtMs));
    // A source must be known to have nothing left to store: for Kafka its lag is 0, for HTTP no
    // accepted event is still on its way to the store. An unknown lag is not silence. The lag
    // must be measured a window after the last stored fact: the counterparts of the stored facts
    // are produced by then, and a zero lag measured earlier says nothing about them.
    const lag = o.lagOf(source);
    const measuredAt = lag === undefined ? Number.NEGATIVE_INFINITY : o.now - lag.ageMs;
    const quiet = lag?.remaining === 0 && measuredAt - lastStored > o.windowMs;
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
