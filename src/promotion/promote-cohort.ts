import { randomUUID } from "node:crypto";
import {
  type Config,
  FIRST_TRANSITION,
  type GateEvaluation,
  INITIAL_STAGE,
  STAGE_TRANSITION_SCHEMA,
  STAGES,
  type Stage,
  type StageTransition,
} from "../contracts/index.js";
import { EntitlementDiffError, UsageError } from "../errors/errors.js";
import { insertStageTransition } from "../store/stage-transitions.js";
import type { DeployedVersions } from "./deployed-versions.js";
import { evaluateCohortGate, type GateStore } from "./evaluate-cohort-gate.js";
import { currentStages, followStageChain, type StageChain, stageChains } from "./stage-chain.js";
import { stageMove } from "./stage-move.js";

/** The cohort's stage changed between reading it and recording the promotion. Exit 75 (EX_TEMPFAIL). */
export class StageChangedError extends EntitlementDiffError {
  readonly exitCode = 75;
  override name = "StageChangedError";
}

/**
 * A transition in force, recorded by another run, could not be published again after ours: the
 * router may still hold ours. Exit 69, like a failed publish; over the API a 409, not a
 * retryable 503: the same request again would be a new move from where the cohort is now.
 */
export class RepublishError extends EntitlementDiffError {
  readonly exitCode = 69;
  override name = "RepublishError";
}

/** How often a run reads the chain back after publishing, while other moves keep landing. */
const MAX_REPUBLISH_ROUNDS = 5;
/** Reads of the chain until our own row shows (a store that is not yet consistent), and their pause. */
const READ_BACK_TRIES = 5;
const READ_BACK_PAUSE_MS = 200;

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
    if (!sameMove(now, latest))
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
  const before = await readBack(store, transition);
  // Not the tip: superseded, or a copy of a move that others have built on since (publishing it
  // now would put the router back behind what followed).
  if (!sameMove(before.current, transition)) return raceLost(before, transition);
  await publisher.publish(transition);
  const after = await publishInForceLast(store, publisher, transition);
  // Superseded only now (the racing move was recorded after our read-back): the router was sent
  // the move in force after ours, but this run did not move the cohort.
  if (lost(after, transition)) return raceLost(after, transition);
  return { kind: "moved", transition, gate };
}

async function chainOf(store: GateStore, cohort: string): Promise<StageChain> {
  return (await stageChains(store)).get(cohort) ?? followStageChain([]);
}

/** The cohort's chain once it shows our own row (read-your-writes is not a given on every store). */
async function readBack(store: GateStore, own: StageTransition): Promise<StageChain> {
  for (let attempt = 1; ; attempt++) {
    const chain = await chainOf(store, own.cohort);
    if (chain.recorded.some((t) => t.id === own.id)) return chain;
    if (attempt >= READ_BACK_TRIES)
      throw new StageChangedError(
        `${own.cohort}: transition ${own.id} was recorded but the store does not show it yet; nothing published: run status, then promote again if the cohort has not moved`,
      );
    await new Promise((r) => setTimeout(r, READ_BACK_PAUSE_MS));
  }
}

/** The same move: one transition, or copies of one (the same predecessor, direction and stage). */
function sameMove(a: StageTransition | null, b: StageTransition | null): boolean {
  if (a === null || b === null) return a === b;
  return a.id === b.id || (a.after === b.after && a.direction === b.direction && a.to === b.to);
}

function lost(chain: StageChain, own: StageTransition): boolean {
  return chain.superseded.some((t) => t.id === own.id);
}

/**
 * Ours lost a race. A rollback beaten by one to the same stage or lower asked for no more than
 * what happened: the cohort is at or below its target, which is success. Anything else exits 75.
 */
function raceLost(chain: StageChain, own: StageTransition): PromoteOutcome {
  const inForce = chain.current;
  const stage = inForce?.to ?? INITIAL_STAGE;
  if (own.direction === "rollback" && STAGES.indexOf(stage) <= STAGES.indexOf(own.to))
    return { kind: "unchanged", stage, republished: null };
  throw new StageChangedError(
    `${own.cohort} was moved by another transition at the same moment (${inForce?.id ?? "none"}, to ${stage}), which counts: this one (${own.id}) is recorded, and not in force`,
  );
}

/**
 * The router keeps the latest message of a cohort, so the move in force must be the last one
 * published: a move recorded by another run after ours and published before ours would be left
 * behind it. Reads the chain again after each publish until the stage last published is the one
 * in force (bounded: others may keep moving the cohort).
 */
async function publishInForceLast(
  store: GateStore,
  publisher: StagePublisher,
  own: StageTransition,
): Promise<StageChain> {
  let last = own;
  for (let round = 1; ; round++) {
    const chain = await chainOf(store, own.cohort);
    const inForce = chain.current;
    if (!inForce || inForce.to === last.to) return chain;
    if (round > MAX_REPUBLISH_ROUNDS)
      throw new StageChangedError(
        `${own.cohort} kept moving while this run published (now ${inForce.to}, transition ${inForce.id}): run status, and promote --to ${inForce.to} to publish the stage in force again`,
      );
    try {
      await publisher.publish(inForce);
    } catch (err) {
      throw new RepublishError(
        `${own.cohort} is in ${inForce.to} (transition ${inForce.id}, recorded by another run after this one's ${own.id}), and publishing it again failed: run promote --cohort ${own.cohort} --to ${inForce.to} to publish it`,
        { cause: err },
      );
    }
    last = inForce;
  }
}

/** Strictly after the cohort's latest transition, so "the current stage" is never a tie. */
function transitionTime(now: Date, latest: StageTransition | null): Date {
  const after = latest ? Date.parse(latest.at) + 1 : Number.NEGATIVE_INFINITY;
  return new Date(Math.max(now.getTime(), after));
}
