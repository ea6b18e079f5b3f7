import type { DriftGroup, MismatchDetail, Waiver } from "../../contracts/index.js";
import { sampleGateEvaluation } from "../../report/gate/gate-evaluation.fixture.js";
import type { CohortOverview } from "../../review/review-service.js";

/** What a hostile identity provider, gateway or reviewer could get into the store. */
export const HOSTILE = `<script>alert("x")</script> & 'q' "><img src=x onerror=alert(1)>`;

export const NOW = new Date("2026-12-01T10:00:00.000Z");

export function cohortOverview(over: Partial<CohortOverview> = {}): CohortOverview {
  const minute = (m: number) => new Date(NOW.getTime() - m * 60_000);
  const point = (m: number, pairs: number, mismatchedPairs: number) => ({
    at: minute(m),
    pairs,
    mismatchedPairs,
    overPermission: 0,
    unpaired: 0,
    observedDriftPairs: 0,
  });
  return {
    cohort: "caregivers",
    stage: "canary",
    stageSince: "2026-11-20T08:00:00.000Z",
    gate: sampleGateEvaluation(),
    lastRecorded: null,
    trend: [point(120, 100, 1), point(60, 0, 0), point(30, 200, 4)],
    ...over,
  };
}

export function driftGroup(over: Partial<DriftGroup> = {}): DriftGroup {
  return {
    cohort: "nurses",
    kind: "over_permission",
    severity: "critical",
    action: "write",
    resourceType: "prescription",
    legacyRuleId: null,
    policyReasons: ["role nurse maps to prescriber"],
    cause: "policy_logic",
    findings: 1_204,
    pairs: 1_200,
    firstSeen: "2026-11-30T08:00:00.000Z",
    lastSeen: "2026-12-01T09:59:00.000Z",
    examplePairIds: ["p-1", "p-2"],
    ...over,
  };
}

export function mismatchDetail(over: Partial<MismatchDetail> = {}): MismatchDetail {
  return {
    pairId: "p-1",
    correlationId: "corr-1",
    cohort: "nurses",
    paired: true,
    onlySide: null,
    action: "write",
    resourceType: "prescription",
    eventTime: "2026-12-01T09:30:00.000Z",
    legacy: { allow: false, ruleId: "nurse-no-prescribe" },
    new: { allow: true, reasons: ["role nurse maps to prescriber"] },
    subjects: { legacyPseudonym: "ps_legacy_1", newPseudonym: "ps_new_1" },
    resourcePseudonym: "ps_res_1",
    policyBundleSha256: "a".repeat(64),
    legacyRulesSha256: "b".repeat(64),
    findings: [
      {
        kind: "over_permission",
        severity: "critical",
        side: null,
        cause: "policy_logic",
        detail: "new allows, legacy denies",
      },
    ],
    ...over,
  };
}

export function waiver(over: Partial<Waiver> = {}): Waiver {
  return {
    id: "w-1",
    owner: "sec-team",
    reason: "proxy reads are being re-modelled",
    ticket: "SEC-42",
    scope: { cohort: "caregivers", kind: "under_permission", action: "read" },
    expiresAt: "2026-12-31T00:00:00.000Z",
    allowOverPermission: false,
    createdBy: "approver-1",
    createdAt: "2026-11-01T12:00:00.000Z",
    ...over,
  };
}
