import type { Migration } from "./migration.js";

/**
 * The modelled entitlement differences of each principal (docs/latent.md): one `evaluated` row
 * per principal (its latest claim shape wins: shape is not in the key), one row per differing
 * cell of the matrix. Keyed by versions first, because a latent difference only means something
 * for the policy bundle and rules that produced it; TTL by last sighting like the outcomes. Not
 * partitioned: a principal seen again in another month must replace its row, which FINAL does
 * only within a partition.
 */
export const latentEntitlementsMigration: Migration = {
  version: 4,
  name: "latent-entitlements",
  statements: ({ tables: t, retentionDays: days }) => [
    `CREATE TABLE IF NOT EXISTS ${t.latent}
(
  policy_bundle_sha256 LowCardinality(String),
  legacy_rules_sha256 LowCardinality(String),
  cohort LowCardinality(String),
  direction LowCardinality(String),
  action LowCardinality(String),
  resource_type LowCardinality(String),
  scenario LowCardinality(String),
  subject_pseudonym String,
  shape String,
  legacy_rule_id LowCardinality(Nullable(String)),
  new_reasons Array(LowCardinality(String)),
  seen_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(seen_at)
ORDER BY (policy_bundle_sha256, legacy_rules_sha256, cohort, direction, action, resource_type, scenario, subject_pseudonym)
TTL toDateTime(seen_at) + toIntervalDay(${days})`,
  ],
};
