import { describe, expect, it } from "vitest";
import type { RootCause } from "../../src/contracts/index.js";
import { readDriftGroups } from "../../src/store/drift-groups.js";
import { readMismatchDetail } from "../../src/store/mismatch-detail.js";
import { PSEUDONYM_PATTERN } from "../../src/store/pseudonymize.js";
import type { StoredOutcome } from "../../src/store/stored-outcome.js";
import type { FreshDriverFactory } from "./fresh-store.js";
import { POLICY_A, POLICY_B, RULES_A, storedOutcome, T0 } from "./outcome-fixtures.js";
import { withStore, writeOutcomes } from "./store-suite.js";

const over = (i: number) => withCause(storedOutcomeOver(i), "policy_logic");

function withCause(o: StoredOutcome, cause: RootCause): StoredOutcome {
  for (const f of o.findings)
    if (f.kind === "over_permission" || f.kind === "under_permission") f.cause = cause;
  return o;
}

const storedOutcomeOver = (i: number) =>
  storedOutcome({
    correlationId: `over-${i}`,
    cohort: "nurses",
    action: "write",
    resourceType: "prescription",
    kinds: [{ kind: "over_permission" }],
    legacyAllow: false,
    ruleId: null,
    reasons: ["role nurse maps to prescriber"],
    atMs: T0 + i * 1_000,
    legacySubject: "nurse-7",
    newSubject: "nurse-7",
    resourceId: `rx-${i}`,
  });
const under = (i: number) =>
  storedOutcome({
    correlationId: `under-${i}`,
    cohort: "caregivers",
    kinds: [{ kind: "under_permission" }, { kind: "observed_drift", side: "new" }],
    newAllow: false,
    ruleId: "proxy-read",
    reasons: ["no proxy relationship", "deny by default"],
    atMs: T0 + i * 2_000,
  });

/** The review API's reads: drift groups and one pair's detail, on every driver. */
export function describeReviewStore(name: string, fresh: FreshDriverFactory): void {
  describe(`review reads on ${name}`, () => {
    it("groups findings most severe first, with counts, first/last seen and example pairs", () =>
      withStore(fresh, async (store) => {
        await writeOutcomes(store, [
          ...Array.from({ length: 3 }, (_, i) => over(i)),
          ...Array.from({ length: 7 }, (_, i) => under(i)),
          storedOutcome({ correlationId: "alone", onlySide: "new", atMs: T0 }),
        ]);
        await writeOutcomes(store, [over(0)]); // redelivered: counted once
        const page = await readDriftGroups(store, { limit: 10, until: new Date(T0 + 60_000) });
        expect(page.nextCursor).toBeNull();
        expect(page.groups.map((g) => [g.kind, g.cohort, g.findings, g.pairs])).toEqual([
          ["over_permission", "nurses", 3, 3],
          ["under_permission", "caregivers", 7, 7],
          ["observed_drift", "caregivers", 7, 7],
        ]);
        const [first] = page.groups;
        expect(first).toMatchObject({
          severity: "critical",
          cause: "policy_logic",
          action: "write",
          resourceType: "prescription",
          legacyRuleId: null,
          policyReasons: ["role nurse maps to prescriber"],
          firstSeen: new Date(T0).toISOString(),
          lastSeen: new Date(T0 + 2_000).toISOString(),
        });
        expect(first?.examplePairIds).toHaveLength(3);
        expect(page.groups[1]?.policyReasons).toEqual(["deny by default", "no proxy relationship"]);
        expect(page.groups.map((g) => g.cause)).toEqual(["policy_logic", null, null]);
      }));

    it("filters by cohort, kind, severity and window, and pages with a cursor", () =>
      withStore(fresh, async (store) => {
        await writeOutcomes(store, [
          ...Array.from({ length: 3 }, (_, i) => over(i)),
          ...Array.from({ length: 7 }, (_, i) => under(i)),
        ]);
        const until = new Date(T0 + 60_000);
        expect((await readDriftGroups(store, { limit: 10, until, cohort: "nurses" })).groups).toHaveLength(1);
        expect(
          (await readDriftGroups(store, { limit: 10, until, kind: "observed_drift" })).groups,
        ).toHaveLength(1);
        expect((await readDriftGroups(store, { limit: 10, until, severity: "high" })).groups).toHaveLength(1);
        const policyLogic = await readDriftGroups(store, { limit: 10, until, cause: "policy_logic" });
        expect(policyLogic.groups.map((g) => [g.kind, g.cause])).toEqual([
          ["over_permission", "policy_logic"],
        ]);
        expect((await readDriftGroups(store, { limit: 10, until, cause: "claim_mapping" })).groups).toEqual(
          [],
        );
        const otherPolicy = await readDriftGroups(store, {
          limit: 10,
          until,
          policyBundleSha256: "f".repeat(64),
        });
        expect(otherPolicy.groups).toEqual([]);
        const deployed = await readDriftGroups(store, {
          limit: 10,
          until,
          policyBundleSha256: POLICY_A,
          legacyRulesSha256: RULES_A,
        });
        expect(deployed.groups).toHaveLength(3);
        const late = await readDriftGroups(store, { limit: 10, until, since: new Date(T0 + 5_000) });
        expect(late.groups.map((g) => [g.kind, g.findings])).toEqual([
          ["under_permission", 4],
          ["observed_drift", 4],
        ]);
        const p1 = await readDriftGroups(store, { limit: 2, until });
        expect(p1.groups).toHaveLength(2);
        // A finding stored after the first page does not shift the pages that follow.
        await writeOutcomes(store, [over(50)]);
        const p2 = await readDriftGroups(store, { limit: 2, cursor: p1.nextCursor ?? "" });
        expect(p2.groups.map((g) => g.kind)).toEqual(["observed_drift"]);
        expect(p2.nextCursor).toBeNull();
        await expect(readDriftGroups(store, { limit: 2, cursor: "bm9wZQ" })).rejects.toThrow(/cursor/);
      }));

    it("shows one pair with both decisions and pseudonymized ids, or null", () =>
      withStore(fresh, async (store) => {
        const o = over(1);
        await writeOutcomes(store, [o]);
        const detail = await readMismatchDetail(store, o.pairId);
        expect(detail).toMatchObject({
          pairId: o.pairId,
          correlationId: "over-1",
          cohort: "nurses",
          paired: true,
          legacy: { allow: false, ruleId: null },
          new: { allow: true, reasons: ["role nurse maps to prescriber"] },
          findings: [{ kind: "over_permission", severity: "critical", side: null, cause: "policy_logic" }],
        });
        expect(detail?.subjects.legacyPseudonym).toMatch(PSEUDONYM_PATTERN);
        expect(detail?.resourcePseudonym).toMatch(PSEUDONYM_PATTERN);
        expect(JSON.stringify(detail)).not.toContain("nurse-7");
        expect(JSON.stringify(detail)).not.toContain("rx-1");
        // Reprocessed under another policy that no longer mismatches: the old finding is not shown.
        await writeOutcomes(store, [
          storedOutcome({ correlationId: "over-1", cohort: "nurses", policy: POLICY_B, atMs: T0 + 1_000 }),
        ]);
        const after = await readMismatchDetail(store, o.pairId);
        expect(after?.policyBundleSha256).toBe(POLICY_B);
        expect(after?.findings).toEqual([]);
        expect(await readMismatchDetail(store, "0".repeat(64))).toBeNull();
        expect(await readMismatchDetail(store, "'; DROP")).toBeNull();
      }));
  });
}
