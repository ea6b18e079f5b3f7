import type { StoreTables } from "../store-tables.js";

/** What a migration's DDL may depend on: validated identifiers and integers only, never input values. */
export interface MigrationContext {
  tables: StoreTables;
  /** Whole days, validated by the store config (1..3650). */
  retentionDays: number;
}

/**
 * One schema version. Every statement must be idempotent (`IF NOT EXISTS`, `ADD COLUMN IF NOT
 * EXISTS`, ...): a migration interrupted half-way is simply run again from its first statement.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  statements(ctx: MigrationContext): string[];
}
