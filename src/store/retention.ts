import type { StoreDriver } from "./driver.js";
import type { StoreTables } from "./store-tables.js";

/** Tables that expire with the retention setting, and the time column their TTL is on. */
function retainedTables(tables: StoreTables): Array<{ table: string; timeColumn: string }> {
  return [
    { table: tables.outcomes, timeColumn: "event_time" },
    { table: tables.findings, timeColumn: "observed_at" },
    { table: tables.latent, timeColumn: "seen_at" },
    { table: tables.replayFacts, timeColumn: "event_time" },
    { table: tables.setAside, timeColumn: "event_time" },
  ];
}

const TTL_DAYS = /TTL toDateTime\(\w+\) \+ toIntervalDay\((\d+)\)/;

/**
 * Retention is configuration, not schema: tables are created with the configured TTL, and when
 * the setting changes later this makes the TTL follow. Returns the tables it changed.
 */
export async function reconcileRetention(
  driver: StoreDriver,
  tables: StoreTables,
  days: number,
): Promise<string[]> {
  const changed: string[] = [];
  for (const { table, timeColumn } of retainedTables(tables)) {
    const current = await ttlClause(driver, table);
    // A table an older schema (or a test's own migrations) does not have yet has nothing to follow.
    if (current === undefined || current === days) continue;
    await driver.command(
      `ALTER TABLE ${table} MODIFY TTL toDateTime(${timeColumn}) + toIntervalDay(${days})`,
    );
    changed.push(table);
  }
  return changed;
}

/** The retention in days a table's TTL clause currently sets, or null without one. */
export async function ttlDays(driver: StoreDriver, table: string): Promise<number | null> {
  return (await ttlClause(driver, table)) ?? null;
}

/** As ttlDays; undefined when the table does not exist. */
async function ttlClause(driver: StoreDriver, table: string): Promise<number | null | undefined> {
  const [database, name] = table.split(".");
  const rows = await driver.query<{ engine_full: string }>(
    "SELECT engine_full FROM system.tables WHERE database = {database:String} AND name = {name:String}",
    { database: database ?? "", name: name ?? "" },
  );
  if (rows[0] === undefined) return undefined;
  const match = TTL_DAYS.exec(rows[0].engine_full);
  return match?.[1] ? Number(match[1]) : null;
}
