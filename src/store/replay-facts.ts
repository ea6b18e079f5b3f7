import type { StoredFact } from "../impact/replay-candidate.js";
import type { ReplayFacts } from "../impact/replay-facts.js";
import { windowParams } from "./evidence-window.js";
import type { Store } from "./open-store.js";

export interface ReplayFactsQuery {
  since: Date;
  until: Date;
  /** The deployed versions: the stored new decisions are the deployed policy's, the oracle the deployed rules'. */
  policyBundleSha256: string;
  legacyRulesSha256: string;
  cohort?: string;
  /** Most rows read; one more is asked for to tell the caller it was cut. */
  limit: number;
}

type FactRow = {
  cohort: string;
  kind: string;
  action: string;
  resourceType: string;
  legacyAllow: boolean | number;
  legacyRuleId: string | null;
  newAllow: boolean | number;
  replayable: boolean | number;
  facts: string;
};

export async function readReplayFacts(
  store: Pick<Store, "driver" | "tables">,
  q: ReplayFactsQuery,
): Promise<{ facts: StoredFact[]; truncated: boolean }> {
  const rows = await store.driver.query<FactRow>(
    `SELECT cohort, kind, action, resource_type AS resourceType, legacy_allow AS legacyAllow,
  legacy_rule_id AS legacyRuleId, new_allow AS newAllow, replayable, facts
FROM ${store.tables.replayFacts} FINAL
WHERE event_time >= fromUnixTimestamp64Milli({sinceMs:Int64}, 'UTC')
  AND event_time < fromUnixTimestamp64Milli({untilMs:Int64}, 'UTC')
  AND policy_bundle_sha256 = {policyBundleSha256:String}
  AND legacy_rules_sha256 = {legacyRulesSha256:String}
  AND ({cohort:Nullable(String)} IS NULL OR cohort = {cohort:Nullable(String)})
ORDER BY cohort, event_time, pair_id
LIMIT {limit:UInt32}
SETTINGS do_not_merge_across_partitions_select_final = 1`,
    { ...windowParams(q), cohort: q.cohort ?? null, limit: q.limit + 1 },
  );
  const facts = rows.slice(0, q.limit).map((r) => ({
    cohort: r.cohort,
    kind: r.kind as StoredFact["kind"],
    action: r.action,
    resourceType: r.resourceType,
    legacyAllow: Boolean(r.legacyAllow),
    legacyRuleId: r.legacyRuleId,
    newAllow: Boolean(r.newAllow),
    replayable: Boolean(r.replayable),
    facts: JSON.parse(r.facts) as ReplayFacts,
  }));
  return { facts, truncated: rows.length > q.limit };
}
