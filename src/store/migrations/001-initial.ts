import type { Migration } from "./migration.js";

/**
 * Outcomes, findings and the counters view. Choices (engines, keys, TTL) are explained in
 * docs/store.md; in short: ReplacingMergeTree keyed by pair so a replayed pair is stored once,
 * cohort first in every ORDER BY because every gate and report query filters by cohort, daily
 * partitions of event time so retention drops whole parts.
 */
export const initialMigration: Migration = {
  version: 1,
  name: "initial",
  statements: ({ tables: t, retentionDays: days }) => [
    `CREATE TABLE IF NOT EXISTS ${t.outcomes}
(
  pair_id String,
  correlation_id String,
  cohort LowCardinality(String),
  paired Bool,
  only_side LowCardinality(String),
  mismatch Bool,
  observed_drift Bool,
  over_permission UInt8,
  finding_kinds Array(LowCardinality(String)),
  action LowCardinality(String),
  resource_type LowCardinality(String),
  legacy_allow Nullable(Bool),
  legacy_rule_id LowCardinality(Nullable(String)),
  new_allow Nullable(Bool),
  policy_bundle_sha256 LowCardinality(String),
  legacy_rules_sha256 LowCardinality(String),
  event_time DateTime64(3, 'UTC'),
  stored_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(stored_at)
PARTITION BY toYYYYMMDD(event_time)
ORDER BY (cohort, toStartOfMinute(event_time), pair_id)
TTL toDateTime(event_time) + toIntervalDay(${days})
SETTINGS ttl_only_drop_parts = 1`,

    `CREATE TABLE IF NOT EXISTS ${t.findings}
(
  pair_id String,
  correlation_id String,
  cohort LowCardinality(String),
  kind LowCardinality(String),
  severity LowCardinality(String),
  side LowCardinality(String),
  action LowCardinality(String),
  resource_type LowCardinality(String),
  legacy_allow Nullable(Bool),
  legacy_rule_id LowCardinality(Nullable(String)),
  new_allow Nullable(Bool),
  new_reasons Array(LowCardinality(String)),
  detail String,
  policy_bundle_sha256 LowCardinality(String),
  legacy_rules_sha256 LowCardinality(String),
  legacy_subject_pseudonym Nullable(String),
  new_subject_pseudonym Nullable(String),
  resource_pseudonym Nullable(String),
  observed_at DateTime64(3, 'UTC'),
  stored_at DateTime64(3, 'UTC') DEFAULT now64(3),
  INDEX pair_id_bloom pair_id TYPE bloom_filter(0.01) GRANULARITY 4,
  INDEX correlation_id_bloom correlation_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree(stored_at)
PARTITION BY toYYYYMMDD(observed_at)
ORDER BY (cohort, kind, toStartOfHour(observed_at), pair_id, side)
TTL toDateTime(observed_at) + toIntervalDay(${days})
SETTINGS ttl_only_drop_parts = 1`,

    `CREATE VIEW IF NOT EXISTS ${t.counters} AS
SELECT
  cohort,
  toStartOfMinute(event_time) AS bucket,
  policy_bundle_sha256,
  legacy_rules_sha256,
  countIf(paired) AS pairs,
  countIf(paired AND mismatch) AS mismatched_pairs,
  sum(over_permission) AS over_permission,
  countIf(NOT paired) AS unpaired,
  countIf(paired AND observed_drift) AS observed_drift_pairs
FROM ${t.outcomes} FINAL
GROUP BY cohort, bucket, policy_bundle_sha256, legacy_rules_sha256`,
  ],
};
