import { groupBy } from "../collections/group-by.js";
import { FIRST_TRANSITION, STAGES, type StageTransition } from "../contracts/index.js";
import type { Store } from "../store/open-store.js";
import { allStageTransitions } from "../store/stage-transitions.js";

/** Where a cohort's recorded transitions lead: the one that counts, and the ones that lost a race. */
export interface StageChain {
  current: StageTransition | null;
  /** Every transition of the cohort, oldest first. */
  recorded: readonly StageTransition[];
  /**
   * Transitions that lost a race (or follow one that did), oldest first: recorded, never in force.
   * A copy of the move in force (the same move recorded twice at once) is not among them.
   */
  superseded: StageTransition[];
}

/**
 * Follows one cohort's transitions (oldest first) from its first: rows recorded before the
 * `after` field existed in time order, then at each step the transitions that follow the one in
 * force. When several do, they raced (each read the same stage and recorded a move from it): a
 * rollback wins over a promotion, the lower target over the higher. Moves of the same direction
 * to the same stage are one move (a promotion run twice at once): the earliest stands for them,
 * and what follows any of them follows it. So a late copy of a move that was built upon never
 * cuts off what was built on it, and a rollback is never undone by a promotion that landed later.
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
  let heads = [current?.id ?? FIRST_TRANSITION];
  for (;;) {
    const next = heads.flatMap((id) => following.get(id) ?? []).filter((t) => !inForce.has(t.id));
    if (next.length === 0) break; // nothing follows (a cycle ends here too: only a hand-edited table has one)
    const winner = next.reduce(raceWinner);
    const same = next.filter((t) => t.direction === winner.direction && t.to === winner.to);
    for (const t of same) inForce.add(t.id);
    current = same.reduce((a, b) => (order(a, b) <= 0 ? a : b));
    heads = same.map((t) => t.id);
  }
  return { current, recorded: transitions, superseded: rest.filter((t) => !inForce.has(t.id)) };
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
