import { groupBy } from "../collections/group-by.js";
import { FIRST_TRANSITION, STAGES, type StageTransition } from "../contracts/index.js";
import type { Store } from "../store/open-store.js";
import { allStageTransitions } from "../store/stage-transitions.js";

/** Where a cohort's recorded transitions lead: the one that counts, and the ones that lost a race. */
export interface StageChain {
  current: StageTransition | null;
  /** Transitions that lost a race (or follow one that did), oldest first: recorded, never in force. */
  superseded: StageTransition[];
}

/**
 * Follows one cohort's transitions (oldest first) from its first: rows recorded before the
 * `after` field existed in time order, then at each step the transitions that follow the current
 * one. When several do, they raced (each read the same current stage and recorded a move from
 * it): a rollback wins over a promotion, the lower target over the higher, then the earlier one.
 * Safety first: a rollback is never undone by a promotion that happened to land later.
 */
export function followStageChain(transitions: readonly StageTransition[]): StageChain {
  let current: StageTransition | null = null;
  const rest: StageTransition[] = [];
  for (const t of transitions) {
    if (t.after === null) current = t;
    else rest.push(t);
  }
  const following = groupBy(rest, (t) => t.after ?? FIRST_TRANSITION);
  const inForce = new Set<string>();
  for (;;) {
    const next = following.get(current?.id ?? FIRST_TRANSITION);
    if (!next || next.length === 0) break;
    const winner = next.reduce(raceWinner);
    if (inForce.has(winner.id)) break; // a cycle: only a hand-edited table has one
    current = winner;
    inForce.add(winner.id);
  }
  return { current, superseded: rest.filter((t) => !inForce.has(t.id)) };
}

function raceWinner(a: StageTransition, b: StageTransition): StageTransition {
  if (a.direction !== b.direction) return a.direction === "rollback" ? a : b;
  const rank = STAGES.indexOf(a.to) - STAGES.indexOf(b.to);
  if (rank !== 0) return rank < 0 ? a : b;
  return order(a, b) <= 0 ? a : b;
}

function order(a: StageTransition, b: StageTransition): number {
  return Date.parse(a.at) - Date.parse(b.at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Every cohort's chain, by cohort. */
export async function stageChains(store: Pick<Store, "driver" | "tables">): Promise<Map<string, StageChain>> {
  const byCohort = groupBy(await allStageTransitions(store), (t) => t.cohort);
  return new Map([...byCohort].map(([cohort, ts]) => [cohort, followStageChain(ts)]));
}

/** The transition in force of each cohort that has one: where the cohort stands now. */
export async function currentStages(
  store: Pick<Store, "driver" | "tables">,
): Promise<Map<string, StageTransition>> {
  const current = new Map<string, StageTransition>();
  for (const [cohort, chain] of await stageChains(store))
    if (chain.current) current.set(cohort, chain.current);
  return current;
}
