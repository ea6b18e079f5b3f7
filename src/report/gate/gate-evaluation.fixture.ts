import { GATE_EVALUATION_SCHEMA, type GateEvaluation } from "../../contracts/index.js";

const HOSTILE = "<script>alert(1)</script> | *x* \u001b[31m";

/** A failing gate with a waiver, an expired waiver, missing coverage and hostile strings. */
export function sampleGateEvaluation(over: Partial<GateEvaluation> = {}): GateEvaluation {
  const evidence = {
    pairs: 2_850,
    mismatchedPairs: 12,
    overPermission: 1,
    unpaired: 3,
    observedDriftPairs: 0,
  };
  return {
    schema: GATE_EVALUATION_SCHEMA,
    id: "0b9f6c1e-7d7e-4c36-9c1f-3d5f3f0e8a11",
    cohort: "caregivers",
    status: "fail",
    reasons: ["1 over-permission > allowed 0", `waiver w-1 (SEC-1, ${HOSTILE}) covers 4 pairs`],
    evidence,
    rawEvidence: { ...evidence, mismatchedPairs: 16 },
    statistics: {
      mismatchRate: 0.0042,
      mismatchRateUpperBound: 0.0068,
      unpairedRate: 0.001,
      observedDriftRate: 0,
    },
    thresholds: {
      minPairs: 1_000,
      maxMismatchRate: 0.005,
      confidence: 0.95,
      maxOverPermission: 0,
      maxUnpairedRate: 0.02,
      maxObservedDriftRate: 0.01,
    },
    evaluatedAt: "2026-12-01T10:00:00.000Z",
    evaluatedBy: "github:octocat",
    window: { since: "2026-11-24T10:00:00.000Z", until: "2026-12-01T10:00:00.000Z", source: "config" },
    deployed: {
      policyBundleSha256: "a".repeat(64),
      legacyRulesSha256: "b".repeat(64),
      pinned: true,
      otherVersionOutcomes: 0,
      evidenceSince: "2026-11-24T10:00:01.000Z",
    },
    coverage: [
      {
        action: "read",
        resourceType: "chart",
        legacyRuleId: "break-glass",
        minPairs: 5,
        observed: 2,
        ok: false,
      },
    ],
    waivers: {
      applied: [
        {
          id: "w-1",
          owner: HOSTILE,
          ticket: "SEC-1",
          reason: "proxies",
          expiresAt: "2026-12-31T00:00:00.000Z",
          scope: { cohort: "caregivers", kind: "under_permission" },
          allowOverPermission: false,
          matchedPairs: 4,
        },
      ],
      expired: [
        {
          id: "w-0",
          owner: "sec",
          ticket: "SEC-0",
          reason: "old",
          expiresAt: "2026-11-30T00:00:00.000Z",
          scope: { cohort: "caregivers" },
          allowOverPermission: false,
          wouldMatchPairs: 2,
        },
      ],
    },
    checks: [
      { id: "evidence", outcome: "pass", message: "2,850 pairs >= minimum 1,000" },
      { id: "overPermission", outcome: "fail", message: "1 over-permission > allowed 0" },
      { id: "mismatch", outcome: "insufficient", message: "mismatch rate 0.42% (12/2,850), bound above" },
      { id: "unpaired", outcome: "pass", message: "unpaired rate 0.10%" },
      { id: "drift", outcome: "pass", message: "observed drift rate 0.00%" },
      {
        id: "coverage",
        outcome: "insufficient",
        message: "coverage not met: read chart (rule break-glass): 2/5 pairs",
      },
      { id: "waivers", outcome: "info", message: `waiver w-1 covers 4 pairs\nwaiver w-0 expired ${HOSTILE}` },
    ],
    ...over,
  };
}
