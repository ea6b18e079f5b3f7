import type { GateEvidence } from "../contracts/gate.js";
import { type EvidenceWindow, fromClickHouseTime, windowParams } from "./evidence-window.js";
import { toEvidence } from "./gate-evidence.js";
import type { Store } from "./open-store.js";

export interface CounterSeriesQuery extends EvidenceWindow {
  cohort: string;
  /** Width of a point in seconds: a whole number of minutes (the counters' resolution). */
  stepSeconds: number;
}

export interface CounterPoint extends GateEvidence {
  /** Start of the step. */
  at: Date;
}

type PointRow = Record<keyof GateEvidence, number | string> & { at: string };

/**
 * A cohort's counts over time, from the outcome_counters view (minute buckets of deduplicated
 * outcomes). The window is widened to whole minutes; empty steps are omitted.
 */
export async function readCounterSeries(
  store: Pick<Store, "driver" | "tables">,
  q: CounterSeriesQuery,
): Promise<CounterPoint[]> {
  if (!Number.isInteger(q.stepSeconds) || q.stepSeconds < 60 || q.stepSeconds % 60 !== 0)
    throw new RangeError(`stepSeconds must be a whole number of minutes, got ${q.stepSeconds}`);
  const rows = await store.driver.query<PointRow>(
    `SELECT
  toDateTime64(toStartOfInterval(bucket, toIntervalSecond({stepSeconds:UInt32})), 3, 'UTC') AS at,
  sum(pairs) AS pairs,
  sum(mismatched_pairs) AS mismatchedPairs,
  sum(over_permission) AS overPermission,
  sum(unpaired) AS unpaired,
  sum(observed_drift_pairs) AS observedDriftPairs
FROM ${store.tables.counters}
WHERE cohort = {cohort:String}
  AND bucket >= toStartOfMinute(fromUnixTimestamp64Milli({sinceMs:Int64}, 'UTC'))
  AND bucket < fromUnixTimestamp64Milli({untilMs:Int64}, 'UTC')
  AND ({policyBundleSha256:Nullable(String)} IS NULL OR policy_bundle_sha256 = {policyBundleSha256:Nullable(String)})
  AND ({legacyRulesSha256:Nullable(String)} IS NULL OR legacy_rules_sha256 = {legacyRulesSha256:Nullable(String)})
GROUP BY at
ORDER BY at`,
    { ...windowParams(q), cohort: q.cohort, stepSeconds: q.stepSeconds },
  );
  return rows.map((row) => ({ at: fromClickHouseTime(row.at), ...toEvidence(row) }));
}
