import { describe, expect, it } from "vitest";
import { buildImpactReport } from "./impact-report.js";
import type { StoredFact } from "./replay-candidate.js";

const agreeing: StoredFact = {
  cohort: "nurses",
  kind: "match",
  action: "write",
  resourceType: "prescription",
  legacyAllow: false,
  legacyRuleId: "nurses-never-prescribe",
  newAllow: false,
  replayable: true,
  facts: { token: {}, action: "write", resource: { type: "prescription" }, context: {} },
};
const report = (facts: StoredFact[], allow: boolean, truncated = false) =>
  buildImpactReport({
    facts,
    candidate: { bundleSha256: "c".repeat(64), evaluate: () => ({ allow, reasons: ["x"] }) },
    candidateFile: "candidate.tar.gz",
    deployed: { policyBundleSha256: "a".repeat(64), legacyRulesSha256: "b".repeat(64) },
    since: new Date("2026-11-25T00:00:00Z"),
    until: new Date("2026-12-02T00:00:00Z"),
    matchedSampleRate: 0.01,
    truncated,
    now: new Date("2026-12-02T00:00:00Z"),
  });

describe("buildImpactReport", () => {
  it("passes a candidate that changes nothing, and fails one that introduces an over-permission", () => {
    expect(report([agreeing], false)).toMatchObject({ status: "pass", ok: true });
    expect(report([agreeing], true)).toMatchObject({
      status: "fail",
      ok: false,
      reasons: ["1 over-permission introduced"],
    });
  });

  it("never passes on no evidence or a cut read", () => {
    expect(report([], false)).toMatchObject({
      status: "insufficient_evidence",
      reasons: ["no replayable stored pair in the window"],
    });
    expect(report([{ ...agreeing, replayable: false }], false).status).toBe("insufficient_evidence");
    expect(report([agreeing], false, true)).toMatchObject({
      status: "insufficient_evidence",
      truncated: true,
    });
    // A cut read that already shows an over-permission fails: more pairs cannot undo it.
    expect(report([agreeing], true, true).status).toBe("fail");
  });
});
