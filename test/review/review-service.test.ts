import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/contracts/index.js";
import { createReviewService, WaiverRejectedError } from "../../src/review/review-service.js";
import { freshEmbedded } from "../store/fresh-store.js";
import { POLICY_A, RULES_A, storedOutcome } from "../store/outcome-fixtures.js";
import { withStore, writeOutcomes } from "../store/store-suite.js";

const NOW = new Date();
const config = {
  cohorts: configSchema.shape.cohorts.parse([{ id: "nurses", when: { roles: { contains: "nurse" } } }]),
  gates: configSchema.shape.gates.parse({
    default: { minPairs: 10, maxMismatchRate: 0.2, maxUnpairedRate: 0.1, maxObservedDriftRate: 0.1 },
    window: "1d",
  }),
};
const deployed = { policyBundleSha256: POLICY_A, legacyRulesSha256: RULES_A };
const request = {
  owner: "sec-team",
  reason: "known gap",
  ticket: "SEC-5",
  scope: { cohort: "nurses", kind: "under_permission" as const },
  expiresAt: new Date(NOW.getTime() + 86_400_000).toISOString(),
};

describe("the review service", () => {
  it("files waivers with who and when, and refuses expired, endless or unknown-cohort ones", () =>
    withStore(freshEmbedded, async (store) => {
      const review = createReviewService(store, config, deployed);
      const waiver = await review.createWaiver(request, "approver-1", NOW);
      expect(waiver).toMatchObject({
        createdBy: "approver-1",
        createdAt: NOW.toISOString(),
        allowOverPermission: false,
      });
      expect(await review.waivers({ cohort: "nurses" })).toEqual([waiver]);
      const past = { ...request, expiresAt: new Date(NOW.getTime() - 1).toISOString() };
      await expect(review.createWaiver(past, "a", NOW)).rejects.toThrow(WaiverRejectedError);
      const endless = { ...request, expiresAt: "2099-01-01T00:00:00Z" };
      await expect(review.createWaiver(endless, "a", NOW)).rejects.toThrow(/within a year/);
      const stranger = { ...request, scope: { cohort: "pilots" } };
      await expect(review.createWaiver(stranger, "a", NOW)).rejects.toThrow(/unknown cohort "pilots"/);
      const overWithoutFlag = { ...request, scope: { cohort: "nurses", kind: "over_permission" as const } };
      await expect(review.createWaiver(overWithoutFlag, "a", NOW)).rejects.toThrow(/allowOverPermission/);
    }));

  it("shows each cohort's stage, gate and trend, recording nothing", () =>
    withStore(freshEmbedded, async (store) => {
      await writeOutcomes(
        store,
        Array.from({ length: 20 }, (_, i) =>
          storedOutcome({
            correlationId: `n${i}`,
            cohort: "nurses",
            atMs: NOW.getTime() - 3_600_000 + i * 60_000,
          }),
        ),
      );
      const review = createReviewService(store, config, deployed);
      const [nurses, unassigned] = await review.cohorts(NOW);
      expect(nurses).toMatchObject({ cohort: "nurses", stage: "shadow", gate: { status: "pass" } });
      expect(nurses?.trend.reduce((sum, p) => sum + p.pairs, 0)).toBe(20);
      expect(unassigned?.cohort).toBe("unassigned");
      expect(await review.cohort("nurses", NOW)).toMatchObject({
        cohort: "nurses",
        gate: { status: "pass" },
      });
      expect(await review.cohort("pilots", NOW)).toBeNull();
      expect(await review.gateEvaluations({ limit: 10 })).toEqual([]);
      const recorded = await review.cohortGate("nurses", { by: "gate-bot", now: NOW, record: true });
      expect((await review.gateEvaluations({ limit: 10 })).map((e) => e.id)).toEqual([recorded.id]);
    }));
});
