import type { Finding } from "../contracts/index.js";
import type { Pseudonymizer } from "./pseudonymize.js";
import type { SessionFactRow } from "./session-lifecycle.js";
import type { SetAsideRow } from "./set-aside-pairs.js";
import type { StoredOutcome } from "./stored-outcome.js";

/** A row of pair_outcomes as inserted (stored_at is set by the server). */
export interface OutcomeRow {
  pair_id: string;
  correlation_id: string;
  cohort: string;
  paired: boolean;
  only_side: string;
  mismatch: boolean;
  observed_drift: boolean;
  over_permission: number;
  finding_kinds: string[];
  action: string;
  resource_type: string;
  legacy_allow: boolean | null;
  legacy_rule_id: string | null;
  new_allow: boolean | null;
  policy_bundle_sha256: string;
  legacy_rules_sha256: string;
  event_time: string;
}

/** A row of mismatch_details as inserted: ids only as pseudonyms. */
export interface FindingRow {
  pair_id: string;
  correlation_id: string;
  cohort: string;
  kind: string;
  severity: string;
  side: string;
  action: string;
  resource_type: string;
  legacy_allow: boolean | null;
  legacy_rule_id: string | null;
  new_allow: boolean | null;
  new_reasons: string[];
  cause: string | null;
  detail: string;
  policy_bundle_sha256: string;
  legacy_rules_sha256: string;
  legacy_subject_pseudonym: string | null;
  new_subject_pseudonym: string | null;
  resource_pseudonym: string | null;
  observed_at: string;
}

/** A row of latent_entitlements: direction `evaluated` marks the principal, the others one cell. */
export interface LatentRow {
  policy_bundle_sha256: string;
  legacy_rules_sha256: string;
  cohort: string;
  direction: string;
  action: string;
  resource_type: string;
  scenario: string;
  subject_pseudonym: string;
  shape: string;
  legacy_rule_id: string | null;
  new_reasons: string[];
  seen_at: string;
}

/** A row of replay_facts: the pair's facts as JSON, identifying values already renamed. */
export interface ReplayFactRow {
  pair_id: string;
  cohort: string;
  kind: string;
  action: string;
  resource_type: string;
  legacy_allow: boolean;
  legacy_rule_id: string | null;
  new_allow: boolean;
  replayable: boolean;
  facts: string;
  policy_bundle_sha256: string;
  legacy_rules_sha256: string;
  event_time: string;
}

/** A row of session_uses: a request that named its session, the session pseudonymized. */
export interface SessionUseRow {
  session: string;
  observed_at: string;
  correlation_id: string;
  cohort: string;
  legacy_accepted: boolean | null;
  new_accepted: boolean | null;
}

export interface OutcomeRows {
  /** Null for a bundle of lifecycle facts only (the token lifecycle mirror has no pair). */
  outcome: OutcomeRow | null;
  findings: FindingRow[];
  latent: LatentRow[];
  replay: ReplayFactRow[];
  uses: SessionUseRow[];
  /** Rows of session_facts (docs/lifecycle.md). */
  facts: SessionFactRow[];
  /** Rows of set_aside_pairs: made by the pipeline alone, for work it gave up judging. */
  setAside: SetAsideRow[];
}

/** No rows at all: what a bundle of one other table's rows starts from. */
export const NO_OUTCOME_ROWS: Readonly<OutcomeRows> = Object.freeze({
  outcome: null,
  findings: [],
  latent: [],
  replay: [],
  uses: [],
  facts: [],
  setAside: [],
});

/** Pure: the rows one outcome becomes. Raw subject and resource ids stop here. */
export function toOutcomeRows(o: StoredOutcome, pseudonymize: Pseudonymizer): OutcomeRows {
  const eventTime = clickHouseTime(o.observedAtMs);
  // Only findings carry ids; most pairs have none, so the HMACs are computed only when needed.
  const ids = o.findings.length === 0 ? NO_IDS : pseudonymizedIds(o, pseudonymize);
  const provenance = { policy_bundle_sha256: o.policyBundleSha256, legacy_rules_sha256: o.legacyRulesSha256 };
  return {
    outcome: {
      pair_id: o.pairId,
      correlation_id: o.correlationId,
      cohort: o.cohort,
      paired: o.paired,
      only_side: o.onlySide ?? "",
      mismatch: o.mismatch,
      observed_drift: o.observedDrift,
      over_permission: o.findings.filter((f) => f.kind === "over_permission").length,
      finding_kinds: o.findings.map((f) => f.kind),
      action: o.action,
      resource_type: o.resourceType,
      legacy_allow: o.legacy?.allow ?? null,
      legacy_rule_id: o.legacy?.ruleId ?? null,
      new_allow: o.new?.allow ?? null,
      ...provenance,
      event_time: eventTime,
    },
    findings: o.findings.map((f) =>
      findingRow(o.pairId, f, { ...ids, ...provenance, observed_at: eventTime }),
    ),
    latent: o.entitlements ? latentRows(o, o.entitlements, pseudonymize, eventTime) : [],
    replay: o.replay && o.legacy && o.new ? [replayRow(o, o.replay, o.legacy, o.new, eventTime)] : [],
    uses: o.session
      ? [
          {
            session: pseudonymize.session(o.session.id),
            observed_at: eventTime,
            correlation_id: o.correlationId,
            cohort: o.cohort,
            legacy_accepted: o.session.accepted.legacy,
            new_accepted: o.session.accepted.new,
          },
        ]
      : [],
    facts: [],
    setAside: [],
  };
}

function replayRow(
  o: StoredOutcome,
  kept: NonNullable<StoredOutcome["replay"]>,
  legacy: NonNullable<StoredOutcome["legacy"]>,
  next: NonNullable<StoredOutcome["new"]>,
  eventTime: string,
): ReplayFactRow {
  return {
    pair_id: o.pairId,
    cohort: o.cohort,
    kind: kept.kind,
    action: o.action,
    resource_type: o.resourceType,
    legacy_allow: legacy.allow,
    legacy_rule_id: legacy.ruleId,
    new_allow: next.allow,
    replayable: kept.replayable,
    facts: JSON.stringify(kept.facts),
    policy_bundle_sha256: o.policyBundleSha256,
    legacy_rules_sha256: o.legacyRulesSha256,
    event_time: eventTime,
  };
}

function latentRows(
  o: StoredOutcome,
  e: NonNullable<StoredOutcome["entitlements"]>,
  pseudonymize: Pseudonymizer,
  seenAt: string,
): LatentRow[] {
  const shared = {
    policy_bundle_sha256: o.policyBundleSha256,
    legacy_rules_sha256: o.legacyRulesSha256,
    cohort: o.cohort,
    subject_pseudonym: pseudonymize.subject(e.subject),
    shape: e.shape,
    seen_at: seenAt,
  };
  return [
    {
      ...shared,
      direction: "evaluated",
      action: "",
      resource_type: "",
      scenario: "",
      legacy_rule_id: null,
      new_reasons: [],
    },
    ...e.differences.map((d) => ({
      ...shared,
      direction: d.direction,
      action: d.action,
      resource_type: d.resourceType,
      scenario: d.scenario,
      legacy_rule_id: d.legacyRuleId,
      new_reasons: [...d.newReasons],
    })),
  ];
}

type PseudonymizedIds = Pick<
  FindingRow,
  "legacy_subject_pseudonym" | "new_subject_pseudonym" | "resource_pseudonym"
>;

export const NO_IDS: PseudonymizedIds = {
  legacy_subject_pseudonym: null,
  new_subject_pseudonym: null,
  resource_pseudonym: null,
};

function pseudonymizedIds(o: StoredOutcome, pseudonymize: Pseudonymizer): PseudonymizedIds {
  const legacy = o.subjects.legacy ?? o.legacySubject;
  const next = o.subjects.new ?? o.newSubject;
  return {
    legacy_subject_pseudonym: legacy == null ? null : pseudonymize.subject(legacy),
    new_subject_pseudonym: next == null ? null : pseudonymize.subject(next),
    resource_pseudonym: o.resourceId == null ? null : pseudonymize.resource(o.resourceId),
  };
}

/** A finding as a row of mismatch_details, under its pair's (or, for lifecycle, its own) id. */
export function findingRow(
  pairId: string,
  f: Finding,
  shared: PseudonymizedIds & Pick<FindingRow, "policy_bundle_sha256" | "legacy_rules_sha256" | "observed_at">,
): FindingRow {
  return {
    pair_id: pairId,
    correlation_id: f.correlationId,
    cohort: f.cohort,
    kind: f.kind,
    severity: f.severity,
    side: f.side ?? "",
    action: f.action,
    resource_type: f.resourceType,
    legacy_allow: f.legacy.allow,
    legacy_rule_id: f.legacy.ruleId,
    new_allow: f.new.allow,
    new_reasons: [...f.new.reasons],
    cause: f.cause ?? null,
    detail: f.detail,
    ...shared,
  };
}

/** The range of DateTime64 in ClickHouse; times outside it are clamped to its ends. */
const MIN_TIME_MS = Date.UTC(1900, 0, 1);
const MAX_TIME_MS = Date.UTC(2299, 11, 31, 23, 59, 59, 999);

/**
 * `YYYY-MM-DD HH:MM:SS.mmm` in UTC: read the same by the embedded engine and a server, whatever
 * its date_time_input_format (a bare number would be read as seconds). A time ClickHouse cannot
 * hold is clamped rather than refused: one absurd event time must not block its whole batch.
 */
export function clickHouseTime(epochMs: number): string {
  if (Number.isNaN(epochMs)) throw new RangeError("event time is not a number");
  const clamped = Math.min(MAX_TIME_MS, Math.max(MIN_TIME_MS, epochMs));
  return new Date(clamped).toISOString().replace("T", " ").replace("Z", "");
}
