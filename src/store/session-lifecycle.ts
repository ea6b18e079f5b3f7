import type { Side } from "../contracts/index.js";
import type { LifecycleFinding } from "../lifecycle/judge-sessions.js";
import type { SessionFact, SessionUse } from "../lifecycle/session-fact.js";
import { FINAL_SETTINGS, toCount } from "./evidence-window.js";
import type { Store } from "./open-store.js";
import { clickHouseTime, findingRow, NO_IDS } from "./outcome-rows.js";

type SessionStore = Pick<Store, "driver" | "tables">;

/** A row of session_facts: the fact as the judge reads it back. */
export interface SessionFactRow {
  session: string;
  side: string;
  event: string;
  observed_at: string;
  source: string;
  cohort: string;
  invalid: string | null;
  access_lifetime_seconds: number | null;
  refresh_lifetime_seconds: number | null;
  claims: Record<string, string | null>;
}

export function sessionFactRow(f: SessionFact): SessionFactRow {
  return {
    session: f.session,
    side: f.side,
    event: f.event,
    observed_at: clickHouseTime(f.observedAtMs),
    source: f.source,
    cohort: f.cohort,
    invalid: f.invalid,
    access_lifetime_seconds: f.accessLifetimeSeconds,
    refresh_lifetime_seconds: f.refreshLifetimeSeconds,
    claims: { ...f.claims },
  };
}

export async function insertSessionFacts(store: SessionStore, facts: readonly SessionFact[]): Promise<void> {
  if (facts.length > 0) await store.driver.insert(store.tables.sessionFacts, facts.map(sessionFactRow));
}

/**
 * Lifecycle findings are rows of mismatch_details like the others (the same listings, drift
 * groups and counts), keyed by their deterministic id: judging a session again replaces them.
 * They belong to no policy version: the CIAMs, not the models, differ.
 */
export async function insertLifecycleFindings(
  store: SessionStore,
  findings: readonly LifecycleFinding[],
): Promise<void> {
  if (findings.length === 0) return;
  const rows = findings.map(({ id, finding }) =>
    findingRow(id, finding, {
      ...NO_IDS,
      policy_bundle_sha256: "",
      legacy_rules_sha256: "",
      observed_at: clickHouseTime(Date.parse(finding.observedAt)),
    }),
  );
  await store.driver.insert(store.tables.findings, rows);
}

/** The store server's clock (stored_at is set by it), epoch milliseconds. */
export async function readStoreClock(store: SessionStore): Promise<number> {
  const [row] = await store.driver.query<{ now: unknown }>("SELECT toUnixTimestamp64Milli(now64(3)) AS now");
  return toEpochMs(row?.now);
}

/** How far each source has delivered each side's facts, and when it last stored one (wall clock). */
export interface FactProgress {
  source: string;
  side: Side;
  maxObservedAtMs: number;
  lastStoredAtMs: number;
}

export async function readFactProgress(store: SessionStore): Promise<FactProgress[]> {
  const rows = await store.driver.query<{ source: string; side: string; observed: unknown; stored: unknown }>(
    `SELECT source, side,
  toUnixTimestamp64Milli(max(observed_at)) AS observed,
  toUnixTimestamp64Milli(max(stored_at)) AS stored
FROM ${store.tables.sessionFacts}
GROUP BY source, side`,
  );
  return rows.map((r) => ({
    source: r.source,
    side: r.side === "new" ? "new" : "legacy",
    maxObservedAtMs: toEpochMs(r.observed),
    lastStoredAtMs: toEpochMs(r.stored),
  }));
}

/**
 * Sessions the judge must look at again: those with facts or requests stored since `storedSinceMs`
 * (something new), and, per source in `open`, those with facts dated from its `sinceMs` on, with
 * requests of logged-out sessions from the earliest of them (a verdict may have come due as the
 * other side's facts came in). Requests matter only to sessions with a logout.
 */
export async function readSessionsToJudge(
  store: SessionStore,
  q: { storedSinceMs: number; open: readonly { source: string; sinceMs: number }[] },
): Promise<string[]> {
  const t = store.tables;
  const openSinceMs = Math.min(Number.MAX_SAFE_INTEGER, ...q.open.map((o) => o.sinceMs));
  // Branches of their own (not ORs), each bounded by a constant, so the stored_at index and the
  // daily partitions of observed_at can skip what they need not read.
  const rows = await store.driver.query<{ session: string }>(
    `SELECT DISTINCT session FROM (
  SELECT session FROM ${t.sessionFacts}
  WHERE stored_at >= fromUnixTimestamp64Milli({storedSinceMs:Int64}, 'UTC')
  UNION ALL
  SELECT session FROM ${t.sessionFacts}
  WHERE observed_at >= fromUnixTimestamp64Milli({openSinceMs:Int64}, 'UTC')
    AND indexOf({sources:Array(String)}, source) > 0
    AND observed_at >= fromUnixTimestamp64Milli(toInt64OrZero(arrayElement({sinces:Array(String)}, indexOf({sources:Array(String)}, source))), 'UTC')
  UNION ALL
  SELECT session FROM ${t.sessionUses}
  WHERE stored_at >= fromUnixTimestamp64Milli({storedSinceMs:Int64}, 'UTC')
    AND session IN (SELECT session FROM ${t.sessionFacts} WHERE event = 'revoked')
  UNION ALL
  SELECT session FROM ${t.sessionUses}
  WHERE observed_at >= fromUnixTimestamp64Milli({openSinceMs:Int64}, 'UTC')
    AND session IN (SELECT session FROM ${t.sessionFacts} WHERE event = 'revoked')
)`,
    {
      storedSinceMs: clampMs(q.storedSinceMs),
      openSinceMs: clampMs(openSinceMs),
      sources: q.open.map((o) => o.source),
      // The driver binds string arrays; the SQL reads them back as Int64.
      sinces: q.open.map((o) => String(clampMs(o.sinceMs))),
    },
  );
  return rows.map((r) => r.session);
}

/** Every stored fact of these sessions, and their requests when they have a logout (only those are read). */
export async function readSessions(
  store: SessionStore,
  sessions: readonly string[],
): Promise<{ facts: SessionFact[]; uses: SessionUse[] }> {
  if (sessions.length === 0) return { facts: [], uses: [] };
  const params = { sessions: [...sessions] };
  const facts = await store.driver.query<Omit<SessionFactRow, "observed_at"> & { at: unknown }>(
    `SELECT session, side, event, toUnixTimestamp64Milli(observed_at) AS at, source, cohort, invalid,
  access_lifetime_seconds, refresh_lifetime_seconds, claims
FROM ${store.tables.sessionFacts} FINAL
WHERE session IN {sessions:Array(String)}
${FINAL_SETTINGS}`,
    params,
  );
  const revoked = [...new Set(facts.filter((f) => f.event === "revoked").map((f) => f.session))];
  const uses =
    revoked.length === 0
      ? []
      : await store.driver.query<{
          session: string;
          at: unknown;
          correlation_id: string;
          cohort: string;
          legacy_accepted: boolean | number | null;
          new_accepted: boolean | number | null;
        }>(
          `SELECT session, toUnixTimestamp64Milli(observed_at) AS at, correlation_id, cohort, legacy_accepted, new_accepted
FROM ${store.tables.sessionUses} FINAL
WHERE session IN {sessions:Array(String)}
${FINAL_SETTINGS}`,
          { sessions: revoked },
        );
  return {
    facts: facts.map((f) => ({
      session: f.session,
      side: f.side === "new" ? "new" : "legacy",
      event: f.event === "revoked" ? "revoked" : f.event === "refreshed" ? "refreshed" : "issued",
      observedAtMs: toEpochMs(f.at),
      source: f.source,
      cohort: f.cohort,
      invalid: f.invalid,
      accessLifetimeSeconds: nullableNumber(f.access_lifetime_seconds),
      refreshLifetimeSeconds: nullableNumber(f.refresh_lifetime_seconds),
      claims: f.claims,
    })),
    uses: uses.map((u) => ({
      session: u.session,
      observedAtMs: toEpochMs(u.at),
      correlationId: u.correlation_id,
      cohort: u.cohort,
      accepted: { legacy: nullableBool(u.legacy_accepted), new: nullableBool(u.new_accepted) },
    })),
  };
}

export type LifecycleCounts = Record<"lifetimeDrift" | "sessionDrift" | "claimDrift", number>;

/** Sessions of a cohort with each lifecycle finding kind, by the finding's event time in [since, until). */
export async function readLifecycleCounts(
  store: SessionStore,
  q: { cohort: string; since: Date; until: Date },
): Promise<LifecycleCounts> {
  const [row] = await store.driver.query<Record<keyof LifecycleCounts, unknown>>(
    `SELECT
  uniqExactIf(correlation_id, kind = 'lifetime_drift') AS lifetimeDrift,
  uniqExactIf(correlation_id, kind = 'session_drift') AS sessionDrift,
  uniqExactIf(correlation_id, kind = 'claim_drift') AS claimDrift
FROM ${store.tables.findings} FINAL
WHERE cohort = {cohort:String}
  AND kind IN ('lifetime_drift', 'session_drift', 'claim_drift')
  AND observed_at >= fromUnixTimestamp64Milli({sinceMs:Int64}, 'UTC')
  AND observed_at < fromUnixTimestamp64Milli({untilMs:Int64}, 'UTC')
${FINAL_SETTINGS}`,
    { cohort: q.cohort, sinceMs: q.since.getTime(), untilMs: q.until.getTime() },
  );
  return {
    lifetimeDrift: toCount(row?.lifetimeDrift ?? 0),
    sessionDrift: toCount(row?.sessionDrift ?? 0),
    claimDrift: toCount(row?.claimDrift ?? 0),
  };
}

/** Epoch milliseconds as the store returns them (Int64: a string over HTTP); before 1970 too. */
function toEpochMs(value: unknown): number {
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isSafeInteger(n))
    throw new TypeError(`store returned a non-time: ${String(value)}`);
  return n;
}

/** Within DateTime64's range (1900..2299), as clickHouseTime clamps what is stored. */
const clampMs = (ms: number) => Math.max(Date.UTC(1900, 0, 1), Math.min(ms, Date.UTC(2200, 0, 1)));
const nullableNumber = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const nullableBool = (v: boolean | number | null) => (v === null ? null : Boolean(v));
