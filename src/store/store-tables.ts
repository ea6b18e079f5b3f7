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
  /** Accepted differences, append-only. */
  readonly waivers: string;
  /** Every gate decision with its inputs: audit evidence. */
  readonly gateEvaluations: string;
  /** Every move of a cohort between shadow, canary and live. */
  readonly stageTransitions: string;
  /** Each principal's modelled entitlement differences (latent drift). */
  readonly latent: string;
  /** What `impact` replays: decision mismatches and a sample of agreeing pairs. */
  readonly replayFacts: string;
  /** One row per token lifecycle event of a session (docs/lifecycle.md). */
  readonly sessionFacts: string;
  /** One row per request that named its session. */
  readonly sessionUses: string;
  /** Requests given up unjudged (their events dead-lettered): gates count them as unknown. */
  readonly setAside: string;
}

export const TABLE_NAMES = {
  migrations: "schema_migrations",
  outcomes: "pair_outcomes",
  findings: "mismatch_details",
  counters: "outcome_counters",
  waivers: "waivers",
  gateEvaluations: "gate_evaluations",
  stageTransitions: "stage_transitions",
  latent: "latent_entitlements",
  replayFacts: "replay_facts",
  sessionFacts: "session_facts",
  sessionUses: "session_uses",
  setAside: "set_aside_pairs",
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
    waivers: `${database}.${TABLE_NAMES.waivers}`,
    gateEvaluations: `${database}.${TABLE_NAMES.gateEvaluations}`,
    stageTransitions: `${database}.${TABLE_NAMES.stageTransitions}`,
    latent: `${database}.${TABLE_NAMES.latent}`,
    replayFacts: `${database}.${TABLE_NAMES.replayFacts}`,
    sessionFacts: `${database}.${TABLE_NAMES.sessionFacts}`,
    sessionUses: `${database}.${TABLE_NAMES.sessionUses}`,
    setAside: `${database}.${TABLE_NAMES.setAside}`,
  };
}
