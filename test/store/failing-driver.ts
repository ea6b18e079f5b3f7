import type { StoreDriver } from "../../src/store/driver.js";
import { StoreError } from "../../src/store/store-errors.js";

export interface FailingDriver extends StoreDriver {
  /** Inserts refused so far. */
  readonly failures: number;
  /** Inserts that reached the real driver, by table. */
  passed(table: string): number;
}

/**
 * The real driver, except that the first `n` inserts (into tables matching `only`, when given)
 * fail as an unreachable server would.
 */
export function failFirstInserts(
  driver: StoreDriver,
  n: number,
  only?: (table: string) => boolean,
): FailingDriver {
  let failures = 0;
  const passed = new Map<string, number>();
  const refuseOrPass = (table: string) => {
    if (failures < n && (only?.(table) ?? true)) {
      failures++;
      throw new StoreError(`injected failure ${failures}/${n}: connect ECONNREFUSED`);
    }
    passed.set(table, (passed.get(table) ?? 0) + 1);
  };
  return {
    kind: driver.kind,
    get failures() {
      return failures;
    },
    passed: (table) => passed.get(table) ?? 0,
    command: (sql, params) => driver.command(sql, params),
    query: (sql, params) => driver.query(sql, params),
    async insert(table, rows) {
      refuseOrPass(table);
      await driver.insert(table, rows);
    },
    async insertJsonEachRow(table, body) {
      refuseOrPass(table);
      await driver.insertJsonEachRow(table, body);
    },
    close: () => driver.close(),
  };
}
