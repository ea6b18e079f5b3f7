import { type FindingKind, findingKindSchema } from "../contracts/index.js";
import { type EvidenceWindow, FINAL_SETTINGS, toCount, windowParams } from "./evidence-window.js";
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

/** The findings conditions of WINDOW_CONDITIONS: the same window and versions, on observed_at. */
const FINDINGS_WINDOW = `observed_at >= fromUnixTimestamp64Milli({sinceMs:Int64}, 'UTC')
  AND observed_at < fromUnixTimestamp64Milli({untilMs:Int64}, 'UTC')
  AND ({policyBundleSha256:Nullable(String)} IS NULL OR policy_bundle_sha256 = {policyBundleSha256:Nullable(String)})
  AND ({legacyRulesSha256:Nullable(String)} IS NULL OR legacy_rules_sha256 = {legacyRulesSha256:Nullable(String)})`;

/** Distinct finding signatures of a cohort's pairs in the window, with how many pairs have each. */
export async function readMismatchSignatures(
  store: Pick<Store, "driver" | "tables">,
  q: SignatureQuery,
): Promise<MismatchSignature[]> {
  const rows = await store.driver.query<SignatureRow>(
    `SELECT kinds, action, resourceType, legacyRuleId, newReasons, count() AS pairs
FROM (
  SELECT pair_id,
    arraySort(groupUniqArray(toString(kind))) AS kinds,
    any(toString(action)) AS action,
    any(toString(resource_type)) AS resourceType,
    any(legacy_rule_id) AS legacyRuleId,
    arraySort(arrayMap(r -> toString(r), any(new_reasons))) AS newReasons
  FROM ${store.tables.findings} FINAL
  WHERE cohort = {cohort:String}
    AND kind != 'unpaired'
    AND ${FINDINGS_WINDOW}
  GROUP BY pair_id
  ${FINAL_SETTINGS}
)
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
