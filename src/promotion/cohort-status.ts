import {
  type Config,
  type GateEvaluation,
  INITIAL_STAGE,
  type Stage,
  UNASSIGNED_COHORT,
} from "../contracts/index.js";
import { latestGateEvaluations } from "../store/gate-evaluations.js";
import type { DeployedVersions } from "./deployed-versions.js";
import { decideCohortGate, type GateStore } from "./evaluate-cohort-gate.js";
import { currentStages } from "./stage-chain.js";

/** Where a cohort stands: its stage, its gate right now, and the last recorded evaluation. */
export interface CohortStatus {
  cohort: string;
  stage: Stage;
  stageSince: string | null;
  /** Decided now on the configured window; not recorded (reading status is not a decision). */
  gate: GateEvaluation;
  lastRecorded: {
    id: string;
    status: GateEvaluation["status"];
    evaluatedAt: string;
    evaluatedBy: string;
  } | null;
}

/** Every configured cohort, in config order, then `unassigned`; or only the cohorts in `only`. */
export async function cohortStatuses(
  store: GateStore,
  config: Pick<Config, "gates" | "cohorts">,
  deployed: DeployedVersions,
  request: { evaluatedBy: string; now: Date },
  only?: readonly string[],
): Promise<CohortStatus[]> {
  const [stages, recorded] = await Promise.all([currentStages(store), latestGateEvaluations(store)]);
  const ids = only ?? [...config.cohorts.map((c) => c.id), UNASSIGNED_COHORT];
  return Promise.all(
    ids.map(async (cohort) => {
      const transition = stages.get(cohort);
      const last = recorded.get(cohort);
      return {
        cohort,
        stage: transition?.to ?? INITIAL_STAGE,
        stageSince: transition?.at ?? null,
        gate: await decideCohortGate(store, config, deployed, { cohort, ...request }),
        lastRecorded: last
          ? { id: last.id, status: last.status, evaluatedAt: last.evaluatedAt, evaluatedBy: last.evaluatedBy }
          : null,
      };
    }),
  );
}
