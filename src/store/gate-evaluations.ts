import { type GateEvaluation, gateEvaluationSchema } from "../contracts/index.js";
import type { Store } from "./open-store.js";
import { clickHouseTime } from "./outcome-rows.js";

type StoreTablesOf = Pick<Store, "driver" | "tables">;

/**
 * Appends a gate evaluation: the numbers in columns for queries and dashboards, the whole
 * evaluation as JSON so an auditor sees exactly what the gate saw.
 */
export async function insertGateEvaluation(store: StoreTablesOf, e: GateEvaluation): Promise<void> {
  await store.driver.insert(store.tables.gateEvaluations, [
    {
      evaluation_id: e.id,
      cohort: e.cohort,
      status: e.status,
      evaluated_at: clickHouseTime(Date.parse(e.evaluatedAt)),
      evaluated_by: e.evaluatedBy,
      window_since: clickHouseTime(Date.parse(e.window.since)),
      window_until: clickHouseTime(Date.parse(e.window.until)),
      policy_bundle_sha256: e.deployed.policyBundleSha256,
      legacy_rules_sha256: e.deployed.legacyRulesSha256,
      pairs: e.evidence.pairs,
      mismatched_pairs: e.evidence.mismatchedPairs,
      over_permission: e.evidence.overPermission,
      unpaired: e.evidence.unpaired,
      observed_drift_pairs: e.evidence.observedDriftPairs,
      mismatch_rate_upper_bound: e.statistics.mismatchRateUpperBound,
      reasons: e.reasons,
      evaluation: JSON.stringify(e),
    },
  ]);
}

export interface GateEvaluationQuery {
  cohort?: string;
  /** Newest first; at most this many (1..500). */
  limit: number;
  /** Only evaluations older than this one (the cursor of the previous page). */
  before?: { evaluatedAt: string; id: string };
}

/** Evaluations newest first, for the API and `status`; the stored JSON, validated. */
export async function listGateEvaluations(
  store: StoreTablesOf,
  q: GateEvaluationQuery,
): Promise<GateEvaluation[]> {
  if (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > 500)
    throw new RangeError(`limit must be 1..500, got ${q.limit}`);
  const rows = await store.driver.query<{ evaluation: string }>(
    `SELECT evaluation FROM ${store.tables.gateEvaluations}
WHERE ({cohort:Nullable(String)} IS NULL OR cohort = {cohort:Nullable(String)})
  AND ({beforeMs:Nullable(Int64)} IS NULL
       OR (evaluated_at, evaluation_id) < (fromUnixTimestamp64Milli(assumeNotNull({beforeMs:Nullable(Int64)}), 'UTC'), {beforeId:String}))
ORDER BY evaluated_at DESC, evaluation_id DESC
LIMIT {limit:UInt32}`,
    {
      cohort: q.cohort ?? null,
      beforeMs: q.before ? Date.parse(q.before.evaluatedAt) : null,
      beforeId: q.before?.id ?? "",
      limit: q.limit,
    },
  );
  return rows.map((r) => gateEvaluationSchema.parse(JSON.parse(r.evaluation)));
}

/** The newest evaluation of each cohort. */
export async function latestGateEvaluations(store: StoreTablesOf): Promise<Map<string, GateEvaluation>> {
  const rows = await store.driver.query<{ evaluation: string }>(
    `SELECT argMax(evaluation, (evaluated_at, evaluation_id)) AS evaluation
FROM ${store.tables.gateEvaluations}
GROUP BY cohort`,
  );
  const latest = rows.map((r) => gateEvaluationSchema.parse(JSON.parse(r.evaluation)));
  return new Map(latest.map((e) => [e.cohort, e]));
}
