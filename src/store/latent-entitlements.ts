import type { LatentDirection } from "../contracts/index.js";
import type { LatentQuery, StoredLatentEvidence } from "../latent/latent-evidence.js";
import { FINAL_SETTINGS, toCount, WINDOW_CONDITIONS, windowParams } from "./evidence-window.js";
import type { Store } from "./open-store.js";

/** Each principal's latest claim shape, sighted in the window under the given versions. */
const PRINCIPALS = (table: string) => `SELECT cohort, subject_pseudonym, shape
  FROM ${table} FINAL
  WHERE direction = 'evaluated'
    AND policy_bundle_sha256 = {policyBundleSha256:String}
    AND legacy_rules_sha256 = {legacyRulesSha256:String}
    AND ({cohort:Nullable(String)} IS NULL OR cohort = {cohort:Nullable(String)})
    AND seen_at >= fromUnixTimestamp64Milli({sinceMs:Int64} - {slackMs:Int64}, 'UTC')
    AND seen_at < fromUnixTimestamp64Milli({untilMs:Int64}, 'UTC')`;

export async function readLatentEvidence(
  store: Pick<Store, "driver" | "tables">,
  q: LatentQuery,
): Promise<StoredLatentEvidence> {
  const params = {
    ...windowParams(q),
    cohort: q.cohort ?? null,
    slackMs: Math.round((q.sightingSlackSeconds ?? 0) * 1000),
  };
  const t = store.tables;
  const [evaluated, cells, observed] = await Promise.all([
    store.driver.query<{ cohort: string; principals: number | string }>(
      `SELECT cohort, count() AS principals FROM (${PRINCIPALS(t.latent)}) GROUP BY cohort ORDER BY cohort`,
      params,
    ),
    store.driver.query<CellRow>(
      `SELECT d.cohort AS cohort, d.direction AS direction, d.action AS action,
  d.resource_type AS resourceType, d.scenario AS scenario,
  uniqExact(d.subject_pseudonym) AS principals,
  argMin(d.legacy_rule_id, d.shape) AS legacyRuleId,
  argMin(d.new_reasons, d.shape) AS newReasons
FROM (
  SELECT cohort, direction, action, resource_type, scenario, subject_pseudonym, shape, legacy_rule_id, new_reasons
  FROM ${t.latent} FINAL
  WHERE direction != 'evaluated'
    AND policy_bundle_sha256 = {policyBundleSha256:String}
    AND legacy_rules_sha256 = {legacyRulesSha256:String}
    AND ({cohort:Nullable(String)} IS NULL OR cohort = {cohort:Nullable(String)})
) AS d
INNER JOIN (${PRINCIPALS(t.latent)}) AS p
  ON d.cohort = p.cohort AND d.subject_pseudonym = p.subject_pseudonym AND d.shape = p.shape
GROUP BY cohort, direction, action, resourceType, scenario
ORDER BY cohort, direction, action, resourceType, scenario`,
      params,
    ),
    store.driver.query<ObservedRow>(
      `SELECT cohort, action, resource_type AS resourceType,
  countIf(paired AND legacy_allow IS NOT NULL AND new_allow IS NOT NULL) AS pairs,
  countIf(has(finding_kinds, 'over_permission')) AS overPermission,
  countIf(has(finding_kinds, 'under_permission')) AS underPermission
FROM ${t.outcomes} FINAL
WHERE ({cohort:Nullable(String)} IS NULL OR cohort = {cohort:Nullable(String)})
  AND ${WINDOW_CONDITIONS}
GROUP BY cohort, action, resourceType
ORDER BY cohort, action, resourceType
${FINAL_SETTINGS}`,
      params,
    ),
  ]);
  return {
    principalsEvaluated: Object.fromEntries(evaluated.map((r) => [r.cohort, toCount(r.principals)])),
    differences: cells.map((r) => ({
      cohort: r.cohort,
      action: r.action,
      resourceType: r.resourceType,
      scenario: r.scenario,
      direction: r.direction,
      legacyRuleId: r.legacyRuleId,
      newReasons: r.newReasons,
      principals: toCount(r.principals),
    })),
    observed: observed.map((r) => ({
      cohort: r.cohort,
      action: r.action,
      resourceType: r.resourceType,
      pairs: toCount(r.pairs),
      overPermission: toCount(r.overPermission),
      underPermission: toCount(r.underPermission),
    })),
  };
}

type CellRow = {
  cohort: string;
  direction: LatentDirection;
  action: string;
  resourceType: string;
  scenario: string;
  principals: number | string;
  legacyRuleId: string | null;
  newReasons: string[];
};

type ObservedRow = {
  cohort: string;
  action: string;
  resourceType: string;
  pairs: number | string;
  overPermission: number | string;
  underPermission: number | string;
};
