import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@clickhouse/client";
import { drainPending } from "chdb";
import { createChdbConnection } from "chdb/connection";
import {
  clickHouseConnectionFromEnv,
  clickHouseDriverOver,
  openClickHouseDriver,
} from "../../src/store/clickhouse-driver.js";
import type { StoreDriver } from "../../src/store/driver.js";
import { openEmbeddedDriver } from "../../src/store/embedded-driver.js";

/** A driver on an empty store of its own, and how to throw it away. */
export interface FreshDriver {
  driver: StoreDriver;
  database: string;
  /** The embedded data directory, when there is one. */
  dir?: string;
  dispose(): Promise<void>;
}

export type FreshDriverFactory = () => Promise<FreshDriver>;

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>["connection"]>;

/**
 * chdb binds one data directory per process, so each test opens its own directory only after the
 * previous test closed (and drained) its own; tests in a file run one after another.
 */
export const freshEmbedded: FreshDriverFactory = async () => {
  const dir = mkdtempSync(join(tmpdir(), "ed-store-"));
  const driver = await openEmbeddedDriver(dir);
  return {
    driver,
    database: "entitlement_diff",
    dir,
    async dispose() {
      await driver.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

/**
 * The clickhouse driver's code (query parameters, JSONEachRow inserts, result parsing by
 * @clickhouse/client) on the in-process engine through chdb's Connection for that client: no
 * HTTP, but every line of the driver except opening the HTTP connection runs.
 */
export const freshClientOverEmbedded: FreshDriverFactory = async () => {
  const dir = mkdtempSync(join(tmpdir(), "ed-store-client-"));
  // chdb types its Connection against @clickhouse/client-common, the client against its bundled copy
  // of the same declarations: identical at runtime, distinct to the compiler.
  const connection = createChdbConnection({ path: dir }) as unknown as ClientConnection;
  const driver = clickHouseDriverOver(createClient({ connection }));
  return {
    driver,
    database: "entitlement_diff",
    dir,
    async dispose() {
      await driver.close();
      await drainPending();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

/** A real ClickHouse server from CLICKHOUSE_URL; a database of its own per test, dropped afterwards. */
export const freshHttp: FreshDriverFactory = async () => {
  const driver = await openClickHouseDriver(clickHouseConnectionFromEnv());
  const database = `entitlement_diff_test_${randomBytes(6).toString("hex")}`;
  return {
    driver,
    database,
    async dispose() {
      await driver.command(`DROP DATABASE IF EXISTS ${database}`);
      await driver.close();
    },
  };
};
