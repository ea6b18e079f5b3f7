import type { StoreDriver } from "./driver.js";
import { MIGRATIONS } from "./migrations/all-migrations.js";
import type { Migration, MigrationContext } from "./migrations/migration.js";
import { reconcileRetention } from "./retention.js";
import { StoreSchemaError } from "./store-errors.js";
import { type StoreTables, storeTables, TABLE_NAMES } from "./store-tables.js";

export interface MigrateOptions {
  database: string;
  retentionDays: number;
  /** For tests of the runner itself; the store always uses MIGRATIONS. */
  migrations?: readonly Migration[];
}

export interface MigrationReport {
  database: string;
  /** Versions applied by this call, e.g. ["001-initial"]; empty when the schema was current. */
  applied: string[];
  /** Schema version after this call. */
  version: number;
  /** Tables whose TTL was changed to the configured retention. */
  retentionChanged: string[];
}

/**
 * Brings the store's schema to this build's version. Safe to run again and again, and from
 * several processes at once: every statement is idempotent, and a version is recorded only
 * after all its statements succeeded, so an interrupted run resumes where it stopped.
 */
export async function migrate(driver: StoreDriver, options: MigrateOptions): Promise<MigrationReport> {
  const migrations = checkedList(options.migrations ?? MIGRATIONS);
  const tables = storeTables(options.database);
  const ctx: MigrationContext = { tables, retentionDays: checkedRetention(options.retentionDays) };

  await driver.command(`CREATE DATABASE IF NOT EXISTS ${tables.database}`);
  await driver.command(
    `CREATE TABLE IF NOT EXISTS ${tables.migrations}
(
  version UInt32,
  name String,
  applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(applied_at)
ORDER BY version`,
  );
  const applied = await appliedVersions(driver, tables);
  assertKnown(applied, migrations);

  const report: MigrationReport = {
    database: tables.database,
    applied: [],
    version: 0,
    retentionChanged: [],
  };
  for (const migration of migrations) {
    if (!applied.has(migration.version)) {
      for (const statement of migration.statements(ctx)) await driver.command(statement);
      await driver.insert(tables.migrations, [{ version: migration.version, name: migration.name }]);
      report.applied.push(label(migration));
    }
    report.version = migration.version;
  }
  report.retentionChanged = await reconcileRetention(driver, tables, ctx.retentionDays);
  return report;
}

/** The schema version recorded in the store (0 when none), without changing anything. */
export async function schemaVersion(driver: StoreDriver, database: string): Promise<number> {
  const tables = storeTables(database);
  const exists = await driver.query<{ n: number | string }>(
    "SELECT count() AS n FROM system.tables WHERE database = {database:String} AND name = {name:String}",
    { database: tables.database, name: TABLE_NAMES.migrations },
  );
  if (Number(exists[0]?.n ?? 0) === 0) return 0;
  const versions = [...(await appliedVersions(driver, tables)).keys()];
  return versions.length === 0 ? 0 : Math.max(...versions);
}

async function appliedVersions(driver: StoreDriver, tables: StoreTables): Promise<Map<number, string>> {
  const rows = await driver.query<{ version: number | string; name: string }>(
    `SELECT version, argMax(name, applied_at) AS name FROM ${tables.migrations} GROUP BY version ORDER BY version`,
  );
  return new Map(rows.map((r) => [Number(r.version), r.name]));
}

/** A store migrated by a newer build, or by a build whose migration history differs, is not ours to touch. */
function assertKnown(applied: ReadonlyMap<number, string>, migrations: readonly Migration[]): void {
  const known = new Map(migrations.map((m) => [m.version, m]));
  for (const [version, name] of applied) {
    const migration = known.get(version);
    if (!migration)
      throw new StoreSchemaError(
        `the store has schema version ${version} (${name}), which this build does not know (latest ${Math.max(0, ...known.keys())}): upgrade entitlement-diff`,
      );
    if (migration.name !== name)
      throw new StoreSchemaError(
        `the store's schema version ${version} is "${name}" but this build calls it "${migration.name}": the migration history was rewritten`,
      );
  }
}

function checkedList(migrations: readonly Migration[]): readonly Migration[] {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new TypeError(`migration ${label(m)} must have version ${i + 1}`);
  });
  return migrations;
}

function checkedRetention(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > 3_650)
    throw new RangeError(`retentionDays must be a whole number of days in 1..3650, got ${days}`);
  return days;
}

function label(m: Migration): string {
  return `${String(m.version).padStart(3, "0")}-${m.name}`;
}
