import {
  type Finding,
  type GateEvidence,
  REPORT_SCHEMA,
  type Report,
  SEVERITY_OF,
} from "../contracts/index.js";
import { evaluateGate } from "../gates/evaluate-gate.js";
import { NURSE_WRITES_LABS } from "../latent/latent.fixture.js";

/**
 * A small, hand-made Report for the renderers' tests, independent of the replay pipeline:
 * one failing cohort (over-permissions), one passing, one short of evidence.
 */

const THRESHOLDS = {
  minPairs: 1000,
  maxMismatchRate: 0.005,
  confidence: 0.95,
  maxOverPermission: 0,
  maxUnpairedRate: 0.02,
  maxObservedDriftRate: 0.01,
};

function cohort(id: string, e: GateEvidence, mismatches: Report["cohorts"][number]["mismatches"]) {
  return {
    id,
    pairs: e.pairs,
    unpaired: e.unpaired,
    mismatchedPairs: e.mismatchedPairs,
    mismatches,
    gate: evaluateGate(id, e, THRESHOLDS),
  };
}

export function finding(overrides: Partial<Finding> & Pick<Finding, "correlationId" | "kind">): Finding {
  return {
    cohort: "clinicians",
    severity: SEVERITY_OF[overrides.kind],
    side: null,
    action: "read",
    resourceType: "patient_record",
    legacy: { allow: false, ruleId: null },
    new: { allow: true, reasons: ["clinician on care team"] },
    detail: "",
    observedAt: "2025-03-01T10:00:00Z",
    ...overrides,
  };
}

export function sampleReport(): Report {
  return {
    schema: REPORT_SCHEMA,
    generatedAt: "2025-03-02T08:30:00.000Z",
    inputs: ["traffic/2025-03-01.ndjson", "traffic/2025-03-02.ndjson"],
    provenance: {
      policyBundleSha256: "9f2c1e7a5b3d4c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60",
      legacyRulesSha256: "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9",
      entrypoint: "authz/decision",
    },
    totals: { events: 12_551, duplicates: 7, rejected: 2, pairs: 6250, unpaired: 65, mismatches: 49 },
    cohorts: [
      cohort(
        "clinicians",
        { pairs: 2850, mismatchedPairs: 18, overPermission: 2, unpaired: 35, observedDriftPairs: 1 },
        {
          over_permission: 2,
          under_permission: 9,
          subject_mismatch: 4,
          token_invalid: 3,
          policy_error: 1,
          unpaired: 35,
          observed_drift: 1,
        },
      ),
      cohort(
        "patients",
        { pairs: 3000, mismatchedPairs: 2, overPermission: 0, unpaired: 30, observedDriftPairs: 3 },
        { under_permission: 2, unpaired: 30, observed_drift: 3 },
      ),
      cohort(
        "service-accounts",
        { pairs: 400, mismatchedPairs: 0, overPermission: 0, unpaired: 0, observedDriftPairs: 0 },
        {},
      ),
    ],
    mismatches: [
      finding({ correlationId: "c-101", kind: "over_permission", detail: "new allows, legacy denies" }),
      finding({ correlationId: "c-102", kind: "over_permission", detail: "new allows, legacy denies" }),
      finding({
        correlationId: "c-201",
        kind: "under_permission",
        action: "write",
        legacy: { allow: true, ruleId: "break-glass" },
        new: { allow: false, reasons: [] },
        detail: "legacy allows, new denies",
      }),
      finding({
        correlationId: "p-301",
        cohort: "patients",
        kind: "under_permission",
        legacy: { allow: true, ruleId: "caregiver-proxy" },
        new: { allow: false, reasons: ["no proxy relationship"] },
      }),
      finding({
        correlationId: "c-401",
        kind: "token_invalid",
        side: "new",
        legacy: { allow: null, ruleId: null },
        new: { allow: null, reasons: [] },
        detail: 'new token: unexpected "aud" claim value',
      }),
      finding({
        correlationId: "c-501",
        kind: "unpaired",
        side: "legacy",
        legacy: { allow: null, ruleId: null },
        new: { allow: null, reasons: [] },
        detail: "only the legacy side was seen",
      }),
      finding({
        correlationId: "p-601",
        cohort: "patients",
        kind: "observed_drift",
        side: "legacy",
        legacy: { allow: true, ruleId: "patient-own-record" },
        new: { allow: true, reasons: ["owner"] },
        detail: "legacy observed deny, rules compute allow",
      }),
      finding({
        correlationId: "c-701",
        kind: "subject_mismatch",
        legacy: { allow: true, ruleId: "clinician-care-team" },
        detail: 'legacy sub "u-17" ≠ new legacy_sub "u-71"',
      }),
    ],
    mismatchesTruncated: false,
    rejected: [
      { file: "traffic/2025-03-01.ndjson", line: 17, reason: "not JSON: Unexpected token } at position 41" },
      { file: "traffic/2025-03-02.ndjson", line: 3, reason: "correlationId: must be at most 200 characters" },
    ],
    rejectedTruncated: false,
  };
}

/** Markup, quotes, ampersands, table pipes, a line break and a terminal escape, all at once. */
export const HOSTILE = `<script>alert("x")</script> & 'q' | [l](u) \n\u001b[31m<img src=x onerror=alert(1)>`;

/** The sample report with a hostile string in every field that comes from data or configuration. */
export function hostileReport(): Report {
  const r = sampleReport();
  const h = (label: string) => `${label}${HOSTILE}`;
  return {
    ...r,
    generatedAt: h("at"),
    inputs: [h("input")],
    provenance: { policyBundleSha256: h("bundle"), legacyRulesSha256: h("rules"), entrypoint: h("entry") },
    cohorts: r.cohorts.map((c) => ({
      ...c,
      id: h(c.id),
      gate: { ...c.gate, cohort: h(c.id), reasons: c.gate.reasons.map(h) },
    })),
    mismatches: r.mismatches.map((f) => ({
      ...f,
      correlationId: h(f.correlationId),
      cohort: h(f.cohort),
      action: h(f.action),
      resourceType: h(f.resourceType),
      legacy: { ...f.legacy, ruleId: h("rule") },
      new: { ...f.new, reasons: [h("reason")] },
      detail: h("detail"),
      observedAt: h("when"),
    })),
    rejected: r.rejected.map((x) => ({ ...x, file: h("file"), reason: h("reason") })),
  };
}

/** The sample report with a latent section: one latent over-permission of nurses, one exercised difference. */
export function sampleReportWithLatent(): Report {
  const base = { ...NURSE_WRITES_LABS, principalsEvaluated: 219, observedPairs: 0, observedFindings: 0 };
  return {
    ...sampleReport(),
    latent: {
      since: "2026-11-01T10:00:00.000Z",
      until: "2026-11-01T11:00:00.000Z",
      policyBundleSha256: "a".repeat(64),
      legacyRulesSha256: "b".repeat(64),
      principalsEvaluated: { nurses: 219, billing: 40 },
      entitlements: [
        { ...base, cohort: "nurses", principals: 219, latent: true },
        {
          action: "read",
          resourceType: "clinical_note",
          scenario: "same-tenant",
          direction: "over_permission",
          legacyRuleId: null,
          newReasons: ["allow.finance"],
          cohort: "billing",
          principals: 40,
          principalsEvaluated: 40,
          observedPairs: 120,
          observedFindings: 60,
          latent: false,
        },
      ],
    },
  };
}
