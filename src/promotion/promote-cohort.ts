import { randomUUID } from "node:crypto";
import {
  type Config,
  FIRST_TRANSITION,
  type GateEvaluation,
  INITIAL_STAGE,
  STAGE_TRANSITION_SCHEMA,
  type Stage,
  type StageTransition,
} from "../contracts/index.js";
import { EntitlementDiffError, UsageError } from "../errors/errors.js";
import { insertStageTransition } from "../store/stage-transitions.js";
import type { DeployedVersions } from "./deployed-versions.js";
import { evaluateCohortGate, type GateStore } from "./evaluate-cohort-gate.js";
import { currentStages } from "./stage-chain.js";
import { stageMove } from "./stage-move.js";

/** The cohort's stage changed between reading it and recording the promotion. Exit 75 (EX_TEMPFAIL). */
export class StageChangedError extends EntitlementDiffError {
  readonly exitCode = 75;
  override name = "StageChangedError";
}

/** Hands a recorded transition to the traffic router (a Kafka topic in production). */
export interface StagePublisher {
  publish(transition: StageTransition): Promise<void>;
}

export interface PromoteRequest {
  cohort: string;
  to: Stage;
  by: string;
  now: Date;
}

export type PromoteOutcome =
  /** Recorded and published. */
  | { kind: "moved"; transition: StageTransition; gate: GateEvaluation | null }
  /** The gate did not pass at this moment: nothing recorded but the gate evaluation. */
  | { kind: "refused"; from: Stage; gate: GateEvaluation }
  /** Already there: the latest transition (if any) was published again for the router. */
  | { kind: "unchanged"; stage: Stage; republished: StageTransition | null };

/**
 * Moves a cohort between stages. A promotion evaluates (and records) the gate first and moves only
 * on `pass`; a rollback always moves. The transition is stored before it is published, so the
 * audit trail never lacks a move the router saw; a failed publish leaves it recorded and the
 * caller says to run promote again, which republishes the current stage.
 */
export async function promoteCohort(
  store: GateStore,
  config: Pick<Config, "gates">,
  deployed: DeployedVersions,
  publisher: StagePublisher,
  request: PromoteRequest,
): Promise<PromoteOutcome> {
  const latest = (await currentStages(store)).get(request.cohort) ?? null;
  const from = latest?.to ?? INITIAL_STAGE;
  const move = stageMove(from, request.to);
  if (move.kind === "skip")
    throw new UsageError(
      `${request.cohort} is in ${from}: promote one stage at a time (next: ${move.next}), each behind its gate`,
    );
  if (move.kind === "stay") {
    if (latest) await publisher.publish(latest);
    return { kind: "unchanged", stage: from, republished: latest };
  }
  let gate: GateEvaluation | null = null;
  if (move.kind === "promote") {
    gate = await evaluateCohortGate(store, config, deployed, {
      cohort: request.cohort,
      evaluatedBy: request.by,
      now: request.now,
    });
    if (gate.status !== "pass") return { kind: "refused", from, gate };
    // The gate took a while: a rollback (or another promotion) meanwhile wins over this one.
    const now = (await currentStages(store)).get(request.cohort) ?? null;
    if ((now?.id ?? null) !== (latest?.id ?? null))
      throw new StageChangedError(
        `${request.cohort} moved while its gate was decided (now in ${now?.to ?? INITIAL_STAGE}, transition ${now?.id ?? "none"}): nothing recorded; promote again if it still should move`,
      );
  }
  const transition: StageTransition = {
    schema: STAGE_TRANSITION_SCHEMA,
    id: randomUUID(),
    cohort: request.cohort,
    after: latest?.id ?? FIRST_TRANSITION,
    from,
    to: request.to,
    direction: move.kind,
    at: transitionTime(new Date(Math.max(request.now.getTime(), Date.now())), latest).toISOString(),
    by: request.by,
    gateEvaluationId: gate?.id ?? null,
    gateStatus: gate?.status ?? null,
    ...deployed,
  };
  await insertStageTransition(store, transition);
  // Another move from the same stage may have been recorded between the check and the insert:
  // the stage chain decides which one counts, the same way for every reader.
  const inForce = await currentOf(store, request.cohort);
  if (inForce?.id !== transition.id)
    throw new StageChangedError(
      `${request.cohort} was moved by another transition at the same moment (${inForce?.id ?? "none"}, to ${inForce?.to ?? INITIAL_STAGE}), which counts: this one (${transition.id}) is recorded as superseded and not published`,
    );
  await publisher.publish(transition);
  // A racing move recorded after our check but published before us must not be left behind our
  // message: the router keeps the latest one, so the one in force is published last.
  const after = await currentOf(store, request.cohort);
  if (after && after.id !== transition.id) await publisher.publish(after);
  return { kind: "moved", transition, gate };
}

async function currentOf(store: GateStore, cohort: string): Promise<StageTransition | null> {
  return (await currentStages(store)).get(cohort) ?? null;
}

/** Strictly after the cohort's latest transition, so "the current stage" is never a tie. */
function transitionTime(now: Date, latest: StageTransition | null): Date {
  const after = latest ? Date.parse(latest.at) + 1 : Number.NEGATIVE_INFINITY;
  return new Date(Math.max(now.getTime(), after));
}
