import type { QueryParams } from "./driver.js";

/** Which outcomes count: one cohort or all, a time window, optionally pinned to what was deployed. */
export interface EvidenceWindow {
  /** Inclusive. */
  since: Date;
  /** Exclusive. */
  until: Date;
  /** Only outcomes produced under this policy bundle (sha256 hex); all when omitted. */
  policyBundleSha256?: string;
  /** Only outcomes produced under these legacy rules (sha256 hex); all when omitted. */
  legacyRulesSha256?: string;
}

/**
 * The WHERE clause every evidence query shares, over pair_outcomes read with FINAL. Conditions on
 * non-key columns (the hashes) apply after deduplication, so a reprocessed pair is judged by its
 * latest version. Optional filters are Nullable parameters, so the SQL text never varies.
 */
export const WINDOW_CONDITIONS = `event_time >= fromUnixTimestamp64Milli({sinceMs:Int64}, 'UTC')
  AND event_time < fromUnixTimestamp64Milli({untilMs:Int64}, 'UTC')
  AND ({policyBundleSha256:Nullable(String)} IS NULL OR policy_bundle_sha256 = {policyBundleSha256:Nullable(String)})
  AND ({legacyRulesSha256:Nullable(String)} IS NULL OR legacy_rules_sha256 = {legacyRulesSha256:Nullable(String)})`;

export function windowParams(w: EvidenceWindow): QueryParams {
  const sinceMs = epochMs(w.since, "since");
  const untilMs = epochMs(w.until, "until");
  if (sinceMs >= untilMs)
    throw new RangeError(
      `evidence window is empty: since ${w.since.toISOString()} >= until ${w.until.toISOString()}`,
    );
  return {
    sinceMs,
    untilMs,
    policyBundleSha256: w.policyBundleSha256 ?? null,
    legacyRulesSha256: w.legacyRulesSha256 ?? null,
  };
}

/** The whole retention: for listings without a window. */
export const ALL_TIME: Pick<EvidenceWindow, "since" | "until"> = {
  since: new Date(0),
  until: new Date(Date.UTC(2200, 0, 1)),
};

/**
 * Appended to every query that reads pair_outcomes with FINAL. All copies of a pair share a
 * partition (the day of its event time, part of the key), so partitions can be deduplicated
 * independently: measured 30 % faster on unmerged parts, the same answer.
 */
export const FINAL_SETTINGS = "SETTINGS do_not_merge_across_partitions_select_final = 1";

/** Five counts every evidence query returns, named as in GateEvidence. */
export const EVIDENCE_COLUMNS = `countIf(paired) AS pairs,
  countIf(paired AND mismatch) AS mismatchedPairs,
  sum(over_permission) AS overPermission,
  countIf(NOT paired) AS unpaired,
  countIf(paired AND observed_drift) AS observedDriftPairs`;

/** UInt64 arrives as a JSON string from a server and as a number from the embedded engine. */
export function toCount(value: unknown): number {
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0)
    throw new TypeError(`store returned a non-count: ${String(value)}`);
  return n;
}

/** DateTime64(3, 'UTC') as the store prints it: `YYYY-MM-DD HH:MM:SS.mmm`. */
export function fromClickHouseTime(value: string): Date {
  return new Date(`${value.replace(" ", "T")}Z`);
}

function epochMs(d: Date, name: string): number {
  const ms = d.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`${name} is not a valid date`);
  return ms;
}
