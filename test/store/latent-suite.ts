import { describe, expect, it } from "vitest";
import type { EntitlementDifference } from "../../src/contracts/index.js";
import { NURSE_WRITES_LABS } from "../../src/latent/latent.fixture.js";
import { buildLatentReport } from "../../src/latent/latent-report.js";
import { readLatentEvidence } from "../../src/store/latent-entitlements.js";
import { readReplayFacts } from "../../src/store/replay-facts.js";
import type { StoredOutcome } from "../../src/store/stored-outcome.js";
import type { FreshDriverFactory } from "./fresh-store.js";
import { POLICY_A, POLICY_B, RULES_A, storedOutcome, T0 } from "./outcome-fixtures.js";
import { withStore, writeOutcomes } from "./store-suite.js";

const NURSE_LOSES_BREAK_GLASS: EntitlementDifference = {
  action: "read",
  resourceType: "patient_record",
  scenario: "break-glass",
  direction: "under_permission",
  legacyRuleId: "break-glass-emergency-read",
  newReasons: ["deny.default"],
};

function sighting(
  i: number,
  subject: string,
  shape: string,
  differences: EntitlementDifference[],
  extra: { cohort?: string; atMs?: number; policy?: string } = {},
): StoredOutcome {
  return {
    ...storedOutcome({
      correlationId: `sighting-${i}`,
      cohort: extra.cohort ?? "nurses",
      atMs: extra.atMs ?? T0 + i * 1_000,
      ...(extra.policy ? { policy: extra.policy } : {}),
    }),
    entitlements: { subject, shape, differences },
  };
}

const query = {
  since: new Date(T0),
  until: new Date(T0 + 3_600_000),
  policyBundleSha256: POLICY_A,
  legacyRulesSha256: RULES_A,
};

/** Latent entitlement rows (docs/latent.md), on every driver. */
export function describeLatentStore(name: string, fresh: FreshDriverFactory): void {
  describe(`latent entitlements on ${name}`, () => {
    it("counts each principal once per difference, pseudonymized, and redelivery changes nothing", () =>
      withStore(fresh, async (store) => {
        const batch = [
          sighting(0, "u-000401", "shape-nurse", [NURSE_WRITES_LABS, NURSE_LOSES_BREAK_GLASS]),
          sighting(1, "u-000402", "shape-nurse", [NURSE_WRITES_LABS, NURSE_LOSES_BREAK_GLASS]),
          sighting(2, "u-000100", "shape-patient", [], { cohort: "patients" }),
        ];
        await writeOutcomes(store, batch);
        await writeOutcomes(store, batch);
        const evidence = await readLatentEvidence(store, query);
        expect(evidence.principalsEvaluated).toEqual({ nurses: 2, patients: 1 });
        expect(evidence.differences).toEqual([
          { cohort: "nurses", ...NURSE_WRITES_LABS, principals: 2 },
          { cohort: "nurses", ...NURSE_LOSES_BREAK_GLASS, principals: 2 },
        ]);
        const subjects = await store.driver.query<{ s: string }>(
          `SELECT DISTINCT subject_pseudonym AS s FROM ${store.tables.latent} ORDER BY s`,
        );
        expect(subjects).toHaveLength(3);
        for (const { s } of subjects) expect(s).not.toMatch(/u-0001|u-0004/);
      }));

    it("judges a principal by its latest claim shape only", () =>
      withStore(fresh, async (store) => {
        await writeOutcomes(store, [sighting(0, "u-000401", "shape-old", [NURSE_WRITES_LABS])]);
        await writeOutcomes(store, [sighting(5, "u-000401", "shape-new", [NURSE_LOSES_BREAK_GLASS])]);
        const evidence = await readLatentEvidence(store, query);
        expect(evidence.principalsEvaluated).toEqual({ nurses: 1 });
        expect(evidence.differences.map((d) => d.direction)).toEqual(["under_permission"]);
      }));

    it("reads only the given versions, window and cohort", () =>
      withStore(fresh, async (store) => {
        await writeOutcomes(store, [
          sighting(0, "u-000401", "s", [NURSE_WRITES_LABS]),
          sighting(1, "u-000402", "s", [NURSE_WRITES_LABS], { policy: POLICY_B }),
          sighting(2, "u-000403", "s", [NURSE_WRITES_LABS], { atMs: T0 + 7_200_000 }),
          sighting(3, "u-000404", "c", [NURSE_LOSES_BREAK_GLASS], { cohort: "clinicians" }),
        ]);
        const all = await readLatentEvidence(store, query);
        expect(all.principalsEvaluated).toEqual({ clinicians: 1, nurses: 1 });
        const nurses = await readLatentEvidence(store, { ...query, cohort: "nurses" });
        expect(nurses.principalsEvaluated).toEqual({ nurses: 1 });
        expect(nurses.differences).toEqual([{ cohort: "nurses", ...NURSE_WRITES_LABS, principals: 1 }]);
        const b = await readLatentEvidence(store, { ...query, policyBundleSha256: POLICY_B });
        expect(b.differences.map((d) => d.principals)).toEqual([1]);
      }));

    it("counts a principal stored up to the refresh time before the window, and not earlier", () =>
      withStore(fresh, async (store) => {
        await writeOutcomes(store, [
          sighting(0, "u-000401", "s", [NURSE_WRITES_LABS], { atMs: T0 - 3 * 3_600_000 }),
          sighting(1, "u-000402", "s", [NURSE_WRITES_LABS], { atMs: T0 - 9 * 3_600_000 }),
        ]);
        const strict = await readLatentEvidence(store, query);
        expect(strict.principalsEvaluated).toEqual({});
        const slack = await readLatentEvidence(store, { ...query, sightingSlackSeconds: 6 * 3_600 });
        expect(slack.principalsEvaluated).toEqual({ nurses: 1 });
        expect(slack.differences.map((d) => d.principals)).toEqual([1]);
      }));

    it("a difference traffic showed is exercised, one it never showed is latent", () =>
      withStore(fresh, async (store) => {
        await writeOutcomes(store, [
          sighting(0, "u-000401", "s", [NURSE_WRITES_LABS, NURSE_LOSES_BREAK_GLASS]),
          storedOutcome({
            correlationId: "bg-1",
            cohort: "nurses",
            action: "read",
            resourceType: "patient_record",
            kinds: [{ kind: "under_permission" }],
            newAllow: false,
            atMs: T0 + 10_000,
          }),
          storedOutcome({
            correlationId: "lab-ok",
            cohort: "nurses",
            action: "write",
            resourceType: "lab_result",
            atMs: T0 + 11_000,
          }),
        ]);
        const report = buildLatentReport(await readLatentEvidence(store, query), query);
        expect(
          report.entitlements.map((e) => [
            e.action,
            e.resourceType,
            e.direction,
            e.observedPairs,
            e.observedFindings,
            e.latent,
          ]),
        ).toEqual([
          ["write", "lab_result", "over_permission", 1, 0, true],
          // the sighting's own pair is a read of a patient record too
          ["read", "patient_record", "under_permission", 2, 1, false],
        ]);
        expect(report.entitlements[0]?.principalsEvaluated).toBe(1);
      }));
  });
}

/** The replay facts `impact` reads (docs/impact.md), on every driver. */
export function describeReplayFactsStore(name: string, fresh: FreshDriverFactory): void {
  describe(`replay facts on ${name}`, () => {
    const kept = (
      i: number,
      kind: "match" | "over_permission",
      extra: { policy?: string; atMs?: number } = {},
    ) => ({
      ...storedOutcome({
        correlationId: `kept-${i}`,
        cohort: "billing",
        action: "read",
        resourceType: "clinical_note",
        atMs: extra.atMs ?? T0 + i * 1_000,
        ...(kind === "over_permission"
          ? { kinds: [{ kind: "over_permission" as const }], legacyAllow: false, ruleId: null }
          : {}),
        ...(extra.policy ? { policy: extra.policy } : {}),
      }),
      replay: {
        kind,
        replayable: i !== 3,
        facts: {
          token: { roles: ["finance"], sub: "#1" },
          action: "read",
          resource: { type: "clinical_note" },
          context: {},
        },
      },
    });

    it("reads each kept pair once, under the given versions and window, with its facts", () =>
      withStore(fresh, async (store) => {
        const batch = [
          kept(0, "over_permission"),
          kept(1, "match"),
          kept(2, "over_permission", { policy: POLICY_B }),
          kept(3, "match"),
          kept(4, "match", { atMs: T0 + 7_200_000 }),
        ];
        await writeOutcomes(store, batch);
        await writeOutcomes(store, batch);
        const read = await readReplayFacts(store, { ...query, limit: 10 });
        expect(read.truncated).toBe(false);
        expect(read.facts.map((f) => [f.kind, f.legacyAllow, f.newAllow, f.replayable])).toEqual([
          ["over_permission", false, true, true],
          ["match", true, true, true],
          ["match", true, true, false],
        ]);
        expect(read.facts[0]?.facts).toEqual(batch[0]?.replay.facts);
        const cut = await readReplayFacts(store, { ...query, limit: 2 });
        expect([cut.facts.length, cut.truncated]).toEqual([2, true]);
      }));
  });
}
