import {
  type Finding,
  type FindingKind,
  type LegacyDecision,
  MISMATCH_KINDS,
  SEVERITY_OF,
  type Side,
} from "../contracts/index.js";
import type { ContinuityResult } from "../identity/subject-continuity.js";
import type { VerificationResult } from "../identity/verification-result.js";
import type { PolicyDecision } from "../policy/evaluator.js";

/** What is known about one request once both sides were verified and, if valid, evaluated. */
export interface PairEvaluation {
  correlationId: string;
  cohort: string;
  action: string;
  resourceType: string;
  observedAt: string;
  verification: Record<Side, VerificationResult>;
  /** Present only when both tokens verified. */
  continuity?: ContinuityResult;
  legacy: LegacyDecision | null;
  new: PolicyDecision | null;
  /** Why the new policy could not decide the request (then `new` is null). */
  policyError?: string;
  observed: Record<Side, boolean | undefined>;
}

/**
 * The one place that decides what a difference is. Invalid tokens stop the comparison (nothing
 * trustworthy to compare); otherwise subject continuity, the two modelled decisions, and each
 * side's observed decision against its model are checked independently.
 */
export function classifyPair(e: PairEvaluation): Finding[] {
  const findings: Finding[] = [];
  const add = (kind: FindingKind, side: Side | null, detail: string) =>
    findings.push(toFinding(e, kind, side, detail));

  const invalid = (["legacy", "new"] as const).filter((s) => !e.verification[s].ok);
  if (invalid.length > 0) {
    for (const side of invalid) {
      const v = e.verification[side];
      if (!v.ok) add("token_invalid", side, `${side} token ${v.reason}: ${v.detail}`);
    }
    return findings;
  }
  if (e.continuity && !e.continuity.same) add("subject_mismatch", null, e.continuity.detail);
  if (e.policyError !== undefined)
    add("policy_error", "new", `the new policy could not decide this request: ${e.policyError}`);
  if (e.legacy && e.new) {
    if (e.new.allow && !e.legacy.allow)
      add("over_permission", null, "the new policy allows what the legacy rules deny");
    if (e.legacy.allow && !e.new.allow)
      add("under_permission", null, "the new policy denies what the legacy rules allow");
  }
  const modelled: Record<Side, boolean | undefined> = { legacy: e.legacy?.allow, new: e.new?.allow };
  for (const side of ["legacy", "new"] as const) {
    const observed = e.observed[side];
    const model = modelled[side];
    if (observed !== undefined && model !== undefined && observed !== model) {
      add(
        "observed_drift",
        side,
        `${side} system decided ${verdict(observed)} but its model decides ${verdict(model)}`,
      );
    }
  }
  return findings;
}

export function isMismatch(findings: readonly Finding[]): boolean {
  return findings.some((f) => MISMATCH_KINDS.has(f.kind));
}

const verdict = (allow: boolean) => (allow ? "allow" : "deny");

export function toFinding(
  e: Pick<
    PairEvaluation,
    "correlationId" | "cohort" | "action" | "resourceType" | "observedAt" | "legacy" | "new"
  >,
  kind: FindingKind,
  side: Side | null,
  detail: string,
): Finding {
  return {
    correlationId: e.correlationId,
    cohort: e.cohort,
    kind,
    severity: SEVERITY_OF[kind],
    side,
    action: e.action,
    resourceType: e.resourceType,
    legacy: { allow: e.legacy?.allow ?? null, ruleId: e.legacy?.ruleId ?? null },
    new: { allow: e.new?.allow ?? null, reasons: e.new?.reasons ?? [] },
    detail,
    observedAt: e.observedAt,
  };
}
