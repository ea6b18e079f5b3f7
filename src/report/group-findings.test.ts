import { describe, expect, it } from "vitest";
import { groupFindings } from "./group-findings.js";
import { finding } from "./sample-report.fixture.js";

describe("groupFindings", () => {
  it("groups by kind × action × resource type × legacy rule × new reasons", () => {
    const groups = groupFindings([
      finding({ correlationId: "a", kind: "over_permission" }),
      finding({ correlationId: "b", kind: "over_permission", cohort: "nurses" }),
      finding({ correlationId: "c", kind: "over_permission", action: "write" }),
      finding({ correlationId: "d", kind: "over_permission", resourceType: "lab_result" }),
      finding({ correlationId: "e", kind: "over_permission", legacy: { allow: false, ruleId: "deny-vip" } }),
      finding({ correlationId: "f", kind: "over_permission", new: { allow: true, reasons: ["other"] } }),
      finding({ correlationId: "g", kind: "subject_mismatch" }),
    ]);
    expect(groups).toHaveLength(6);
    const first = groups[0];
    expect(first).toMatchObject({
      kind: "over_permission",
      severity: "critical",
      action: "read",
      resourceType: "patient_record",
      legacyRuleId: null,
      newReasons: ["clinician on care team"],
      count: 2,
      cohorts: ["clinicians", "nurses"],
      exampleCorrelationIds: ["a", "b"],
    });
    expect(first?.findings.map((f) => f.correlationId)).toEqual(["a", "b"]);
  });

  it("distinguishes reason lists that only join to the same text", () => {
    const groups = groupFindings([
      finding({ correlationId: "a", kind: "under_permission", new: { allow: false, reasons: ["a,b"] } }),
      finding({ correlationId: "b", kind: "under_permission", new: { allow: false, reasons: ["a", "b"] } }),
    ]);
    expect(groups).toHaveLength(2);
  });

  it("keeps up to three distinct example correlation ids, in report order", () => {
    const ids = ["x1", "x1", "x2", "x3", "x4"];
    const [group] = groupFindings(
      ids.map((id) => finding({ correlationId: id, kind: "observed_drift", side: "legacy" })),
    );
    expect(group?.count).toBe(5);
    expect(group?.exampleCorrelationIds).toEqual(["x1", "x2", "x3"]);
  });

  it("orders by severity, then count, then kind", () => {
    const groups = groupFindings([
      finding({ correlationId: "u1", kind: "unpaired" }),
      finding({ correlationId: "u2", kind: "unpaired" }),
      finding({ correlationId: "u3", kind: "unpaired" }),
      finding({ correlationId: "t1", kind: "token_invalid" }),
      finding({ correlationId: "s1", kind: "subject_mismatch" }),
      finding({ correlationId: "n1", kind: "under_permission" }),
      finding({ correlationId: "n2", kind: "under_permission" }),
      finding({ correlationId: "o1", kind: "over_permission" }),
    ]);
    expect(groups.map((g) => `${g.severity}:${g.kind}:${g.count}`)).toEqual([
      "critical:over_permission:1",
      "high:under_permission:2",
      "high:subject_mismatch:1",
      "high:token_invalid:1",
      "medium:unpaired:3",
    ]);
  });

  it("is empty for no findings", () => {
    expect(groupFindings([])).toEqual([]);
  });
});
