import { describe, expect, it } from "vitest";
import { BatchWriter, type WriterState } from "../../src/store/batch-writer.js";
import { listCohorts } from "../../src/store/cohort-counts.js";
import { readCounterSeries } from "../../src/store/counter-series.js";
import { readCoverage } from "../../src/store/coverage.js";
import { assertQualifiedTable, type StoreDriver } from "../../src/store/driver.js";
import { encodeRows } from "../../src/store/encoded-rows.js";
import { readGateEvidence } from "../../src/store/gate-evidence.js";
import { migrate, schemaVersion } from "../../src/store/migrate.js";
import { MIGRATIONS } from "../../src/store/migrations/all-migrations.js";
import type { Migration } from "../../src/store/migrations/migration.js";
import { openStoreOn, type Store } from "../../src/store/open-store.js";
import { toOutcomeRows } from "../../src/store/outcome-rows.js";
import { createPseudonymizer, PSEUDONYM_PATTERN } from "../../src/store/pseudonymize.js";
import { ttlDays } from "../../src/store/retention.js";
import { readSetAside, type SetAsideEvent, setAsideRows } from "../../src/store/set-aside-pairs.js";
import { StoreSchemaError } from "../../src/store/store-errors.js";
import type { StoredOutcome } from "../../src/store/stored-outcome.js";
import { storeSink } from "../../src/store/write-rows.js";
import { failFirstInserts } from "./failing-driver.js";
import type { FreshDriver, FreshDriverFactory } from "./fresh-store.js";
import { POLICY_A, POLICY_B, RULES_A, storedOutcome, T0 } from "./outcome-fixtures.js";

export const KEY = new Uint8Array(32).fill(7);
const pseudonymizer = createPseudonymizer(KEY);
const MINUTE = 60_000;
const HOSTILE = "'); DROP TABLE x; --";

export async function withFresh<T>(
  fresh: FreshDriverFactory,
  body: (f: FreshDriver) => Promise<T>,
): Promise<T> {
  const f = await fresh();
  try {
    return await body(f);
  } finally {
    await f.dispose();
  }
}

/** A migrated store on a fresh driver; closing is left to the fresh driver's dispose. */
export async function withStore<T>(
  fresh: FreshDriverFactory,
  body: (store: Store, f: FreshDriver) => Promise<T>,
): Promise<T> {
  return withFresh(fresh, async (f) =>
    body(await openStoreOn(f.driver, { database: f.database, retentionDays: 30 }), f),
  );
}

export async function writeOutcomes(store: Store, outcomes: readonly StoredOutcome[]): Promise<void> {
  await storeSink(store)(outcomes.map((o) => encodeRows(toOutcomeRows(o, pseudonymizer))));
}

async function count(driver: StoreDriver, sql: string): Promise<number> {
  const rows = await driver.query<{ n: number | string }>(sql);
  return Number(rows[0]?.n);
}

const window = (fromMs: number, toMs: number) => ({ since: new Date(fromMs), until: new Date(toMs) });

/**
 * One suite for every driver: the same SQL must behave the same on the embedded engine and on a
 * ClickHouse server.
 */
export function describeStore(name: string, fresh: FreshDriverFactory): void {
  describe(`store on ${name}`, () => {
    describe("migrations", () => {
      it("creates the schema once; running again applies nothing", () =>
        withFresh(fresh, async ({ driver, database }) => {
          expect(await schemaVersion(driver, database)).toBe(0);
          const first = await migrate(driver, { database, retentionDays: 30 });
          expect(first.applied).toEqual([
            "001-initial",
            "002-promotion",
            "003-root-cause",
            "004-latent-entitlements",
            "005-replay-facts",
            "006-session-lifecycle",
            "007-stage-chain",
            "008-set-aside-pairs",
          ]);
          expect(first.version).toBe(MIGRATIONS.length);
          const again = await migrate(driver, { database, retentionDays: 30 });
          expect(again).toEqual({ database, applied: [], version: MIGRATIONS.length, retentionChanged: [] });
          expect(await schemaVersion(driver, database)).toBe(MIGRATIONS.length);
          const tables = await driver.query<{ name: string }>(
            "SELECT name FROM system.tables WHERE database = {database:String} ORDER BY name",
            { database },
          );
          expect(tables.map((t) => t.name)).toEqual([
            "gate_evaluations",
            "latent_entitlements",
            "mismatch_details",
            "outcome_counters",
            "pair_outcomes",
            "replay_facts",
            "schema_migrations",
            "session_facts",
            "session_uses",
            "set_aside_pairs",
            "stage_transitions",
            "waivers",
          ]);
          expect(await count(driver, `SELECT count() AS n FROM ${database}.schema_migrations`)).toBe(
            MIGRATIONS.length,
          );
        }));

      it("resumes a migration that failed half-way, re-running its idempotent statements", () =>
        withFresh(fresh, async ({ driver, database }) => {
          const second = (broken: boolean): Migration => ({
            version: 2,
            name: "extra",
            statements: ({ tables }) => [
              `CREATE TABLE IF NOT EXISTS ${tables.database}.extra_a (x UInt8) ENGINE = MergeTree ORDER BY x`,
              broken
                ? "THIS IS NOT SQL"
                : `CREATE TABLE IF NOT EXISTS ${tables.database}.extra_b (x UInt8) ENGINE = MergeTree ORDER BY x`,
            ],
          });
          const initial = MIGRATIONS[0] as Migration;
          await expect(
            migrate(driver, { database, retentionDays: 30, migrations: [initial, second(true)] }),
          ).rejects.toThrow();
          expect(await schemaVersion(driver, database)).toBe(1);
          const resumed = await migrate(driver, {
            database,
            retentionDays: 30,
            migrations: [initial, second(false)],
          });
          expect(resumed.applied).toEqual(["002-extra"]);
          expect(await schemaVersion(driver, database)).toBe(2);
          const again = await migrate(driver, {
            database,
            retentionDays: 30,
            migrations: [initial, second(false)],
          });
          expect(again.applied).toEqual([]);
        }));

      it("refuses a store migrated by a newer build", () =>
        withFresh(fresh, async ({ driver, database }) => {
          await migrate(driver, { database, retentionDays: 30 });
          await driver.insert(`${database}.schema_migrations`, [{ version: 99, name: "from-the-future" }]);
          await expect(migrate(driver, { database, retentionDays: 30 })).rejects.toThrow(StoreSchemaError);
          await expect(migrate(driver, { database, retentionDays: 30 })).rejects.toThrow(/schema version 99/);
        }));

      it("puts the retention TTL on outcomes, findings and latent entitlements, and follows a changed setting", () =>
        withFresh(fresh, async ({ driver, database }) => {
          await migrate(driver, { database, retentionDays: 30 });
          for (const table of ["pair_outcomes", "mismatch_details"]) {
            const [show] = await driver.query<{ statement: string }>(
              `SHOW CREATE TABLE ${database}.${table}`,
            );
            expect(show?.statement).toMatch(
              /TTL toDateTime\((event_time|observed_at)\) \+ toIntervalDay\(30\)/,
            );
            expect(show?.statement).toContain("ttl_only_drop_parts = 1");
          }
          const changed = await migrate(driver, { database, retentionDays: 7 });
          expect(changed.retentionChanged).toEqual([
            `${database}.pair_outcomes`,
            `${database}.mismatch_details`,
            `${database}.latent_entitlements`,
            `${database}.replay_facts`,
            `${database}.set_aside_pairs`,
          ]);
          expect(await ttlDays(driver, `${database}.pair_outcomes`)).toBe(7);
          expect(await ttlDays(driver, `${database}.mismatch_details`)).toBe(7);
          expect(await ttlDays(driver, `${database}.latent_entitlements`)).toBe(7);
          expect(await ttlDays(driver, `${database}.replay_facts`)).toBe(7);
          expect(await ttlDays(driver, `${database}.set_aside_pairs`)).toBe(7);
        }));
    });

    describe("idempotent writes", () => {
      it("stores a batch written twice once: outcomes, findings and counts", () =>
        withStore(fresh, async (store) => {
          const batch = [
            storedOutcome({ correlationId: "c-1" }),
            storedOutcome({ correlationId: "c-2", kinds: [{ kind: "over_permission" }], legacyAllow: false }),
            storedOutcome({ correlationId: "c-3", onlySide: "new" }),
            storedOutcome({
              correlationId: "c-4",
              kinds: [
                { kind: "token_invalid", side: "legacy" },
                { kind: "token_invalid", side: "new" },
              ],
            }),
          ];
          await writeOutcomes(store, batch);
          await writeOutcomes(store, [...batch].reverse());
          const { outcomes, findings } = store.tables;
          // Both copies were written; reads see one.
          expect(await count(store.driver, `SELECT count() AS n FROM ${outcomes}`)).toBe(8);
          expect(await count(store.driver, `SELECT count() AS n FROM ${outcomes} FINAL`)).toBe(4);
          expect(await count(store.driver, `SELECT count() AS n FROM ${findings} FINAL`)).toBe(4);
          const evidence = {
            pairs: 3,
            mismatchedPairs: 2,
            overPermission: 1,
            unpaired: 1,
            observedDriftPairs: 0,
          };
          const q = { cohort: "clinicians", ...window(T0 - MINUTE, T0 + MINUTE) };
          expect(await readGateEvidence(store, q)).toEqual(evidence);
          // Merged away for good, the answer is the same.
          await store.driver.command(`OPTIMIZE TABLE ${outcomes} FINAL`);
          expect(await count(store.driver, `SELECT count() AS n FROM ${outcomes}`)).toBe(4);
          expect(await readGateEvidence(store, q)).toEqual(evidence);
        }));

      it("keeps the latest processing of a replayed pair (e.g. after a policy change)", () =>
        withStore(fresh, async (store) => {
          await writeOutcomes(store, [
            storedOutcome({ correlationId: "c-1", kinds: [{ kind: "under_permission" }], newAllow: false }),
          ]);
          await new Promise((r) => setTimeout(r, 5)); // a later stored_at
          await writeOutcomes(store, [storedOutcome({ correlationId: "c-1", policy: POLICY_B })]);
          const base = { cohort: "clinicians", ...window(T0 - MINUTE, T0 + MINUTE) };
          expect(await readGateEvidence(store, base)).toMatchObject({ pairs: 1, mismatchedPairs: 0 });
          expect(await readGateEvidence(store, { ...base, policyBundleSha256: POLICY_B })).toMatchObject({
            pairs: 1,
          });
          expect(await readGateEvidence(store, { ...base, policyBundleSha256: POLICY_A })).toMatchObject({
            pairs: 0,
          });
        }));
    });

    describe("gate evidence", () => {
      it("counts a cohort's outcomes in [since, until), pinned to hashes on request", () =>
        withStore(fresh, async (store) => {
          await writeOutcomes(store, [
            storedOutcome({ correlationId: "before", atMs: T0 - 1 }),
            storedOutcome({ correlationId: "at-since", atMs: T0 }),
            storedOutcome({
              correlationId: "mismatch",
              atMs: T0 + 10 * MINUTE,
              kinds: [{ kind: "subject_mismatch" }],
            }),
            storedOutcome({
              correlationId: "drift",
              atMs: T0 + 20 * MINUTE,
              kinds: [{ kind: "observed_drift", side: "legacy" }],
            }),
            storedOutcome({
              correlationId: "over",
              atMs: T0 + 30 * MINUTE,
              kinds: [{ kind: "over_permission" }],
              policy: POLICY_B,
            }),
            storedOutcome({ correlationId: "lonely", atMs: T0 + 40 * MINUTE, onlySide: "legacy" }),
            storedOutcome({ correlationId: "other-cohort", atMs: T0 + 40 * MINUTE, cohort: "patients" }),
            storedOutcome({ correlationId: "other-rules", atMs: T0 + 50 * MINUTE, rules: "2".repeat(64) }),
            storedOutcome({ correlationId: "at-until", atMs: T0 + 60 * MINUTE }),
          ]);
          const hour = { cohort: "clinicians", ...window(T0, T0 + 60 * MINUTE) };
          expect(await readGateEvidence(store, hour)).toEqual({
            pairs: 5,
            mismatchedPairs: 2,
            overPermission: 1,
            unpaired: 1,
            observedDriftPairs: 1,
          });
          expect(
            await readGateEvidence(store, {
              ...hour,
              policyBundleSha256: POLICY_A,
              legacyRulesSha256: RULES_A,
            }),
          ).toEqual({
            pairs: 3,
            mismatchedPairs: 1,
            overPermission: 0,
            unpaired: 1,
            observedDriftPairs: 1,
          });
          expect(await readGateEvidence(store, { ...hour, cohort: "nobody" })).toEqual({
            pairs: 0,
            mismatchedPairs: 0,
            overPermission: 0,
            unpaired: 0,
            observedDriftPairs: 0,
          });
          await expect(readGateEvidence(store, { ...hour, until: hour.since })).rejects.toThrow(RangeError);
        }));

      it("counts the requests set aside in [since, until) that no outcome judged since, once each", () =>
        withStore(fresh, async (store) => {
          const at = (
            correlationId: string,
            atMs: number,
            side: "legacy" | "new" = "legacy",
          ): SetAsideEvent => ({
            side,
            correlationId,
            observedAtMs: atMs,
            source: `ciam.mirror.${side}/3@${atMs - T0}`,
          });
          const pair = (id: string, atMs: number) => [at(id, atMs), at(id, atMs + 40, "new")];
          const write = storeSink(store);
          await write([
            setAsideRows(pair("before", T0 - 1), HOSTILE),
            setAsideRows(pair("poison-b", T0 + MINUTE), HOSTILE),
            setAsideRows([at("lone", T0 + 2 * MINUTE)], "set aside, not retried"),
            setAsideRows([at("lone-judged", T0 + 2 * MINUTE)], "set aside, not retried"),
            setAsideRows(pair("judged-later", T0 + 3 * MINUTE), "set aside"),
            setAsideRows(pair("poison-a", T0 + 4 * MINUTE), "set aside"),
            setAsideRows(pair("at-until", T0 + 60 * MINUTE), "set aside"),
          ]);
          // Set aside again after a crash (the same request, the same reason): one request still.
          await write([setAsideRows(pair("poison-a", T0 + 4 * MINUTE), "set aside")]);
          // A replay of its dead letters judged this one: it no longer holds the gate back.
          await writeOutcomes(store, [
            storedOutcome({ correlationId: "judged-later", atMs: T0 + 3 * MINUTE }),
            storedOutcome({ correlationId: "lone-judged", atMs: T0 + 2 * MINUTE, onlySide: "legacy" }),
            // Its other side, stored alone later, does not judge the lone legacy event set aside.
            storedOutcome({ correlationId: "lone", atMs: T0 + 2 * MINUTE + 30_000, onlySide: "new" }),
          ]);
          const hour = window(T0, T0 + 60 * MINUTE);
          expect(await readSetAside(store, hour)).toEqual({
            requests: 3,
            examples: ["lone", "poison-a", "poison-b"],
          });
          expect(await readSetAside(store, window(T0 + 3 * MINUTE, T0 + 60 * MINUTE))).toEqual({
            requests: 1,
            examples: ["poison-a"],
          });
          expect(await readSetAside(store, window(T0 + 5 * MINUTE, T0 + 60 * MINUTE))).toEqual({
            requests: 0,
            examples: [],
          });
          const [row] = await store.driver.query<{ only_side: string; sources: string[]; reason: string }>(
            `SELECT only_side, sources, reason FROM ${store.tables.setAside} FINAL WHERE correlation_id = {id:String}`,
            { id: "poison-b" },
          );
          expect(row).toEqual({
            only_side: "",
            sources: ["ciam.mirror.legacy/3@60000", "ciam.mirror.new/3@60040"],
            reason: HOSTILE,
          });
        }));

      it("lists cohorts with counts, findings per kind and first/last event", () =>
        withStore(fresh, async (store) => {
          await writeOutcomes(store, [
            storedOutcome({ correlationId: "p1", cohort: "patients", atMs: T0 }),
            storedOutcome({
              correlationId: "p2",
              cohort: "patients",
              atMs: T0 + MINUTE,
              kinds: [
                { kind: "token_invalid", side: "legacy" },
                { kind: "token_invalid", side: "new" },
              ],
            }),
            storedOutcome({
              correlationId: "c1",
              cohort: "clinicians",
              atMs: T0 + 2 * MINUTE,
              onlySide: "new",
            }),
          ]);
          const cohorts = await listCohorts(store);
          expect(cohorts).toEqual([
            {
              cohort: "clinicians",
              pairs: 0,
              mismatchedPairs: 0,
              overPermission: 0,
              unpaired: 1,
              observedDriftPairs: 0,
              findings: { unpaired: 1 },
              firstEventAt: new Date(T0 + 2 * MINUTE),
              lastEventAt: new Date(T0 + 2 * MINUTE),
            },
            {
              cohort: "patients",
              pairs: 2,
              mismatchedPairs: 1,
              overPermission: 0,
              unpaired: 0,
              observedDriftPairs: 0,
              findings: { token_invalid: 2 },
              firstEventAt: new Date(T0),
              lastEventAt: new Date(T0 + MINUTE),
            },
          ]);
          expect(await listCohorts(store, window(T0, T0 + MINUTE))).toHaveLength(1);
        }));

      it("serves counters by time bucket, and coverage by request path", () =>
        withStore(fresh, async (store) => {
          await writeOutcomes(store, [
            storedOutcome({ correlationId: "a", atMs: T0 + 5_000 }),
            storedOutcome({
              correlationId: "b",
              atMs: T0 + 50_000,
              kinds: [{ kind: "under_permission" }],
              newAllow: false,
            }),
            storedOutcome({ correlationId: "c", atMs: T0 + 61 * MINUTE, action: "export", ruleId: null }),
            storedOutcome({ correlationId: "d", atMs: T0 + 62 * MINUTE, onlySide: "legacy" }),
          ]);
          const series = await readCounterSeries(store, {
            cohort: "clinicians",
            stepSeconds: 3_600,
            ...window(T0, T0 + 120 * MINUTE),
          });
          expect(series).toEqual([
            {
              at: new Date(T0),
              pairs: 2,
              mismatchedPairs: 1,
              overPermission: 0,
              unpaired: 0,
              observedDriftPairs: 0,
            },
            {
              at: new Date(T0 + 60 * MINUTE),
              pairs: 1,
              mismatchedPairs: 0,
              overPermission: 0,
              unpaired: 1,
              observedDriftPairs: 0,
            },
          ]);
          const coverage = await readCoverage(store, {
            cohort: "clinicians",
            ...window(T0, T0 + 120 * MINUTE),
          });
          expect(coverage).toEqual([
            { action: "read", resourceType: "patient_record", legacyRuleId: "care-team-read", pairs: 2 },
            { action: "export", resourceType: "patient_record", legacyRuleId: null, pairs: 1 },
          ]);
        }));
    });

    describe("what is stored", () => {
      it("holds raw subject and resource ids and tokens in no column of any table", () =>
        withStore(fresh, async (store) => {
          const raw = {
            legacySubject: "legacy-subject-4f1d9",
            newSubject: "new-subject-8c2e7",
            resourceId: "patient-record-31337",
          };
          const token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsZWdhY3ktc3ViamVjdC00ZjFkOSJ9.c2lnbmF0dXJlLXJhdw";
          const outcome = storedOutcome({
            correlationId: "c-ids",
            kinds: [{ kind: "over_permission" }],
            legacyAllow: false,
            ...raw,
          });
          // A careless caller passing more than the contract: the mapping keeps only what it names.
          await writeOutcomes(store, [Object.assign(outcome, { token, claims: { sub: raw.legacySubject } })]);

          const tables = await store.driver.query<{ name: string }>(
            "SELECT name FROM system.tables WHERE database = {database:String} ORDER BY name",
            { database: store.tables.database },
          );
          let dumped = "";
          for (const { name } of tables) {
            const rows = await store.driver.query<object>(
              `SELECT * FROM ${assertQualifiedTable(`${store.tables.database}.${name}`)}`,
            );
            dumped += JSON.stringify(rows);
          }
          expect(dumped).toContain("c-ids");
          for (const value of [...Object.values(raw), token, "c2lnbmF0dXJlLXJhdw"])
            expect(dumped).not.toContain(value);

          const [finding] = await store.driver.query<Record<string, string>>(
            `SELECT legacy_subject_pseudonym, new_subject_pseudonym, resource_pseudonym FROM ${store.tables.findings}`,
          );
          expect(finding).toEqual({
            legacy_subject_pseudonym: pseudonymizer.subject(raw.legacySubject),
            new_subject_pseudonym: pseudonymizer.subject(raw.newSubject),
            resource_pseudonym: pseudonymizer.resource(raw.resourceId),
          });
          for (const value of Object.values(finding ?? {})) expect(value).toMatch(PSEUDONYM_PATTERN);
        }));

      it("stores hostile strings verbatim and binds them as parameters", () =>
        withStore(fresh, async (store) => {
          const hostile = [
            HOSTILE,
            "back\\slash \\' quote",
            "tab\tnew\nline",
            "ünïcødé ✓ 🔐",
            "{x:String} ?",
          ];
          await writeOutcomes(
            store,
            hostile.map((text, i) =>
              storedOutcome({
                correlationId: `${text}#${i}`,
                cohort: text,
                action: text,
                resourceType: text,
                ruleId: text,
                reasons: [text, HOSTILE],
                detail: text,
                kinds: [{ kind: "over_permission" }],
                legacyAllow: false,
              }),
            ),
          );
          for (const text of hostile) {
            const q = { cohort: text, ...window(T0, T0 + MINUTE) };
            expect(await readGateEvidence(store, q)).toMatchObject({ pairs: 1, overPermission: 1 });
            expect(await readCoverage(store, q)).toEqual([
              { action: text, resourceType: text, legacyRuleId: text, pairs: 1 },
            ]);
            const rows = await store.driver.query<{
              detail: string;
              new_reasons: string[];
              correlation_id: string;
            }>(
              `SELECT detail, new_reasons, correlation_id FROM ${store.tables.findings} FINAL WHERE cohort = {cohort:String}`,
              { cohort: text },
            );
            expect(rows).toEqual([
              { detail: text, new_reasons: [text, HOSTILE], correlation_id: expect.stringContaining(text) },
            ]);
          }
          expect((await listCohorts(store)).map((c) => c.cohort).sort()).toEqual([...hostile].sort());
          expect(await count(store.driver, `SELECT count() AS n FROM ${store.tables.outcomes}`)).toBe(
            hostile.length,
          );
        }));
    });
    describe("batch writer on a failing store", () => {
      const outcomes = Array.from({ length: 500 }, (_, i) =>
        storedOutcome({
          correlationId: `w-${i}`,
          atMs: T0 + i * 1_000,
          kinds: i % 10 === 0 ? [{ kind: "over_permission" }] : [],
          legacyAllow: i % 10 !== 0,
        }),
      );
      const options = { maxRows: 64, maxDelayMs: 10, retry: { initialDelayMs: 5, maxDelayMs: 40 } };

      it("pauses while inserts fail, then stores every outcome exactly once", () =>
        withStore(fresh, async (store) => {
          const faulty = failFirstInserts(store.driver, 4);
          const writer = new BatchWriter(
            storeSink({ driver: faulty, tables: store.tables }),
            pseudonymizer,
            options,
          );
          const states: WriterState[] = [];
          writer.onStateChange((s) => states.push(s));
          let storedBeforeRecovery = 0;
          const written = outcomes.map((o) =>
            writer.write(o).then(() => {
              if (faulty.failures < 4) storedBeforeRecovery++;
            }),
          );
          await Promise.all(written);
          await writer.close();

          expect(faulty.failures).toBe(4);
          expect(storedBeforeRecovery).toBe(0);
          expect(states).toContainEqual({ healthy: false, paused: true });
          expect(states.at(-1)).toEqual({ healthy: true, paused: false });
          expect(writer.stats()).toMatchObject({
            writtenRows: 500,
            queuedRows: 0,
            inFlightRows: 0,
            failedAttempts: 4,
          });
          expect(await count(store.driver, `SELECT count() AS n FROM ${store.tables.outcomes} FINAL`)).toBe(
            500,
          );
          expect(await count(store.driver, `SELECT count() AS n FROM ${store.tables.findings} FINAL`)).toBe(
            50,
          );
          expect(
            await readGateEvidence(store, { cohort: "clinicians", ...window(T0, T0 + 500 * 1_000) }),
          ).toMatchObject({ pairs: 500, overPermission: 50, mismatchedPairs: 50 });
        }));

      it("retries a half-written batch (findings stored, outcomes refused) without duplicates", () =>
        withStore(fresh, async (store) => {
          const faulty = failFirstInserts(store.driver, 3, (table) => table === store.tables.outcomes);
          const writer = new BatchWriter(
            storeSink({ driver: faulty, tables: store.tables }),
            pseudonymizer,
            options,
          );
          await Promise.all(outcomes.map((o) => writer.write(o)));
          await writer.close();
          expect(faulty.failures).toBe(3);
          // The first batch's findings went in on every attempt; reads still see each once.
          expect(faulty.passed(store.tables.findings)).toBe(faulty.passed(store.tables.outcomes) + 3);
          expect(await count(store.driver, `SELECT count() AS n FROM ${store.tables.findings} FINAL`)).toBe(
            50,
          );
          expect(await count(store.driver, `SELECT count() AS n FROM ${store.tables.outcomes} FINAL`)).toBe(
            500,
          );
        }));
    });
  });
}
