import type { Migration } from "./migration.js";

/**
 * The facts `impact` replays (docs/impact.md): every decision mismatch and a sample of agreeing
 * pairs, with the new token's claims and the request with every identifying value renamed per
 * pair. Keyed and retained like pair_outcomes: one row per pair, whatever the redeliveries.
 */
export const replayFactsMigration: Migration = {
  version: 5,
  name: "replay-facts",
  statements: ({ tables: t, retentionDays: days }) => [
    `CREATE TABLE IF NOT EXISTS ${t.replayFacts}
(
  pair_id String,
  cohort LowCardinality(String),
  kind LowCardinality(String),
  action LowCardinality(String),
  resource_type LowCardinality(String),
  legacy_allow Bool,
  legacy_rule_id LowCardinality(Nullable(String)),
  new_allow Bool,
  replayable Bool,
  facts String,
  policy_bundle_sha256 LowCardinality(String),
  legacy_rules_sha256 LowCardinality(String),
  event_time DateTime64(3, 'UTC'),
  stored_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(stored_at)
PARTITION BY toYYYYMMDD(event_time)
ORDER BY (cohort, toStartOfHour(event_time), pair_id)
TTL toDateTime(event_time) + toIntervalDay(${days})
SETTINGS ttl_only_drop_parts = 1`,
  ],
};
