import type { FindingKind, Side } from "../../src/contracts/index.js";
import { toFinding } from "../../src/diff/classify.js";
import { pairIdOf, type StoredOutcome } from "../../src/store/stored-outcome.js";

export const POLICY_A = "a".repeat(64);
export const POLICY_B = "b".repeat(64);
export const RULES_A = "1".repeat(64);
export const T0 = Date.UTC(2030, 0, 15, 12, 0, 0);

export interface OutcomeSpec {
  correlationId: string;
  cohort?: string;
  /** Unpaired when set. */
  onlySide?: Side;
  kinds?: Array<{ kind: FindingKind; side?: Side | null }>;
  atMs?: number;
  action?: string;
  resourceType?: string;
  policy?: string;
  rules?: string;
  legacyAllow?: boolean;
  newAllow?: boolean;
  ruleId?: string | null;
  reasons?: string[];
  detail?: string;
  legacySubject?: string;
  newSubject?: string;
  resourceId?: string;
}

/** A StoredOutcome shaped as the pipeline builds it, with findings from the real toFinding. */
export function storedOutcome(spec: OutcomeSpec): StoredOutcome {
  const paired = spec.onlySide === undefined;
  const atMs = spec.atMs ?? T0;
  const cohort = spec.cohort ?? "clinicians";
  const action = spec.action ?? "read";
  const resourceType = spec.resourceType ?? "patient_record";
  const legacy = paired
    ? { allow: spec.legacyAllow ?? true, ruleId: spec.ruleId === undefined ? "care-team-read" : spec.ruleId }
    : null;
  const next = paired
    ? { allow: spec.newAllow ?? true, reasons: spec.reasons ?? ["care team member"] }
    : null;
  const kinds = spec.kinds ?? (paired ? [] : [{ kind: "unpaired" as const, side: spec.onlySide }]);
  const observedAt = new Date(atMs).toISOString();
  const findings = kinds.map(({ kind, side }) =>
    toFinding(
      { correlationId: spec.correlationId, cohort, action, resourceType, observedAt, legacy, new: next },
      kind,
      side ?? null,
      spec.detail ?? `${kind} planted by the test`,
    ),
  );
  const base = {
    correlationId: spec.correlationId,
    cohort,
    paired,
    onlySide: spec.onlySide ?? null,
  };
  const outcome: StoredOutcome = {
    ...base,
    legacy,
    new: next,
    findings,
    mismatch: findings.some((f) =>
      ["over_permission", "under_permission", "subject_mismatch", "token_invalid"].includes(f.kind),
    ),
    observedDrift: findings.some((f) => f.kind === "observed_drift"),
    subjects: { legacy: spec.legacySubject ?? null, new: spec.newSubject ?? null },
    pairId: pairIdOf(base),
    action,
    resourceType,
    policyBundleSha256: spec.policy ?? POLICY_A,
    legacyRulesSha256: spec.rules ?? RULES_A,
    observedAtMs: atMs,
  };
  if (spec.resourceId !== undefined) outcome.resourceId = spec.resourceId;
  return outcome;
}
