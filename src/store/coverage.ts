import {
  type EvidenceWindow,
  FINAL_SETTINGS,
  toCount,
  WINDOW_CONDITIONS,
  windowParams,
} from "./evidence-window.js";
import type { Store } from "./open-store.js";

export interface CoverageQuery extends EvidenceWindow {
  cohort: string;
}

/** How often one request path was seen as a pair (for coverage requirements of a gate). */
export interface CoverageCount {
  action: string;
  resourceType: string;
  /** The legacy rule that decided; null when no rule matched or the legacy side was not evaluated. */
  legacyRuleId: string | null;
  pairs: number;
}

type CoverageRow = {
  action: string;
  resourceType: string;
  legacyRuleId: string | null;
  pairs: number | string;
};

/**
 * Pairs whose two decisions were compared (both tokens valid), per (action, resource type, legacy
 * rule) in the window, most frequent first: a path covered only by invalid tokens was never tested.
 */
export async function readCoverage(
  store: Pick<Store, "driver" | "tables">,
  q: CoverageQuery,
): Promise<CoverageCount[]> {
  const rows = await store.driver.query<CoverageRow>(
    `SELECT action, resource_type AS resourceType, legacy_rule_id AS legacyRuleId, count() AS pairs
FROM ${store.tables.outcomes} FINAL
WHERE cohort = {cohort:String}
  AND paired
  AND legacy_allow IS NOT NULL AND new_allow IS NOT NULL
  AND ${WINDOW_CONDITIONS}
GROUP BY action, resourceType, legacyRuleId
ORDER BY pairs DESC, action, resourceType, legacyRuleId
${FINAL_SETTINGS}`,
    { ...windowParams(q), cohort: q.cohort },
  );
  return rows.map((r) => ({
    action: r.action,
    resourceType: r.resourceType,
    legacyRuleId: r.legacyRuleId,
    pairs: toCount(r.pairs),
  }));
}
