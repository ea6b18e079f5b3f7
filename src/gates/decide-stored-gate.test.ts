import { describe, expect, it } from "vitest";
import type { GateThresholds } from "../contracts/index.js";
import { NURSE_WRITES_LABS } from "../latent/latent.fixture.js";
import { decideStoredGate, type StoredGateInputs } from "./decide-stored-gate.js";

const THRESHOLDS: GateThresholds = {
  minPairs: 500,
  maxMismatchRate: 0.01,
  confidence: 0.95,
  maxOverPermission: 0,
  maxUnpairedRate: 0.05,
  maxObservedDriftRate: 0.05,
};

const inputs = (over: Partial<StoredGateInputs> = {}): StoredGateInputs => ({
  cohort: "clinicians",
  thresholds: THRESHOLDS,
  rawEvidence: { pairs: 5_000, mismatchedPairs: 0, overPermission: 0, unpaired: 0, observedDriftPairs: 0 },
  signatures: [],
  waivers: [],
  coverage: [],
  observedPaths: [],
  versions: {
    pinned: true,
    policyBundleSha256: "a".repeat(64),
    legacyRulesSha256: "b".repeat(64),
    otherVersionOutcomes: 0,
    deployedSince: new Date("2026-11-25T00:00:00Z"),
  },
  now: new Date("2026-12-01T00:00:00Z"),
  ...over,
});

/** Plenty of pairs, one of them an over-permission: a gate that fails outright. */
const ONE_OVER_PERMISSION = {
  pairs: 5_000,
  mismatchedPairs: 1,
  overPermission: 1,
  unpaired: 0,
  observedDriftPairs: 0,
};

describe("decideStoredGate", () => {
  it("passes clean evidence and lists each check", () => {
    const d = decideStoredGate(inputs());
    expect(d.result.status).toBe("pass");
    expect(d.checks.map((c) => [c.id, c.outcome])).toEqual([
      ["evidence", "pass"],
      ["overPermission", "pass"],
      ["mismatch", "pass"],
      ["unpaired", "pass"],
      ["drift", "pass"],
      ["coverage", "pass"],
      ["waivers", "info"],
    ]);
    expect(d.result.reasons.at(-1)).toBe(
      `evidence pinned to the deployed policy bundle ${"a".repeat(12)} and legacy rules ${"b".repeat(12)}`,
    );
  });

  it("holds a passing gate at insufficient evidence while a required path is not covered, naming it", () => {
    const d = decideStoredGate(
      inputs({
        coverage: [
          { action: "read", resourceType: "patient_record", minPairs: 100 },
          { action: "read", resourceType: "patient_record", legacyRuleId: "break-glass", minPairs: 5 },
        ],
        observedPaths: [
          { action: "read", resourceType: "patient_record", legacyRuleId: "care-team", pairs: 4_000 },
          { action: "read", resourceType: "patient_record", legacyRuleId: "break-glass", pairs: 3 },
        ],
      }),
    );
    expect(d.result.status).toBe("insufficient_evidence");
    expect(d.result.reasons[0]).toBe(
      "coverage not met: not observed often enough: read patient_record (rule break-glass): 3/5 pairs",
    );
    expect(d.coverage.map((c) => [c.observed, c.ok])).toEqual([
      [4_003, true],
      [3, false],
    ]);
    expect(d.checks.find((c) => c.id === "coverage")?.outcome).toBe("insufficient");
  });

  it("keeps a failing gate failed when coverage is missing too", () => {
    const d = decideStoredGate(
      inputs({
        rawEvidence: {
          pairs: 5_000,
          mismatchedPairs: 0,
          overPermission: 1,
          unpaired: 0,
          observedDriftPairs: 0,
        },
        coverage: [{ action: "export", resourceType: "claims", minPairs: 1 }],
      }),
    );
    expect(d.result.status).toBe("fail");
    expect(d.result.reasons[0]).toMatch(/^1 over-permission > allowed 0/);
    expect(d.result.reasons).toContain(
      "coverage not met: not observed often enough: export claims: 0/1 pairs",
    );
  });

  it("decides on the evidence after waivers and says which waiver took what out", () => {
    const d = decideStoredGate(
      inputs({
        rawEvidence: {
          pairs: 5_000,
          mismatchedPairs: 200,
          overPermission: 0,
          unpaired: 0,
          observedDriftPairs: 0,
        },
        signatures: [
          {
            kinds: ["under_permission"],
            action: "read",
            resourceType: "patient_record",
            legacyRuleId: "proxy-read",
            newReasons: [],
            pairs: 200,
          },
        ],
        waivers: [
          {
            id: "w-1",
            owner: "sec-team",
            reason: "proxies migrate next",
            ticket: "SEC-7",
            scope: { cohort: "clinicians", legacyRuleId: "proxy-read" },
            expiresAt: "2026-12-15T00:00:00.000Z",
            allowOverPermission: false,
            createdBy: "alice",
            createdAt: "2026-11-20T00:00:00.000Z",
          },
        ],
      }),
    );
    expect(d.result.status).toBe("pass");
    expect(d.result.evidence.mismatchedPairs).toBe(0);
    expect(d.result.reasons).toContain(
      "waiver w-1 (SEC-7, sec-team) covers 200 pairs until 2026-12-15T00:00:00.000Z: not counted",
    );
  });

  it("says the evidence restarted when the window holds outcomes of other versions", () => {
    const d = decideStoredGate(inputs({ versions: { ...inputs().versions, otherVersionOutcomes: 1_234 } }));
    expect(d.result.reasons.at(-1)).toMatch(
      /^evidence restarted with the deployed policy bundle a{12} and legacy rules b{12} at 2026-11-25T00:00:00.000Z: 1,234 outcomes under other versions/,
    );
  });

  it("says when nothing was produced under the deployed versions yet", () => {
    const d = decideStoredGate(
      inputs({
        rawEvidence: { pairs: 0, mismatchedPairs: 0, overPermission: 0, unpaired: 0, observedDriftPairs: 0 },
        versions: { ...inputs().versions, otherVersionOutcomes: 50, deployedSince: null },
      }),
    );
    expect(d.result.status).toBe("insufficient_evidence");
    expect(d.result.reasons.at(-1)).toMatch(
      /^no outcomes yet under the deployed .*; 50 outcomes of earlier versions are not counted$/,
    );
  });

  describe("latent over-permission (maxLatentOverPermission)", () => {
    const nurseWritesLabs = {
      cohort: "clinicians",
      ...NURSE_WRITES_LABS,
      principals: 219,
      principalsEvaluated: 219,
      observedPairs: 0,
      observedFindings: 0,
      latent: true,
    };
    const bounded = { ...THRESHOLDS, maxLatentOverPermission: 0 };

    it("is not checked when the thresholds leave it unset", () => {
      const d = decideStoredGate(
        inputs({ latent: { principalsEvaluated: 10, overPermissions: [nurseWritesLabs] } }),
      );
      expect(d.result.status).toBe("pass");
      expect(d.checks.map((c) => c.id)).not.toContain("latent");
    });

    it("fails an otherwise passing gate, naming each latent over-permission first", () => {
      const d = decideStoredGate(
        inputs({
          thresholds: bounded,
          latent: { principalsEvaluated: 219, overPermissions: [nurseWritesLabs] },
        }),
      );
      expect(d.result.status).toBe("fail");
      expect(d.result.reasons[0]).toBe(
        "1 latent over-permission > allowed 0 (219 principals evaluated), never exercised by traffic: write lab_result (care-team, 219 principals)",
      );
      expect(d.checks.find((c) => c.id === "latent")?.outcome).toBe("fail");
    });

    it("passes within the allowance, and is insufficient evidence when no principal was evaluated", () => {
      const within = decideStoredGate(
        inputs({
          thresholds: { ...bounded, maxLatentOverPermission: 1 },
          latent: { principalsEvaluated: 5, overPermissions: [nurseWritesLabs] },
        }),
      );
      expect(within.result.status).toBe("pass");
      expect(within.result.reasons).toContain(
        "1 latent over-permission <= allowed 1 (5 principals evaluated)",
      );
      const none = decideStoredGate(
        inputs({ thresholds: bounded, latent: { principalsEvaluated: 0, overPermissions: [] } }),
      );
      expect(none.result.status).toBe("insufficient_evidence");
      expect(none.result.reasons[0]).toMatch(/latent over-permission unknown/);
      expect(none.checks.find((c) => c.id === "latent")?.outcome).toBe("insufficient");
    });

    it("does not soften a gate that already fails", () => {
      const d = decideStoredGate(
        inputs({
          thresholds: bounded,
          rawEvidence: ONE_OVER_PERMISSION,
          latent: { principalsEvaluated: 0, overPermissions: [] },
        }),
      );
      expect(d.result.status).toBe("fail");
      expect(d.result.reasons[0]).toMatch(/^1 over-permission > allowed 0/);
    });
  });

  describe("token lifecycle budgets", () => {
    const none = { lifetimeDrift: 0, sessionDrift: 0, claimDrift: 0 };

    it("are not checked without lifecycle evidence (no lifecycle section)", () => {
      expect(decideStoredGate(inputs()).checks.map((c) => c.id)).not.toContain("lifecycle");
    });

    it("pass with no drift, saying so, and fail each budget exceeded, naming it first", () => {
      const clean = decideStoredGate(inputs({ lifecycle: none }));
      expect(clean.result.status).toBe("pass");
      expect(clean.result.reasons).toContain(
        "token lifecycle: 0 sessions with token lifetime drift <= allowed 0; 0 sessions with session drift <= allowed 0; 0 sessions with claim drift <= allowed 0",
      );
      const drifted = decideStoredGate(
        inputs({
          thresholds: { ...THRESHOLDS, maxClaimDrift: 5 },
          lifecycle: { lifetimeDrift: 0, sessionDrift: 2, claimDrift: 5 },
        }),
      );
      expect(drifted.result.status).toBe("fail");
      expect(drifted.result.reasons[0]).toBe(
        "token lifecycle: 2 sessions with session drift > allowed 0; 0 sessions with token lifetime drift <= allowed 0; 5 sessions with claim drift <= allowed 5",
      );
      expect(drifted.checks.find((c) => c.id === "lifecycle")?.outcome).toBe("fail");
    });

    it("keeps the core gate's own failure first, and its insufficient evidence when within budget", () => {
      const failing = decideStoredGate(
        inputs({
          rawEvidence: ONE_OVER_PERMISSION,
          lifecycle: { ...none, lifetimeDrift: 1 },
        }),
      );
      expect(failing.result.status).toBe("fail");
      expect(failing.result.reasons[0]).toMatch(/^1 over-permission > allowed 0/);
      const thin = decideStoredGate(
        inputs({
          rawEvidence: {
            pairs: 10,
            mismatchedPairs: 0,
            overPermission: 0,
            unpaired: 0,
            observedDriftPairs: 0,
          },
          lifecycle: none,
        }),
      );
      expect(thin.result.status).toBe("insufficient_evidence");
    });
  });

  describe("requests set aside unjudged", () => {
    const none = { requests: 0, examples: [] };
    const four = { requests: 4, examples: ["c-1", "c-2", "c-3"] };

    it("pass when none were, saying so", () => {
      const d = decideStoredGate(inputs({ setAside: none }));
      expect(d.result.status).toBe("pass");
      expect(d.checks.find((c) => c.id === "setAside")).toEqual({
        id: "setAside",
        outcome: "pass",
        message: "no request in the window was set aside unjudged",
      });
    });

    it("hold an otherwise passing gate at insufficient evidence, first reason naming some of them", () => {
      const d = decideStoredGate(inputs({ setAside: four }));
      expect(d.result.status).toBe("insufficient_evidence");
      expect(d.result.reasons[0]).toMatch(
        /^4 requests in the window set aside unjudged \(correlation ids c-1, c-2, c-3, \.\.\.\): .*whatever their cohort; judge them from their dead letters \(entitlement-diff judge-set-aside\)/,
      );
      expect(d.checks.find((c) => c.id === "setAside")?.outcome).toBe("insufficient");
      const one = decideStoredGate(inputs({ setAside: { requests: 1, examples: ["c-1"] } }));
      expect(one.result.reasons[0]).toMatch(
        /^1 request in the window set aside unjudged \(correlation ids c-1\):/,
      );
    });

    it("never soften a failing gate: its own failure stays first", () => {
      const d = decideStoredGate(
        inputs({
          rawEvidence: ONE_OVER_PERMISSION,
          setAside: four,
        }),
      );
      expect(d.result.status).toBe("fail");
      expect(d.result.reasons[0]).toMatch(/^1 over-permission > allowed 0/);
      expect(d.result.reasons).toContainEqual(expect.stringMatching(/^4 requests in the window set aside/));
    });
  });
});
