import { describe, expect, it } from "vitest";
import { checkCoverage } from "./coverage-check.js";

describe("checkCoverage", () => {
  const observed = [
    { action: "read", resourceType: "chart", legacyRuleId: "care-team", pairs: 7 },
    { action: "read", resourceType: "chart", legacyRuleId: null, pairs: 2 },
    { action: "export", resourceType: "chart", legacyRuleId: "partner-export", pairs: 1 },
  ];

  it("sums every rule when the requirement names none, and only that rule when it does", () => {
    const results = checkCoverage(
      [
        { action: "read", resourceType: "chart", minPairs: 9 },
        { action: "read", resourceType: "chart", legacyRuleId: "care-team", minPairs: 8 },
        { action: "export", resourceType: "chart", minPairs: 1 },
        { action: "write", resourceType: "chart", minPairs: 1 },
      ],
      observed,
    );
    expect(results.map((r) => [r.observed, r.ok])).toEqual([
      [9, true],
      [7, false],
      [1, true],
      [0, false],
    ]);
  });
});
