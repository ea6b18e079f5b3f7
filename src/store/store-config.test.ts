import { describe, expect, it } from "vitest";
import { storeConfigSchema } from "./store-config.js";

describe("storeConfigSchema", () => {
  it("defaults to the embedded store with 30 days of retention", () => {
    expect(storeConfigSchema.parse({})).toEqual({
      driver: "embedded",
      path: ".entitlement-diff/chdb",
      database: "entitlement_diff",
      retentionDays: 30,
      pseudonymKeyEnv: "ENTITLEMENT_DIFF_PSEUDONYM_KEY",
      batch: { maxRows: 5_000, maxDelayMs: 500 },
    });
  });

  it("refuses a database name that is not a plain identifier, and unknown keys", () => {
    for (const database of ["x; DROP DATABASE y", "1db", "a.b", "`q`", ""]) {
      expect(storeConfigSchema.safeParse({ database }).success).toBe(false);
    }
    expect(storeConfigSchema.safeParse({ retentionDays: 0 }).success).toBe(false);
    expect(storeConfigSchema.safeParse({ pseudonymKeyEnv: "lower" }).success).toBe(false);
    expect(storeConfigSchema.safeParse({ url: "http://x" }).success).toBe(false);
  });
});
