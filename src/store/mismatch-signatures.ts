import { type FindingKind, findingKindSchema } from "../contracts/index.js";
import {
  type EvidenceWindow,
  FINAL_SETTINGS,
  toCount,
  WINDOW_CONDITIONS,
  windowParams,
} from "./evidence-window.js";
import type { Store } from "./open-store.js";

/**
 * Pairs that share the same findings: the kinds of the pair's findings (other than `unpaired`)
 * and the request path they are about. Waivers are matched against signatures rather than
 * pairs: a cohort has few distinct signatures however many pairs it has.
 */
export interface MismatchSignature {
  kinds: FindingKind[];
  action: string;
  resourceType: string;
  legacyRuleId: string | null;
  newReasons: string[];
  pairs: number;
}

export interface SignatureQuery extends EvidenceWindow {
  cohort: string;
}

type SignatureRow = Omit<MismatchSignature, "pairs" | "kinds"> & { kinds: string[]; pairs: number | string };

/**
 * Distinct finding signatures of a cohort's pairs in the window, with how many pairs have each.
 * The pairs and their kinds come from pair_outcomes under the same conditions as the gate's
 * evidence (readGateEvidence), so waivers can only take out pairs the evidence counted; findings
 * rows (written before their outcome, or left from an earlier processing) add only the policy
 * reasons of those pairs.
 */
export async function readMismatchSignatures(
  store: Pick<Store, "driver" | "tables">,
  q: SignatureQuery,
): Promise<MismatchSignature[]> {
  const rows = await store.driver.query<SignatureRow>(
    `SELECT kinds, action, resourceType, legacyRuleId, newReasons, count() AS pairs
FROM (
  SELECT pair_id,
    arraySort(arrayDistinct(arrayFilter(k -> k != 'unpaired', arrayMap(k -> toString(k), finding_kinds)))) AS kinds,
    toString(action) AS action,
    toString(resource_type) AS resourceType,
    legacy_rule_id AS legacyRuleId,
    policy_bundle_sha256 AS policy,
    legacy_rules_sha256 AS rules
  FROM ${store.tables.outcomes} FINAL
  WHERE cohort = {cohort:String}
    AND paired
    AND ${WINDOW_CONDITIONS}
  ${FINAL_SETTINGS}
) AS o
LEFT JOIN (
  SELECT pair_id, policy_bundle_sha256 AS policy, legacy_rules_sha256 AS rules,
    arraySort(arrayMap(r -> toString(r), any(new_reasons))) AS newReasons
  FROM ${store.tables.findings} FINAL
  WHERE cohort = {cohort:String}
    AND kind != 'unpaired'
    AND observed_at >= fromUnixTimestamp64Milli({sinceMs:Int64}, 'UTC')
    AND observed_at < fromUnixTimestamp64Milli({untilMs:Int64}, 'UTC')
  GROUP BY pair_id, policy, rules
  ${FINAL_SETTINGS}
) AS f ON o.pair_id = f.pair_id AND o.policy = f.policy AND o.rules = f.rules
WHERE length(kinds) > 0
GROUP BY kinds, action, resourceType, legacyRuleId, newReasons
ORDER BY pairs DESC, action, resourceType`,
    { ...windowParams(q), cohort: q.cohort },
  );
  return rows.map((r) => ({
    kinds: r.kinds.map((k) => findingKindSchema.parse(k)),
    action: r.action,
    resourceType: r.resourceType,
    legacyRuleId: r.legacyRuleId === null ? null : String(r.legacyRuleId),
    newReasons: r.newReasons,
    pairs: toCount(r.pairs),
  }));
}
