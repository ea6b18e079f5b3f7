import type { Migration } from "./migration.js";

/** The root cause of a decision mismatch (policy_logic, claim_mapping, both); null for other findings. */
export const rootCauseMigration: Migration = {
  version: 3,
  name: "root-cause",
  statements: ({ tables: t }) => [
    `ALTER TABLE ${t.findings} ADD COLUMN IF NOT EXISTS cause LowCardinality(Nullable(String)) AFTER new_reasons`,
  ],
};
