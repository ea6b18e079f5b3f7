import { DATABASE_NAME } from "./store-config.js";

/** Fully qualified names of the store's tables: the only identifiers that enter SQL text. */
export interface StoreTables {
  readonly database: string;
  readonly migrations: string;
  /** One row per pair or unpaired event (ReplacingMergeTree by pair). */
  readonly outcomes: string;
  /** One row per finding, with pseudonymized ids. */
  readonly findings: string;
  /** Per-cohort counts by minute and outcome, derived from the deduplicated outcomes. */
  readonly counters: string;
}

export const TABLE_NAMES = {
  migrations: "schema_migrations",
  outcomes: "pair_outcomes",
  findings: "mismatch_details",
  counters: "outcome_counters",
} as const;

export function storeTables(database: string): StoreTables {
  if (!DATABASE_NAME.test(database))
    throw new TypeError(`not a database identifier: ${JSON.stringify(database)}`);
  return {
    database,
    migrations: `${database}.${TABLE_NAMES.migrations}`,
    outcomes: `${database}.${TABLE_NAMES.outcomes}`,
    findings: `${database}.${TABLE_NAMES.findings}`,
    counters: `${database}.${TABLE_NAMES.counters}`,
  };
}
