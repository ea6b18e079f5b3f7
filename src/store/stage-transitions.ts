import { STAGE_TRANSITION_SCHEMA, type StageTransition, stageTransitionSchema } from "../contracts/index.js";
import { fromClickHouseTime } from "./evidence-window.js";
import type { Store } from "./open-store.js";
import { clickHouseTime } from "./outcome-rows.js";

type StoreTablesOf = Pick<Store, "driver" | "tables">;

interface TransitionRow {
  transition_id: string;
  cohort: string;
  after_transition_id: string | null;
  from_stage: string;
  to_stage: string;
  direction: string;
  at: string;
  by: string;
  gate_evaluation_id: string | null;
  gate_status: string | null;
  policy_bundle_sha256: string;
  legacy_rules_sha256: string;
}

export async function insertStageTransition(store: StoreTablesOf, t: StageTransition): Promise<void> {
  const row: TransitionRow = {
    transition_id: t.id,
    cohort: t.cohort,
    after_transition_id: t.after,
    from_stage: t.from,
    to_stage: t.to,
    direction: t.direction,
    at: clickHouseTime(Date.parse(t.at)),
    by: t.by,
    gate_evaluation_id: t.gateEvaluationId,
    gate_status: t.gateStatus,
    policy_bundle_sha256: t.policyBundleSha256,
    legacy_rules_sha256: t.legacyRulesSha256,
  };
  await store.driver.insert(store.tables.stageTransitions, [row]);
}

/** Every cohort's transitions, oldest first (by time, then id): the input of the stage chain. */
export async function allStageTransitions(store: StoreTablesOf): Promise<StageTransition[]> {
  const rows = await store.driver.query<TransitionRow>(
    `SELECT * FROM ${store.tables.stageTransitions} ORDER BY cohort, at, transition_id`,
  );
  return rows.map(toTransition);
}

/** One cohort's transitions, oldest first: its promotion history. */
export async function listStageTransitions(store: StoreTablesOf, cohort: string): Promise<StageTransition[]> {
  const rows = await store.driver.query<TransitionRow>(
    `SELECT * FROM ${store.tables.stageTransitions} WHERE cohort = {cohort:String} ORDER BY at, transition_id`,
    { cohort },
  );
  return rows.map(toTransition);
}

function toTransition(r: TransitionRow): StageTransition {
  return stageTransitionSchema.parse({
    schema: STAGE_TRANSITION_SCHEMA,
    id: r.transition_id,
    cohort: r.cohort,
    after: r.after_transition_id,
    from: r.from_stage,
    to: r.to_stage,
    direction: r.direction,
    at: fromClickHouseTime(r.at).toISOString(),
    by: r.by,
    gateEvaluationId: r.gate_evaluation_id,
    gateStatus: r.gate_status,
    policyBundleSha256: r.policy_bundle_sha256,
    legacyRulesSha256: r.legacy_rules_sha256,
  });
}
