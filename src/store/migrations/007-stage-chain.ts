import type { Migration } from "./migration.js";

/**
 * Each stage transition names the transition it follows (docs/gates.md): two moves recorded from
 * the same stage at once (a promotion racing a rollback) are then seen as a fork, and one rule
 * picks the winner for every reader. Null on the rows recorded before: they follow in time order.
 */
export const stageChainMigration: Migration = {
  version: 7,
  name: "stage-chain",
  statements: ({ tables: t }) => [
    `ALTER TABLE ${t.stageTransitions} ADD COLUMN IF NOT EXISTS after_transition_id Nullable(String) AFTER cohort`,
  ],
};
