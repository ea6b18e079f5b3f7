import type { Migration } from "./migration.js";

/**
 * The token lifecycle mirror (docs/lifecycle.md): one row per lifecycle event of a session (no
 * token, the session pseudonymized) and one per request that named its session. The session judge
 * reads them back by session, so the session leads both keys; redelivered events replace
 * themselves (ReplacingMergeTree on the full key).
 */
export const sessionLifecycleMigration: Migration = {
  version: 6,
  name: "session-lifecycle",
  statements: ({ tables: t, retentionDays: days }) => [
    `CREATE TABLE IF NOT EXISTS ${t.sessionFacts}
(
  session String,
  side LowCardinality(String),
  event LowCardinality(String),
  observed_at DateTime64(3, 'UTC'),
  source LowCardinality(String),
  cohort LowCardinality(String),
  invalid Nullable(String),
  access_lifetime_seconds Nullable(Int64),
  refresh_lifetime_seconds Nullable(Int64),
  claims Map(String, Nullable(String)),
  stored_at DateTime64(3, 'UTC') DEFAULT now64(3),
  -- The session sweep reads what was stored since its last run.
  INDEX stored_at_minmax stored_at TYPE minmax GRANULARITY 1
)
ENGINE = ReplacingMergeTree(stored_at)
PARTITION BY toYYYYMMDD(observed_at)
ORDER BY (session, side, event, observed_at)
TTL toDateTime(observed_at) + toIntervalDay(${days})
SETTINGS ttl_only_drop_parts = 1`,

    `CREATE TABLE IF NOT EXISTS ${t.sessionUses}
(
  session String,
  observed_at DateTime64(3, 'UTC'),
  correlation_id String,
  cohort LowCardinality(String),
  legacy_accepted Nullable(Bool),
  new_accepted Nullable(Bool),
  stored_at DateTime64(3, 'UTC') DEFAULT now64(3),
  INDEX stored_at_minmax stored_at TYPE minmax GRANULARITY 1
)
ENGINE = ReplacingMergeTree(stored_at)
PARTITION BY toYYYYMMDD(observed_at)
ORDER BY (session, observed_at, correlation_id)
TTL toDateTime(observed_at) + toIntervalDay(${days})
SETTINGS ttl_only_drop_parts = 1`,
  ],
};
