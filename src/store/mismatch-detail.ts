import { type MismatchDetail, mismatchDetailSchema } from "../contracts/index.js";
import { FINAL_SETTINGS, fromClickHouseTime } from "./evidence-window.js";
import type { Store } from "./open-store.js";
import type { FindingRow, OutcomeRow } from "./outcome-rows.js";

/** The columns read back: those of the rows as inserted (outcome-rows.ts). */
type DetailOutcome = Pick<
  OutcomeRow,
  | "pair_id"
  | "correlation_id"
  | "cohort"
  | "paired"
  | "only_side"
  | "action"
  | "resource_type"
  | "legacy_allow"
  | "legacy_rule_id"
  | "new_allow"
  | "policy_bundle_sha256"
  | "legacy_rules_sha256"
  | "event_time"
  | "finding_kinds"
>;
type DetailFinding = Pick<
  FindingRow,
  | "kind"
  | "severity"
  | "side"
  | "detail"
  | "cause"
  | "new_reasons"
  | "legacy_subject_pseudonym"
  | "new_subject_pseudonym"
  | "resource_pseudonym"
>;

const PAIR_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** One pair as stored, with its findings; null when the store has no such pair (any more). */
export async function readMismatchDetail(
  store: Pick<Store, "driver" | "tables">,
  pairId: string,
): Promise<MismatchDetail | null> {
  if (!PAIR_ID.test(pairId)) return null;
  const [outcome] = await store.driver.query<DetailOutcome>(
    `SELECT pair_id, correlation_id, cohort, paired, only_side, action, resource_type, legacy_allow,
  legacy_rule_id, new_allow, policy_bundle_sha256, legacy_rules_sha256, event_time, finding_kinds
FROM ${store.tables.outcomes} FINAL
WHERE pair_id = {pairId:String}
LIMIT 1
${FINAL_SETTINGS}`,
    { pairId },
  );
  if (!outcome) return readLifecycleDetail(store, pairId);
  const findings = await store.driver.query<DetailFinding>(
    `SELECT kind, severity, side, detail, cause, new_reasons, legacy_subject_pseudonym, new_subject_pseudonym,
  resource_pseudonym
FROM ${store.tables.findings} FINAL
WHERE pair_id = {pairId:String}
  -- The findings of the pair as it is stored now: rows of an earlier processing (another policy
  -- version, a kind it no longer has) are not its findings.
  AND policy_bundle_sha256 = {policy:String}
  AND legacy_rules_sha256 = {rules:String}
  AND has({kinds:Array(String)}, toString(kind))
ORDER BY indexOf(['critical', 'high', 'medium', 'low'], toString(severity)), kind, side
${FINAL_SETTINGS}`,
    {
      pairId,
      policy: outcome.policy_bundle_sha256,
      rules: outcome.legacy_rules_sha256,
      kinds: outcome.finding_kinds,
    },
  );
  const first = findings[0];
  return mismatchDetailSchema.parse({
    pairId: outcome.pair_id,
    correlationId: outcome.correlation_id,
    cohort: outcome.cohort,
    paired: outcome.paired,
    onlySide: outcome.only_side === "" ? null : outcome.only_side,
    action: outcome.action,
    resourceType: outcome.resource_type,
    eventTime: fromClickHouseTime(outcome.event_time).toISOString(),
    legacy: { allow: outcome.legacy_allow, ruleId: outcome.legacy_rule_id },
    new: { allow: outcome.new_allow, reasons: first?.new_reasons ?? [] },
    subjects: {
      legacyPseudonym: first?.legacy_subject_pseudonym ?? null,
      newPseudonym: first?.new_subject_pseudonym ?? null,
    },
    resourcePseudonym: first?.resource_pseudonym ?? null,
    policyBundleSha256: outcome.policy_bundle_sha256,
    legacyRulesSha256: outcome.legacy_rules_sha256,
    findings: findings.map((f) => ({
      kind: f.kind,
      severity: f.severity,
      side: f.side === "" ? null : f.side,
      cause: f.cause,
      detail: f.detail,
    })),
  });
}

/**
 * A token lifecycle finding has no pair of its own (docs/lifecycle.md): its page shows the finding
 * about the session, without decisions. Its id is the finding's.
 */
async function readLifecycleDetail(
  store: Pick<Store, "driver" | "tables">,
  pairId: string,
): Promise<MismatchDetail | null> {
  const [f] = await store.driver.query<
    DetailFinding & Pick<FindingRow, "correlation_id" | "cohort" | "action" | "resource_type" | "observed_at">
  >(
    `SELECT kind, severity, side, detail, cause, new_reasons, legacy_subject_pseudonym, new_subject_pseudonym,
  resource_pseudonym, correlation_id, cohort, action, resource_type, observed_at
FROM ${store.tables.findings} FINAL
WHERE pair_id = {pairId:String}
  AND kind IN ('lifetime_drift', 'session_drift', 'claim_drift')
LIMIT 1
${FINAL_SETTINGS}`,
    { pairId },
  );
  if (!f) return null;
  return mismatchDetailSchema.parse({
    pairId,
    correlationId: f.correlation_id,
    cohort: f.cohort,
    paired: false,
    onlySide: null,
    action: f.action,
    resourceType: f.resource_type,
    eventTime: fromClickHouseTime(f.observed_at).toISOString(),
    legacy: { allow: null, ruleId: null },
    new: { allow: null, reasons: [] },
    subjects: { legacyPseudonym: null, newPseudonym: null },
    resourcePseudonym: null,
    policyBundleSha256: "",
    legacyRulesSha256: "",
    findings: [
      {
        kind: f.kind,
        severity: f.severity,
        side: f.side === "" ? null : f.side,
        cause: null,
        detail: f.detail,
      },
    ],
  });
}
