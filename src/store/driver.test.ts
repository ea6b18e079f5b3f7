import { describe, expect, it } from "vitest";
import { assertQualifiedTable, parseJsonEachRow, toJsonEachRow } from "./driver.js";

describe("driver helpers", () => {
  it("accepts only database.table identifiers as table names", () => {
    expect(assertQualifiedTable("entitlement_diff.pair_outcomes")).toBe("entitlement_diff.pair_outcomes");
    for (const bad of ["pair_outcomes", "a.b.c", "a.b; DROP TABLE c", "a.`b`", "a .b"]) {
      expect(() => assertQualifiedTable(bad)).toThrow(TypeError);
    }
  });

  it("round-trips rows through JSONEachRow, newlines inside values included", () => {
    const rows = [
      { a: "line\nbreak", b: [1, 2] },
      { a: "'); DROP TABLE x; --", b: [] },
    ];
    expect(parseJsonEachRow(toJsonEachRow(rows))).toEqual(rows);
  });
});
