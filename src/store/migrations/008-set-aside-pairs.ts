import type { Migration } from "./migration.js";

/**
 * Requests the service gave up judging (docs/service.md, "A pair that ends its worker"): their
 * events went to the dead-letter topic, and without a row here a gate would never know that part
 * of its window was not judged at all. A row per pair (or lone event), keyed like pair_outcomes;
 * the same request set aside again replaces itself.
 */
export const setAsidePairsMigration: Migration = {
  version: 8,
  name: "set-aside-pairs",
  statements: ({ tables: t, retentionDays: days }) => [
    `CREATE TABLE IF NOT EXISTS ${t.setAside}
(
  pair_id String,
  correlation_id String,
  -- '' for a pair; the side of an event set aside alone.
  only_side LowCardinality(String),
  event_time DateTime64(3, 'UTC'),
  reason String,
  -- Where each event can be found again: topic/partition@offset in the dead-letter topic's
  -- headers, or 'http' for an event that came over HTTP (kept nowhere).
  sources Array(String),
  stored_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(stored_at)
PARTITION BY toYYYYMMDD(event_time)
ORDER BY (event_time, pair_id)
TTL toDateTime(event_time) + toIntervalDay(${days})
SETTINGS ttl_only_drop_parts = 1`,
  ],
};
