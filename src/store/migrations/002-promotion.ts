import type { Migration } from "./migration.js";

/**
 * The promotion audit trail: waivers, gate evaluations and stage transitions. All three are
 * append-only MergeTree tables without TTL: they are compliance evidence of each promotion
 * decision and outlive the outcomes they were decided on (docs/store.md). Ordered by cohort and
 * time because every reader asks "this cohort, newest first".
 */
export const promotionMigration: Migration = {
  version: 2,
  name: "promotion",
  statements: ({ tables: t }) => [
    `CREATE TABLE IF NOT EXISTS ${t.waivers}
(
  waiver_id String,
  cohort LowCardinality(String),
  kind LowCardinality(Nullable(String)),
  action LowCardinality(Nullable(String)),
  resource_type LowCardinality(Nullable(String)),
  legacy_rule_id LowCardinality(Nullable(String)),
  policy_reason Nullable(String),
  allow_over_permission Bool,
  owner String,
  reason String,
  ticket String,
  expires_at DateTime64(3, 'UTC'),
  created_by String,
  created_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (cohort, created_at, waiver_id)`,

    `CREATE TABLE IF NOT EXISTS ${t.gateEvaluations}
(
  evaluation_id String,
  cohort LowCardinality(String),
  status LowCardinality(String),
  evaluated_at DateTime64(3, 'UTC'),
  evaluated_by String,
  window_since DateTime64(3, 'UTC'),
  window_until DateTime64(3, 'UTC'),
  policy_bundle_sha256 LowCardinality(String),
  legacy_rules_sha256 LowCardinality(String),
  pairs UInt64,
  mismatched_pairs UInt64,
  over_permission UInt64,
  unpaired UInt64,
  observed_drift_pairs UInt64,
  mismatch_rate_upper_bound Float64,
  reasons Array(String),
  evaluation String
)
ENGINE = MergeTree
ORDER BY (cohort, evaluated_at, evaluation_id)`,

    `CREATE TABLE IF NOT EXISTS ${t.stageTransitions}
(
  transition_id String,
  cohort LowCardinality(String),
  from_stage LowCardinality(String),
  to_stage LowCardinality(String),
  direction LowCardinality(String),
  at DateTime64(3, 'UTC'),
  by String,
  gate_evaluation_id Nullable(String),
  gate_status LowCardinality(Nullable(String)),
  policy_bundle_sha256 LowCardinality(String),
  legacy_rules_sha256 LowCardinality(String)
)
ENGINE = MergeTree
ORDER BY (cohort, at, transition_id)`,
  ],
};
