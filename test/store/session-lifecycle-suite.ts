import { describe, expect, it } from "vitest";
import { judgeSessions } from "../../src/lifecycle/judge-sessions.js";
import type { SessionFact } from "../../src/lifecycle/session-fact.js";
import { createSessionSweep } from "../../src/service/session-sweep.js";
import { readDriftGroups } from "../../src/store/drift-groups.js";
import { readMismatchDetail } from "../../src/store/mismatch-detail.js";
import { createPseudonymizer } from "../../src/store/pseudonymize.js";
import {
  insertLifecycleFindings,
  insertSessionFacts,
  readFactProgress,
  readLifecycleCounts,
  readSessions,
  readSessionsToJudge,
  readStoreClock,
} from "../../src/store/session-lifecycle.js";
import type { FreshDriverFactory } from "./fresh-store.js";
import { storedOutcome, T0 } from "./outcome-fixtures.js";
import { KEY, withStore, writeOutcomes } from "./store-suite.js";

const pseudonyms = createPseudonymizer(KEY);
const SESSION = pseudonyms.session("login-secret-4711");

function fact(
  over: Partial<SessionFact> & Pick<SessionFact, "side" | "event" | "observedAtMs">,
): SessionFact {
  return {
    session: SESSION,
    source: "tokens/0",
    cohort: "caregivers",
    invalid: null,
    accessLifetimeSeconds: 3_900,
    refreshLifetimeSeconds: 28_800,
    claims: { "roles>roles": '["caregiver"]', "tenant>tenant": null, "email>user_email": "hmac:x" },
    ...over,
  };
}

const FACTS: SessionFact[] = [
  fact({ side: "legacy", event: "issued", observedAtMs: T0 }),
  fact({ side: "new", event: "issued", observedAtMs: T0 + 5, refreshLifetimeSeconds: 2_592_000 }),
  fact({ side: "legacy", event: "revoked", observedAtMs: T0 + 600_000, accessLifetimeSeconds: null }),
];

const LIFECYCLE = { lifetimeToleranceSeconds: 60, windowSeconds: 60, sweepSeconds: 10, personalClaims: [] };

const OPTIONS = {
  windowMs: 60_000,
  lifetimeToleranceSeconds: 60,
  mappings: [
    { legacy: "roles", new: "roles" },
    { legacy: "tenant", new: "tenant" },
    { legacy: "email", new: "user_email" },
  ],
  factsComplete: () => Number.POSITIVE_INFINITY,
};

/** Session facts and uses (docs/lifecycle.md), on every driver: what the session judge reads back. */
export function describeSessionLifecycleStore(name: string, fresh: FreshDriverFactory): void {
  describe(`session lifecycle on ${name}`, () => {
    it("reads facts back as written, and requests that named the session with their acceptance", () =>
      withStore(fresh, async (store) => {
        await insertSessionFacts(store, FACTS);
        await insertSessionFacts(store, FACTS); // a redelivery replaces itself
        const later = {
          ...storedOutcome({ correlationId: "after-logout", cohort: "caregivers", atMs: T0 + 700_000 }),
          session: { id: "login-secret-4711", accepted: { legacy: true, new: true } },
        };
        const unpaired = {
          ...storedOutcome({ correlationId: "only-new", cohort: "caregivers", atMs: T0 + 800_000 }),
          paired: false,
          onlySide: "new" as const,
          session: { id: "login-secret-4711", accepted: { legacy: null, new: false } },
        };
        await writeOutcomes(store, [later, unpaired]);
        const read = await readSessions(store, [SESSION, pseudonyms.session("nobody")]);
        const byTime = (a: { observedAtMs: number }, b: { observedAtMs: number }) =>
          a.observedAtMs - b.observedAtMs;
        expect(read.facts.sort(byTime)).toEqual(FACTS);
        expect(read.uses.sort(byTime)).toEqual([
          {
            session: SESSION,
            observedAtMs: T0 + 700_000,
            correlationId: "after-logout",
            cohort: "caregivers",
            accepted: { legacy: true, new: true },
          },
          {
            session: SESSION,
            observedAtMs: T0 + 800_000,
            correlationId: "only-new",
            cohort: "caregivers",
            accepted: { legacy: null, new: false },
          },
        ]);
        const [raw] = await store.driver.query<{ n: number | string }>(
          `SELECT count() AS n FROM ${store.tables.sessionUses} WHERE position(session, 'login-secret') > 0`,
        );
        expect(Number(raw?.n)).toBe(0);
      }));

    it("says which sessions moved, and how far each source delivered each side", () =>
      withStore(fresh, async (store) => {
        const before = Date.now() - 1_000;
        await insertSessionFacts(store, FACTS);
        await insertSessionFacts(store, [
          fact({
            session: "hmac:other",
            side: "new",
            event: "issued",
            observedAtMs: T0 - 3_600_000,
            source: "tokens/1",
          }),
        ]);
        expect((await readSessionsToJudge(store, { storedSinceMs: before, open: [] })).sort()).toEqual(
          [SESSION, "hmac:other"].sort(),
        );
        expect(
          await readSessionsToJudge(store, {
            storedSinceMs: Date.now() + 60_000,
            open: [
              { source: "tokens/0", sinceMs: T0 },
              { source: "tokens/9", sinceMs: 0 },
            ],
          }),
        ).toEqual([SESSION]);
        const everything = await readSessionsToJudge(store, {
          storedSinceMs: Date.now() + 60_000,
          open: [{ source: "tokens/1", sinceMs: Number.MIN_SAFE_INTEGER }],
        });
        expect(everything).toEqual(["hmac:other"]);
        expect(Math.abs((await readStoreClock(store)) - Date.now())).toBeLessThan(60_000);
        const progress = await readFactProgress(store);
        expect(progress.map((p) => `${p.source} ${p.side} ${p.maxObservedAtMs}`).sort()).toEqual([
          `tokens/0 legacy ${T0 + 600_000}`,
          `tokens/0 new ${T0 + 5}`,
          `tokens/1 new ${T0 - 3_600_000}`,
        ]);
        for (const p of progress) expect(p.lastStoredAtMs).toBeGreaterThanOrEqual(before);
      }));

    it("stores judged findings once however often a session is judged, and counts sessions per kind", () =>
      withStore(fresh, async (store) => {
        await insertSessionFacts(store, FACTS);
        await writeOutcomes(store, [
          {
            ...storedOutcome({ correlationId: "after-logout", cohort: "caregivers", atMs: T0 + 700_000 }),
            session: { id: "login-secret-4711", accepted: { legacy: true, new: true } },
          },
        ]);
        let judged: ReturnType<typeof judgeSessions> = [];
        for (let i = 0; i < 2; i++) {
          const { facts, uses } = await readSessions(store, [SESSION]);
          judged = judgeSessions(facts, uses, OPTIONS);
          await insertLifecycleFindings(store, judged);
        }
        const logout = judged.find((f) => f.finding.kind === "session_drift");
        const detail = await readMismatchDetail(store, logout?.id ?? "");
        expect(detail).toMatchObject({
          correlationId: SESSION,
          cohort: "caregivers",
          action: "revoked",
          resourceType: "session",
          legacy: { allow: null },
          findings: [
            { kind: "session_drift", severity: "high", side: "new", detail: logout?.finding.detail },
          ],
        });
        const groups = await readDriftGroups(store, { limit: 10, until: new Date(T0 + 3_600_000) });
        expect(groups.groups.map((g) => `${g.kind} ${g.action} ${g.resourceType} ${g.pairs}`).sort()).toEqual(
          ["lifetime_drift issued session 1", "session_drift revoked session 1"],
        );
        const counts = await readLifecycleCounts(store, {
          cohort: "caregivers",
          since: new Date(T0 - 1),
          until: new Date(T0 + 3_600_000),
        });
        expect(counts).toEqual({ lifetimeDrift: 1, sessionDrift: 1, claimDrift: 0 });
        const rows = await store.driver.query<{ kind: string; detail: string }>(
          `SELECT kind, detail FROM ${store.tables.findings} FINAL ORDER BY kind`,
        );
        expect(rows.map((r) => r.kind)).toEqual(["lifetime_drift", "session_drift"]);
        expect(rows[1]?.detail).toContain("(request after-logout)");
        const outside = await readLifecycleCounts(store, {
          cohort: "caregivers",
          since: new Date(T0 + 3_600_000),
          until: new Date(T0 + 7_200_000),
        });
        expect(outside).toEqual({ lifetimeDrift: 0, sessionDrift: 0, claimDrift: 0 });
      }));

    it("judges a verdict that came due however long the source stayed undecided, once its lag is known to be 0", () =>
      withStore(fresh, async (store) => {
        const S = pseudonyms.session("login-refresh-1");
        await insertSessionFacts(store, [
          fact({ session: S, side: "legacy", event: "issued", observedAtMs: T0 }),
          fact({ session: S, side: "new", event: "issued", observedAtMs: T0 }),
          fact({ session: S, side: "legacy", event: "refreshed", observedAtMs: T0 + 1_000_000 }),
          // Another session keeps both sides just past the refresh: not yet a window past it.
          fact({ session: "hmac:pace", side: "legacy", event: "issued", observedAtMs: T0 + 1_010_000 }),
          fact({ session: "hmac:pace", side: "new", event: "issued", observedAtMs: T0 + 1_010_000 }),
        ]);
        let now = Date.now();
        let lag: number | undefined;
        const sweep = createSessionSweep({
          store,
          config: { identity: { legacySubjectClaim: "legacy_sub", claimMappings: [] }, lifecycle: LIFECYCLE },
          lagOf: () => (lag === undefined ? undefined : { remaining: lag, ageMs: 0 }),
          now: () => now,
        });
        const drift = async () =>
          (
            await store.driver.query<{ n: number | string }>(
              `SELECT count() AS n FROM ${store.tables.findings} FINAL WHERE kind = 'session_drift'`,
            )
          )[0]?.n;
        await sweep();
        expect(Number(await drift())).toBe(0);
        for (let i = 0; i < 20; i++) {
          now += 60_000; // an hour of sweeps with the lag unknown (the brokers away)
          await sweep();
        }
        expect(Number(await drift())).toBe(0);
        lag = 0;
        now += 60_000;
        await sweep();
        expect(Number(await drift())).toBe(1);
      }));
  });
}
