import { describe, expect, it } from "vitest";
import { fromClickHouseTime, toCount, windowParams } from "./evidence-window.js";

describe("evidence window", () => {
  it("binds times as epoch milliseconds and absent hashes as NULL", () => {
    expect(windowParams({ since: new Date(1_000), until: new Date(2_000), policyBundleSha256: "p" })).toEqual(
      {
        sinceMs: 1_000,
        untilMs: 2_000,
        policyBundleSha256: "p",
        legacyRulesSha256: null,
      },
    );
  });

  it("refuses an empty or invalid window", () => {
    expect(() => windowParams({ since: new Date(2_000), until: new Date(2_000) })).toThrow(/empty/);
    expect(() => windowParams({ since: new Date(Number.NaN), until: new Date(2_000) })).toThrow(/since/);
  });

  it("reads counts quoted (server) or not (embedded), and refuses anything else", () => {
    expect(toCount("12")).toBe(12);
    expect(toCount(12)).toBe(12);
    for (const bad of [-1, 1.5, "x", null, "9007199254740993"]) expect(() => toCount(bad)).toThrow(TypeError);
  });

  it("reads DateTime64 as UTC", () => {
    expect(fromClickHouseTime("2030-01-15 12:00:00.123").getTime()).toBe(
      Date.UTC(2030, 0, 15, 12, 0, 0, 123),
    );
  });
});
