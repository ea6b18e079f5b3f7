import {
  type EvidenceWindow,
  FINAL_SETTINGS,
  fromClickHouseTime,
  toCount,
  windowParams,
} from "./evidence-window.js";
import type { Store } from "./open-store.js";

/** How much of a window's evidence the deployed versions produced, for "the evidence restarted". */
export interface EvidenceVersions {
  /** Outcomes under other policy bundles or legacy rules: not counted by a pinned gate. */
  otherVersionOutcomes: number;
  /** Event time of the first outcome under the deployed versions; null when there is none. */
  deployedSince: Date | null;
}

type VersionsRow = { other: number | string; deployedSince: string | null };

export async function readEvidenceVersions(
  store: Pick<Store, "driver" | "tables">,
  q: Omit<EvidenceWindow, "policyBundleSha256" | "legacyRulesSha256"> & {
    cohort: string;
    policyBundleSha256: string;
    legacyRulesSha256: string;
  },
): Promise<EvidenceVersions> {
  const rows = await store.driver.query<VersionsRow>(
    `SELECT
  countIf(NOT deployed) AS other,
  if(countIf(deployed) = 0, NULL, minIf(event_time, deployed)) AS deployedSince
FROM (
  SELECT event_time,
    policy_bundle_sha256 = {deployedPolicy:String} AND legacy_rules_sha256 = {deployedRules:String} AS deployed
  FROM ${store.tables.outcomes} FINAL
  WHERE cohort = {cohort:String}
    AND event_time >= fromUnixTimestamp64Milli({sinceMs:Int64}, 'UTC')
    AND event_time < fromUnixTimestamp64Milli({untilMs:Int64}, 'UTC')
  ${FINAL_SETTINGS}
)`,
    {
      ...windowParams({ since: q.since, until: q.until }),
      cohort: q.cohort,
      deployedPolicy: q.policyBundleSha256,
      deployedRules: q.legacyRulesSha256,
    },
  );
  const row = rows[0];
  return {
    otherVersionOutcomes: toCount(row?.other ?? 0),
    deployedSince: row?.deployedSince ? fromClickHouseTime(row.deployedSince) : null,
  };
}
