import { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from "@clickhouse/client";
import { assertQualifiedTable, INSERT_SETTINGS, type QueryParams, type StoreDriver } from "./driver.js";
import { firstLine, StoreError } from "./store-errors.js";

/** Where the ClickHouse server is and who we are; read from the environment, never the config file. */
export interface ClickHouseConnection {
  url: string;
  username?: string;
  password?: string;
  /** Overrides the config's `store.database`. */
  database?: string;
}

export const CLICKHOUSE_ENV = {
  url: "CLICKHOUSE_URL",
  username: "CLICKHOUSE_USER",
  password: "CLICKHOUSE_PASSWORD",
  database: "CLICKHOUSE_DATABASE",
} as const;

/** CLICKHOUSE_URL (required), CLICKHOUSE_USER, CLICKHOUSE_PASSWORD, CLICKHOUSE_DATABASE. */
export function clickHouseConnectionFromEnv(env: NodeJS.ProcessEnv = process.env): ClickHouseConnection {
  const url = env[CLICKHOUSE_ENV.url];
  if (!url)
    throw new StoreError(
      `the clickhouse store driver needs ${CLICKHOUSE_ENV.url} (e.g. http://localhost:8123)`,
    );
  const connection: ClickHouseConnection = { url };
  const username = env[CLICKHOUSE_ENV.username];
  const password = env[CLICKHOUSE_ENV.password];
  const database = env[CLICKHOUSE_ENV.database];
  if (username) connection.username = username;
  if (password) connection.password = password;
  if (database) connection.database = database;
  return connection;
}

/** Opens an HTTP client and checks the server answers, so a wrong URL fails at start, not at first write. */
export async function openClickHouseDriver(connection: ClickHouseConnection): Promise<StoreDriver> {
  // The database is not set on the client: the store creates it first and qualifies every table.
  const client = createClient({
    url: connection.url,
    ...(connection.username === undefined ? {} : { username: connection.username }),
    ...(connection.password === undefined ? {} : { password: connection.password }),
    application: "entitlement-diff",
    // Long enough for a gate query over a week of a busy cohort; a stuck insert is retried after it.
    request_timeout: 60_000,
    // Failures reach the caller as StoreErrors, logged once by the service's own logger.
    log: { level: ClickHouseLogLevel.OFF },
  });
  const driver = clickHouseDriverOver(client);
  try {
    await driver.query("SELECT 1 AS ok");
  } catch (error) {
    await client.close();
    throw new StoreError(
      `clickhouse store at ${redactUrl(connection.url)} is unreachable: ${firstLine(error)}`,
      {
        cause: error,
      },
    );
  }
  return driver;
}

/** The driver over any @clickhouse/client instance (the tests also plug chdb's connection into it). */
export function clickHouseDriverOver(client: ClickHouseClient): StoreDriver {
  return {
    kind: "clickhouse",
    async command(sql, params) {
      await wrap("command", () => client.command({ query: sql, ...queryParams(params) }));
    },
    async query<T>(sql: string, params?: QueryParams) {
      return wrap("query", async () => {
        const result = await client.query({ query: sql, format: "JSONEachRow", ...queryParams(params) });
        return result.json<T>();
      });
    },
    async insert(table, rows) {
      if (rows.length === 0) return;
      await wrap(`insert into ${table}`, () =>
        client.insert({
          table: assertQualifiedTable(table),
          values: [...rows],
          format: "JSONEachRow",
          clickhouse_settings: { ...INSERT_SETTINGS },
        }),
      );
    },
    async insertJsonEachRow(table, body) {
      if (body.length === 0) return;
      // client.insert takes JSON formats as objects only; exec sends text as it is.
      await wrap(`insert into ${table}`, async () => {
        const result = await client.exec({
          query: `INSERT INTO ${assertQualifiedTable(table)} FORMAT JSONEachRow`,
          values: Readable.from([body], { objectMode: false }),
          clickhouse_settings: { ...INSERT_SETTINGS },
        });
        result.stream.resume();
        await finished(result.stream);
      });
    },
    async close() {
      await client.close();
    },
  };
}

function queryParams(params: QueryParams | undefined): { query_params?: Record<string, unknown> } {
  return params ? { query_params: { ...params } } : {};
}

async function wrap<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new StoreError(`clickhouse store: ${operation} failed: ${firstLine(error)}`, { cause: error });
  }
}

/** Credentials may be written into the URL; they must not reach logs. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(invalid URL)";
  }
}
