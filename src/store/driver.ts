/**
 * Values for `{name:Type}` placeholders. The engine binds them by the declared type, so values
 * never become SQL text. Timestamps travel as epoch milliseconds (`{since:Int64}` and
 * `fromUnixTimestamp64Milli`), which both drivers format identically.
 */
export type QueryParamValue = string | number | boolean | null | readonly string[];
export type QueryParams = Readonly<Record<string, QueryParamValue>>;

/**
 * The few operations the store needs, implemented once per transport with the same SQL:
 * `embedded` (chdb in-process) and `clickhouse` (@clickhouse/client over HTTP).
 * Every failure rejects with a StoreError.
 */
export interface StoreDriver {
  readonly kind: "embedded" | "clickhouse";
  /** Runs a statement that returns no rows (DDL, ALTER). */
  command(sql: string, params?: QueryParams): Promise<void>;
  /** Runs a SELECT and returns its rows as parsed JSONEachRow objects. */
  query<T>(sql: string, params?: QueryParams): Promise<T[]>;
  /** Inserts rows (column name -> value) into `table` (`database.table`) as JSONEachRow. */
  insert(table: string, rows: readonly object[]): Promise<void>;
  /** Inserts JSONEachRow text (one object per line, as `toJsonEachRow` writes it) into `table`. */
  insertJsonEachRow(table: string, body: string | Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/**
 * Settings sent with every insert. Partitions are days of event time; a batch that mixes events
 * from many days (a replay of old traffic) must not be refused forever, which the default limit
 * of 100 partitions per insert would do. Synchronous inserts: acknowledged means written.
 */
export const INSERT_SETTINGS = { throw_on_max_partitions_per_insert_block: 0, async_insert: 0 } as const;

const QUALIFIED_TABLE = /^[A-Za-z_][A-Za-z0-9_]{0,62}\.[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Table names are the only names put into SQL text; they come from code, never from input. */
export function assertQualifiedTable(table: string): string {
  if (!QUALIFIED_TABLE.test(table))
    throw new TypeError(`not a database.table identifier: ${JSON.stringify(table)}`);
  return table;
}

/** JSONEachRow: one JSON object per line. */
export function toJsonEachRow(rows: readonly object[]): string {
  let text = "";
  for (const row of rows) text += `${JSON.stringify(row)}\n`;
  return text;
}

/** Parses a JSONEachRow body; empty lines (the trailing newline) are skipped. */
export function parseJsonEachRow<T>(text: string): T[] {
  const rows: T[] = [];
  for (const line of text.split("\n")) if (line.length > 0) rows.push(JSON.parse(line) as T);
  return rows;
}
