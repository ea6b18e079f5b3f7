import { STAGES, type Stage } from "../contracts/index.js";

/** What asking to move from one stage to another means. */
export type StageMove =
  | { kind: "stay" }
  | { kind: "promote" }
  | { kind: "rollback" }
  | { kind: "skip"; next: Stage };

/**
 * Promotions go one stage at a time (shadow -> canary -> live), each behind a passing gate;
 * rollbacks may go back any number of stages and need no gate: backing out must always work.
 */
export function stageMove(from: Stage, to: Stage): StageMove {
  const delta = STAGES.indexOf(to) - STAGES.indexOf(from);
  if (delta === 0) return { kind: "stay" };
  if (delta < 0) return { kind: "rollback" };
  if (delta === 1) return { kind: "promote" };
  return { kind: "skip", next: STAGES[STAGES.indexOf(from) + 1] as Stage };
}
