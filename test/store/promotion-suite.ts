import { describe, expect, it } from "vitest";
import {
  GATE_EVALUATION_SCHEMA,
  type GateEvaluation,
  STAGE_TRANSITION_SCHEMA,
  type StageTransition,
  type Waiver,
} from "../../src/contracts/index.js";
import { currentStages } from "../../src/promotion/stage-chain.js";
import { readEvidenceVersions } from "../../src/store/evidence-versions.js";
import {
  insertGateEvaluation,
  latestGateEvaluations,
  listGateEvaluations,
} from "../../src/store/gate-evaluations.js";
import { readMismatchSignatures } from "../../src/store/mismatch-signatures.js";
import { insertStageTransition, listStageTransitions } from "../../src/store/stage-transitions.js";
import { insertWaiver, listWaivers } from "../../src/store/waivers.js";
import type { FreshDriverFactory } from "./fresh-store.js";
import { POLICY_A, POLICY_B, RULES_A, storedOutcome, T0 } from "./outcome-fixtures.js";
import { withStore, writeOutcomes } from "./store-suite.js";

const HOSTILE = "'); DROP TABLE x; --";
const window = { since: new Date(T0 - 60_000), until: new Date(T0 + 3_600_000) };

const waiver = (id: string, over: Partial<Waiver> = {}): Waiver => ({
  id,
  owner: "sec-team",
  reason: HOSTILE,
  ticket: "SEC-1",
  scope: { cohort: "caregivers", kind: "under_permission", legacyRuleId: "proxy-read" },
  expiresAt: "2030-02-01T00:00:00.000Z",
  allowOverPermission: false,
  createdBy: "alice",
  createdAt: "2030-01-10T00:00:00.000Z",
  ...over,
});

function evaluation(id: string, cohort: string, evaluatedAt: string): GateEvaluation {
  const evidence = { pairs: 10, mismatchedPairs: 1, overPermission: 0, unpaired: 0, observedDriftPairs: 0 };
  return {
    schema: GATE_EVALUATION_SCHEMA,
    id,
    cohort,
    status: "insufficient_evidence",
    reasons: ["10 pairs < minimum 500: not enough evidence to decide", HOSTILE],
    evidence,
    rawEvidence: evidence,
    statistics: { mismatchRate: 0.1, mismatchRateUpperBound: 0.37, unpairedRate: 0, observedDriftRate: 0 },
    thresholds: {
      minPairs: 500,
      maxMismatchRate: 0.01,
      confidence: 0.95,
      maxOverPermission: 0,
      maxUnpairedRate: 0.05,
      maxObservedDriftRate: 0.05,
    },
    evaluatedAt,
    evaluatedBy: "ci",
    window: { since: window.since.toISOString(), until: window.until.toISOString(), source: "config" },
    deployed: {
      policyBundleSha256: POLICY_A,
      legacyRulesSha256: RULES_A,
      pinned: true,
      otherVersionOutcomes: 0,
      evidenceSince: null,
    },
    coverage: [],
    waivers: { applied: [], expired: [] },
    checks: [{ id: "evidence", outcome: "insufficient", message: "10 pairs < minimum 500" }],
  };
}

const transition = (id: string, cohort: string, to: StageTransition["to"], at: string): StageTransition => ({
  schema: STAGE_TRANSITION_SCHEMA,
  id,
  cohort,
  after: null, // recorded before transitions named their predecessor: time order
  from: "shadow",
  to,
  direction: "promote",
  at,
  by: "ci",
  gateEvaluationId: `eval-${id}`,
  gateStatus: "pass",
  policyBundleSha256: POLICY_A,
  legacyRulesSha256: RULES_A,
});

/** The promotion audit trail (waivers, gate evaluations, stages) on every driver. */
export function describePromotionStore(name: string, fresh: FreshDriverFactory): void {
  describe(`promotion store on ${name}`, () => {
    it("keeps waivers append-only and reads them back equal, hostile strings verbatim", () =>
      withStore(fresh, async (store) => {
        const a = waiver("w-a");
        const b = waiver("w-b", {
          scope: { cohort: "partners", kind: "over_permission", action: "export", policyReason: HOSTILE },
          allowOverPermission: true,
          createdAt: "2030-01-11T00:00:00.000Z",
        });
        await insertWaiver(store, a);
        await insertWaiver(store, b);
        expect(await listWaivers(store)).toEqual([a, b]);
        expect(await listWaivers(store, { cohort: "partners" })).toEqual([b]);
        expect(await listWaivers(store, { cohort: HOSTILE })).toEqual([]);
      }));

    it("groups a cohort's pairs by their findings, for waivers to match", () =>
      withStore(fresh, async (store) => {
        const under = (i: number) =>
          storedOutcome({
            correlationId: `u${i}`,
            cohort: "caregivers",
            kinds: [{ kind: "under_permission" }],
            newAllow: false,
            ruleId: "proxy-read",
            reasons: ["no proxy", "deny by default"],
          });
        await writeOutcomes(store, [
          ...Array.from({ length: 3 }, (_, i) => under(i)),
          storedOutcome({
            correlationId: "both",
            cohort: "caregivers",
            kinds: [{ kind: "under_permission" }, { kind: "observed_drift", side: "new" }],
            ruleId: "proxy-read",
          }),
          storedOutcome({
            correlationId: "other-cohort",
            cohort: "patients",
            kinds: [{ kind: "over_permission" }],
          }),
          storedOutcome({ correlationId: "lonely", cohort: "caregivers", onlySide: "legacy" }),
          storedOutcome({ correlationId: "clean", cohort: "caregivers" }),
        ]);
        await writeOutcomes(store, [under(0)]); // a redelivered pair counts once
        const signatures = await readMismatchSignatures(store, { cohort: "caregivers", ...window });
        expect(signatures).toEqual([
          {
            kinds: ["under_permission"],
            action: "read",
            resourceType: "patient_record",
            legacyRuleId: "proxy-read",
            newReasons: ["deny by default", "no proxy"],
            pairs: 3,
          },
          {
            kinds: ["observed_drift", "under_permission"],
            action: "read",
            resourceType: "patient_record",
            legacyRuleId: "proxy-read",
            newReasons: ["care team member"],
            pairs: 1,
          },
        ]);
      }));

    it("tells how much of a window the deployed versions produced", () =>
      withStore(fresh, async (store) => {
        await writeOutcomes(store, [
          storedOutcome({ correlationId: "old-1", atMs: T0, policy: POLICY_B }),
          storedOutcome({ correlationId: "old-2", atMs: T0 + 1_000, policy: POLICY_B }),
          storedOutcome({ correlationId: "new-1", atMs: T0 + 5_000 }),
          storedOutcome({ correlationId: "new-2", atMs: T0 + 9_000 }),
        ]);
        const deployed = { policyBundleSha256: POLICY_A, legacyRulesSha256: RULES_A };
        expect(await readEvidenceVersions(store, { cohort: "clinicians", ...window, ...deployed })).toEqual({
          otherVersionOutcomes: 2,
          deployedSince: new Date(T0 + 5_000),
        });
        expect(
          await readEvidenceVersions(store, {
            cohort: "clinicians",
            ...window,
            ...deployed,
            legacyRulesSha256: "9",
          }),
        ).toEqual({ otherVersionOutcomes: 4, deployedSince: null });
      }));

    it("appends gate evaluations and pages through them newest first", () =>
      withStore(fresh, async (store) => {
        const evaluations = [
          evaluation("e1", "clinicians", "2030-01-15T10:00:00.000Z"),
          evaluation("e2", "patients", "2030-01-15T11:00:00.000Z"),
          evaluation("e3", "clinicians", "2030-01-15T12:00:00.000Z"),
          evaluation("e4", "clinicians", "2030-01-15T12:00:00.000Z"),
        ];
        for (const e of evaluations) await insertGateEvaluation(store, e);
        const page1 = await listGateEvaluations(store, { cohort: "clinicians", limit: 2 });
        expect(page1.map((e) => e.id)).toEqual(["e4", "e3"]);
        const last = page1.at(-1) as GateEvaluation;
        const page2 = await listGateEvaluations(store, {
          cohort: "clinicians",
          limit: 2,
          before: { evaluatedAt: last.evaluatedAt, id: last.id },
        });
        expect(page2).toEqual([evaluations[0]]);
        expect((await listGateEvaluations(store, { limit: 10 })).map((e) => e.id)).toEqual([
          "e4",
          "e3",
          "e2",
          "e1",
        ]);
        const latest = await latestGateEvaluations(store);
        expect([...latest.keys()].sort()).toEqual(["clinicians", "patients"]);
        expect(latest.get("clinicians")?.id).toBe("e4");
        await expect(listGateEvaluations(store, { limit: 0 })).rejects.toThrow(/limit must be 1..500/);
      }));

    it("records stage transitions: the latest per cohort, and each cohort's history", () =>
      withStore(fresh, async (store) => {
        const t1 = transition("t1", "clinicians", "canary", "2030-01-15T10:00:00.000Z");
        const t2 = {
          ...transition("t2", "clinicians", "live", "2030-01-16T10:00:00.000Z"),
          from: "canary" as const,
        };
        const t3 = transition("t3", "patients", "canary", "2030-01-15T09:00:00.000Z");
        const back: StageTransition = {
          ...transition("t4", "patients", "shadow", "2030-01-15T09:30:00.000Z"),
          from: "canary",
          direction: "rollback",
          gateEvaluationId: null,
          gateStatus: null,
        };
        for (const t of [t1, t2, t3, back]) await insertStageTransition(store, t);
        const now = await currentStages(store);
        expect(now.get("clinicians")).toEqual(t2);
        expect(now.get("patients")).toEqual(back);
        expect(await listStageTransitions(store, "clinicians")).toEqual([t1, t2]);
      }));

    it("follows the chain of transitions that name their predecessor: a raced rollback counts, though older", () =>
      withStore(fresh, async (store) => {
        const first = {
          ...transition("c1", "admins", "canary", "2030-01-15T10:00:00.000Z"),
          after: "initial",
        };
        const back: StageTransition = {
          ...transition("c2", "admins", "shadow", "2030-01-15T11:00:00.000Z"),
          after: "c1",
          from: "canary",
          direction: "rollback",
          gateEvaluationId: null,
          gateStatus: null,
        };
        // Recorded a moment later from the same stage, by a promotion that checked before c2 landed.
        const live = {
          ...transition("c3", "admins", "live", "2030-01-15T11:00:00.005Z"),
          after: "c1",
          from: "canary" as const,
        };
        for (const t of [first, live, back]) await insertStageTransition(store, t);
        expect((await currentStages(store)).get("admins")).toEqual(back);
        expect(await listStageTransitions(store, "admins")).toEqual([first, back, live]);
      }));
  });
}
