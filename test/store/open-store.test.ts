import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open-store.js";
import { storeConfigSchema } from "../../src/store/store-config.js";
import { StoreError } from "../../src/store/store-errors.js";

describe("openStore", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("opens the embedded store at a path relative to the config file and migrates it", async () => {
    const baseDir = mkdtempSync(join(tmpdir(), "ed-open-"));
    dirs.push(baseDir);
    const store = await openStore(storeConfigSchema.parse({ path: "data/chdb", database: "ed_open" }), {
      baseDir,
    });
    try {
      expect(existsSync(join(baseDir, "data/chdb"))).toBe(true);
      expect(store.tables.outcomes).toBe("ed_open.pair_outcomes");
      expect(store.migration.applied).toEqual([
        "001-initial",
        "002-promotion",
        "003-root-cause",
        "004-latent-entitlements",
        "005-replay-facts",
        "006-session-lifecycle",
        "007-stage-chain",
        "008-set-aside-pairs",
      ]);
    } finally {
      await store.close();
    }
    const again = await openStore(storeConfigSchema.parse({ path: "data/chdb", database: "ed_open" }), {
      baseDir,
    });
    expect(again.migration.applied).toEqual([]);
    await again.close();
  });

  it("needs CLICKHOUSE_URL for the clickhouse driver, and a plain CLICKHOUSE_DATABASE", async () => {
    const config = storeConfigSchema.parse({ driver: "clickhouse" });
    await expect(openStore(config, { baseDir: ".", env: {} })).rejects.toThrow(/needs CLICKHOUSE_URL/);
    await expect(
      openStore(config, {
        baseDir: ".",
        env: { CLICKHOUSE_URL: "http://127.0.0.1:1", CLICKHOUSE_DATABASE: "x;y" },
      }),
    ).rejects.toThrow(/CLICKHOUSE_DATABASE must be a plain identifier/);
  });

  it("fails with a StoreError (exit 69) when the server does not answer", async () => {
    const config = storeConfigSchema.parse({ driver: "clickhouse" });
    const failure = await openStore(config, {
      baseDir: ".",
      env: { CLICKHOUSE_URL: "http://user:secret@127.0.0.1:9", CLICKHOUSE_USER: "u" },
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StoreError);
    expect((failure as StoreError).exitCode).toBe(69);
    expect(String(failure)).toMatch(/unreachable/);
    expect(String(failure)).not.toContain("secret");
  });
});
