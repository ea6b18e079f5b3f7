import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FINDING_KINDS, MISMATCH_KINDS, SEVERITY_OF } from "../contracts/index.js";
import type { VerificationResult } from "../identity/verification-result.js";
import { classifyPair, isMismatch, type PairEvaluation } from "./classify.js";

const valid: VerificationResult = { ok: true, claims: { sub: "u-1" } };
const base: PairEvaluation = {
  correlationId: "c-1",
  cohort: "patients",
  action: "read",
  resourceType: "patient_record",
  observedAt: "2026-11-01T10:00:00Z",
  verification: { legacy: valid, new: valid },
  continuity: { same: true },
  legacy: { allow: true, ruleId: "patient-own-record" },
  new: { allow: true, reasons: ["patient.own_record"] },
  observed: { legacy: undefined, new: undefined },
};
const kinds = (e: Partial<PairEvaluation>) =>
  classifyPair({ ...base, ...e }).map((f) => `${f.kind}:${f.side}`);

describe("classifyPair", () => {
  it("finds nothing when both models agree and nothing was observed otherwise", () => {
    expect(kinds({})).toEqual([]);
  });

  it("reports over- and under-permission from the two modelled decisions", () => {
    expect(kinds({ legacy: { allow: false, ruleId: null } })).toEqual(["over_permission:null"]);
    expect(kinds({ new: { allow: false, reasons: [] } })).toEqual(["under_permission:null"]);
  });

  it("stops at invalid tokens: one finding per invalid side, no comparison", () => {
    const bad: VerificationResult = { ok: false, reason: "wrong_audience", detail: "unexpected aud" };
    const f = classifyPair({ ...base, verification: { legacy: valid, new: bad }, legacy: null, new: null });
    expect(f.map((x) => [x.kind, x.side, x.severity])).toEqual([["token_invalid", "new", "high"]]);
    expect(f[0]?.detail).toContain("wrong_audience");
    expect(kinds({ verification: { legacy: bad, new: bad }, legacy: null, new: null })).toEqual([
      "token_invalid:legacy",
      "token_invalid:new",
    ]);
  });

  it("reports subject mismatch alongside decision differences", () => {
    expect(kinds({ continuity: { same: false, detail: "x" }, new: { allow: false, reasons: [] } })).toEqual([
      "subject_mismatch:null",
      "under_permission:null",
    ]);
  });

  it("reports observed drift per side when a live decision differs from its model", () => {
    expect(kinds({ observed: { legacy: false, new: true } })).toEqual(["observed_drift:legacy"]);
    expect(kinds({ observed: { legacy: true, new: false } })).toEqual(["observed_drift:new"]);
  });

  it("reports a request the new policy could not decide, a mismatch, with the legacy side still checked", () => {
    const f = classifyPair({
      ...base,
      new: null,
      policyError: "policy authz/decision failed: var assignment conflict",
      continuity: { same: false, detail: "subjects differ" },
      observed: { legacy: false, new: true },
    });
    expect(f.map((x) => `${x.kind}:${x.side}`)).toEqual([
      "subject_mismatch:null",
      "policy_error:new",
      "observed_drift:legacy",
    ]);
    expect(f[1]).toMatchObject({ severity: "high", new: { allow: null, reasons: [] } });
    expect(f[1]?.detail).toBe(
      "the new policy could not decide this request: policy authz/decision failed: var assignment conflict",
    );
    expect(isMismatch(f.filter((x) => x.kind === "policy_error"))).toBe(true);
  });

  it("agrees with the definition of every kind on arbitrary evaluations (property)", () => {
    const verification = fc.oneof(
      fc.constant<VerificationResult>(valid),
      fc.constant<VerificationResult>({ ok: false, reason: "expired", detail: "d" }),
    );
    const arb = fc.record({
      lv: verification,
      nv: verification,
      same: fc.boolean(),
      la: fc.boolean(),
      na: fc.boolean(),
      ol: fc.option(fc.boolean(), { nil: undefined }),
      on: fc.option(fc.boolean(), { nil: undefined }),
    });
    fc.assert(
      fc.property(arb, ({ lv, nv, same, la, na, ol, on }) => {
        const bothValid = lv.ok && nv.ok;
        const findings = classifyPair({
          ...base,
          verification: { legacy: lv, new: nv },
          continuity: same ? { same: true } : { same: false, detail: "d" },
          legacy: bothValid ? { allow: la, ruleId: null } : null,
          new: bothValid ? { allow: na, reasons: [] } : null,
          observed: { legacy: ol, new: on },
        });
        const has = (k: string) => findings.some((f) => f.kind === k);
        expect(has("token_invalid")).toBe(!bothValid);
        if (!bothValid) expect(findings.every((f) => f.kind === "token_invalid")).toBe(true);
        else {
          expect(has("over_permission")).toBe(na && !la);
          expect(has("under_permission")).toBe(la && !na);
          expect(has("subject_mismatch")).toBe(!same);
          expect(findings.filter((f) => f.kind === "observed_drift").length).toBe(
            Number(ol !== undefined && ol !== la) + Number(on !== undefined && on !== na),
          );
        }
        for (const f of findings) expect(f.severity).toBe(SEVERITY_OF[f.kind]);
        expect(isMismatch(findings)).toBe(findings.some((f) => MISMATCH_KINDS.has(f.kind)));
      }),
      { seed: 7, numRuns: 500 },
    );
  });

  it("gives every kind its documented severity", () => {
    expect(FINDING_KINDS.map((k) => [k, SEVERITY_OF[k]])).toEqual([
      ["over_permission", "critical"],
      ["under_permission", "high"],
      ["subject_mismatch", "high"],
      ["token_invalid", "high"],
      ["policy_error", "high"],
      ["unpaired", "medium"],
      ["observed_drift", "medium"],
      ["lifetime_drift", "medium"],
      ["session_drift", "high"],
      ["claim_drift", "high"],
    ]);
  });
});
