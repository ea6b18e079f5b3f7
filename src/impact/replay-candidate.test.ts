import { describe, expect, it } from "vitest";
import type { PolicyInput } from "../policy/evaluator.js";
import { replayCandidate, type StoredFact } from "./replay-candidate.js";

const fact = (over: Partial<StoredFact>): StoredFact => ({
  cohort: "billing",
  kind: "match",
  action: "read",
  resourceType: "billing_record",
  legacyAllow: true,
  legacyRuleId: "billing-read",
  newAllow: true,
  replayable: true,
  facts: { token: { roles: ["finance"] }, action: "read", resource: { type: "billing_record" }, context: {} },
  ...over,
});
const note = (over: Partial<StoredFact> = {}) =>
  fact({
    kind: "over_permission",
    legacyAllow: false,
    legacyRuleId: null,
    resourceType: "clinical_note",
    facts: {
      token: { roles: ["finance"] },
      action: "read",
      resource: { type: "clinical_note" },
      context: {},
    },
    ...over,
  });

/** A candidate that no longer lets finance read notes, and (optionally) lets it export records. */
const candidate = (exportsToo = false) => ({
  evaluate: (i: PolicyInput) => {
    const type = i.resource.type;
    if (type === "billing_record")
      return { allow: i.action === "read" || exportsToo, reasons: ["finance.billing"] };
    return { allow: false, reasons: ["deny.default"] };
  },
});

describe("replayCandidate", () => {
  it("counts the mismatches the candidate fixes, and the agreeing pairs it breaks, per cohort", () => {
    const facts = [
      note(),
      note(),
      fact({}),
      fact({
        action: "export",
        legacyAllow: false,
        newAllow: false,
        facts: { ...fact({}).facts, action: "export" },
      }),
      note({ replayable: false }),
    ];
    expect(replayCandidate(facts, candidate()).cohorts).toEqual([
      {
        cohort: "billing",
        mismatches: 2,
        fixed: 2,
        matchedSample: 2,
        introducedOverPermission: 0,
        introducedUnderPermission: 0,
        notReplayable: 1,
        candidateErrors: 0,
      },
    ]);
    const breaking = replayCandidate(facts, candidate(true));
    expect(breaking.cohorts[0]?.introducedOverPermission).toBe(1);
    expect(breaking.changes.map((c) => [c.change, c.action, c.resourceType, c.pairs])).toEqual([
      ["introduced_over_permission", "export", "billing_record", 1],
      ["fixed", "read", "clinical_note", 2],
    ]);
  });

  it("counts a stored pair the candidate fails on, instead of stopping or skipping it", () => {
    const throwing = {
      evaluate: (i: PolicyInput) => {
        if (i.resource.type === "clinical_note") throw new Error("wasm: out of memory");
        return { allow: true, reasons: [] };
      },
    };
    const [billing] = replayCandidate([note(), fact({})], throwing).cohorts;
    expect(billing).toMatchObject({ candidateErrors: 1, mismatches: 0, matchedSample: 1 });
  });
});
