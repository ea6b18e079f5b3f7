import { mkdirSync } from "node:fs";
import { drainPending, Session } from "chdb";
import {
  assertQualifiedTable,
  INSERT_SETTINGS,
  parseJsonEachRow,
  type QueryParams,
  type StoreDriver,
  toJsonEachRow,
} from "./driver.js";
import { firstLine, StoreError } from "./store-errors.js";

/**
 * The ClickHouse engine in this process (chdb), on a data directory. Only the async chdb calls
 * are used: they run on the libuv pool, so the event loop stays free while the engine works
 * (measured in docs/store.md). chdb binds one data directory per process: opening a second
 * directory while one is open throws, and a directory held by another process is locked.
 */
export async function openEmbeddedDriver(path: string): Promise<StoreDriver> {
  let session: Session;
  try {
    mkdirSync(path, { recursive: true });
    session = new Session(path);
  } catch (error) {
    throw new StoreError(`embedded store: cannot open data directory ${path}: ${explainOpenFailure(error)}`, {
      cause: error,
    });
  }
  return new EmbeddedDriver(session, path);
}

class EmbeddedDriver implements StoreDriver {
  readonly kind = "embedded";
  private closed = false;

  constructor(
    private readonly session: Session,
    private readonly path: string,
  ) {}

  async command(sql: string, params?: QueryParams): Promise<void> {
    await this.run("command", sql, params);
  }

  async query<T>(sql: string, params?: QueryParams): Promise<T[]> {
    return parseJsonEachRow<T>(await this.run("query", sql, params));
  }

  async insert(table: string, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    await this.insertJsonEachRow(table, toJsonEachRow(rows));
  }

  async insertJsonEachRow(table: string, body: string | Uint8Array): Promise<void> {
    if (body.length === 0) return;
    this.assertOpen();
    try {
      await this.session.insert({
        table: assertQualifiedTable(table),
        values: body,
        format: "JSONEachRow",
        settings: INSERT_SETTINGS,
      });
    } catch (error) {
      throw new StoreError(`embedded store: insert into ${table} failed: ${firstLine(error)}`, {
        cause: error,
      });
    }
  }

  /** Waits until the engine has really let go of the directory, so another one can be opened. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.session.close();
    await drainPending();
  }

  private async run(operation: string, sql: string, params: QueryParams | undefined): Promise<string> {
    this.assertOpen();
    try {
      const opts = { format: "JSONEachRow" };
      const result = params
        ? await this.session.queryBindAsync(sql, params, opts)
        : await this.session.queryAsync(sql, opts);
      return result.text();
    } catch (error) {
      throw new StoreError(`embedded store: ${operation} failed: ${firstLine(error)}`, { cause: error });
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError(`embedded store at ${this.path} is closed`);
  }
}

/** The two ways opening fails in practice, said in words an operator can act on. */
function explainOpenFailure(error: unknown): string {
  const message = firstLine(error);
  if (/only one active data directory per process/i.test(message))
    return "this process already has another embedded store open (chdb allows one data directory per process)";
  // The engine prints the lock conflict on stderr only; the error itself just says it failed.
  if (/Failed to create connection/i.test(message))
    return `${message} (usually another process holds the directory, e.g. the running service: stop it or read through its API)`;
  return message;
}
