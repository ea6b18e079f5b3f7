import { isAbsolute, resolve } from "node:path";
import { CLICKHOUSE_ENV, clickHouseConnectionFromEnv, openClickHouseDriver } from "./clickhouse-driver.js";
import type { StoreDriver } from "./driver.js";
import { openEmbeddedDriver } from "./embedded-driver.js";
import { type MigrationReport, migrate } from "./migrate.js";
import { DATABASE_NAME, type StoreConfig } from "./store-config.js";
import { StoreError } from "./store-errors.js";
import { type StoreTables, storeTables } from "./store-tables.js";

/** An open, migrated store: the driver and the names of its tables. */
export interface Store {
  readonly driver: StoreDriver;
  readonly tables: StoreTables;
  readonly migration: MigrationReport;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** Folder the config file is in: a relative `path` is resolved against it. */
  baseDir: string;
  env?: NodeJS.ProcessEnv;
}

/** Opens the configured driver and applies pending migrations (the service does this at start). */
export async function openStore(config: StoreConfig, options: OpenStoreOptions): Promise<Store> {
  const { driver, database } = await openConfiguredDriver(config, options);
  return openStoreOn(driver, { database, retentionDays: config.retentionDays });
}

/** The driver the config asks for, and the database it names (CLICKHOUSE_DATABASE overrides it). */
export async function openConfiguredDriver(
  config: StoreConfig,
  options: OpenStoreOptions,
): Promise<{ driver: StoreDriver; database: string }> {
  if (config.driver === "embedded") {
    const path = isAbsolute(config.path) ? config.path : resolve(options.baseDir, config.path);
    return { driver: await openEmbeddedDriver(path), database: config.database };
  }
  const connection = clickHouseConnectionFromEnv(options.env);
  const database = connection.database ?? config.database;
  if (!DATABASE_NAME.test(database))
    throw new StoreError(
      `${CLICKHOUSE_ENV.database} must be a plain identifier (letters, digits, _), got ${JSON.stringify(database)}`,
    );
  return { driver: await openClickHouseDriver(connection), database };
}

/** Migrates and wraps an already open driver; closes it if migrating fails. */
export async function openStoreOn(
  driver: StoreDriver,
  options: { database: string; retentionDays: number },
): Promise<Store> {
  try {
    const migration = await migrate(driver, options);
    return { driver, tables: storeTables(options.database), migration, close: () => driver.close() };
  } catch (error) {
    await driver.close();
    throw error;
  }
}
