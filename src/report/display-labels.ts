import type { FindingKind, GateStatus, RootCause, Severity } from "../contracts/index.js";

/** Words a reader sees for the report's enums, shared by every renderer. */

export const STATUS_LABEL: Readonly<Record<GateStatus, string>> = {
  pass: "pass",
  fail: "fail",
  insufficient_evidence: "insufficient evidence",
};

export const KIND_LABEL: Readonly<Record<FindingKind, string>> = {
  over_permission: "over-permission",
  under_permission: "under-permission",
  subject_mismatch: "subject mismatch",
  token_invalid: "invalid token",
  policy_error: "policy error",
  unpaired: "unpaired",
  observed_drift: "observed drift",
  lifetime_drift: "token lifetime drift",
  session_drift: "session drift",
  claim_drift: "claim drift",
};

/** Most severe first; the order groups are listed in. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 0, high: 1, medium: 2, low: 3 };

/** `allow: null` means that side was not evaluated (invalid token, unpaired) or could not decide (policy error). */
export function decisionLabel(allow: boolean | null, undecided = false): string {
  if (allow === null) return undecided ? "could not decide" : "not evaluated";
  return allow ? "allow" : "deny";
}

/** What a reviewer should fix, by root cause (docs/report.md). */
export const CAUSE_LABEL: Readonly<Record<RootCause, string>> = {
  policy_logic: "policy logic (fix the Rego)",
  claim_mapping: "claim mapping (fix the identity migration)",
  both: "policy logic and claim mapping",
};

export function causeLabel(cause: RootCause | null | undefined): string {
  return cause ? CAUSE_LABEL[cause] : "";
}
