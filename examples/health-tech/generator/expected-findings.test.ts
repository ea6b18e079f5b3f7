import { describe, expect, it } from "vitest";
import { expectedPairFindings, expectedUnpairedFinding } from "./expected-findings.js";
import type { Principal } from "./principal.js";
import type { PlannedRequest } from "./scenarios.js";

const principal = (drift: Partial<Principal["drift"]> = {}): Principal =>
  ({
    cohort: "patients",
    drift: {
      jitMigrated: false,
      proxyNotMigrated: false,
      tenantClaimMissing: false,
      wrongAudience: false,
      ...drift,
    },
  }) as Principal;

const planned = (
  legacyAllow: boolean,
  newAllow: boolean,
  drift?: PlannedRequest["drift"],
): PlannedRequest => ({
  scenario: "test",
  action: "read",
  resource: { type: "patient_record" },
  context: undefined,
  legacyAllow,
  newAllow,
  drift,
});

const kinds = (findings: ReturnType<typeof expectedPairFindings>) =>
  findings.map((f) => `${f.kind}:${f.side}`);
const agreed = { legacy: true, new: true };

describe("expectedPairFindings", () => {
  it("expects nothing when the models agree and the live systems match them", () => {
    expect(expectedPairFindings(principal(), planned(true, true), agreed, "c1")).toEqual([]);
    expect(
      expectedPairFindings(principal(), planned(false, false), { legacy: undefined, new: false }, "c1"),
    ).toEqual([]);
  });

  it("expects only token_invalid (new) for a wrong audience, whatever else differs", () => {
    const findings = expectedPairFindings(
      principal({ wrongAudience: true }),
      planned(true, true),
      { legacy: true, new: false },
      "c1",
    );
    expect(findings).toEqual([
      {
        correlationId: "c1",
        kind: "token_invalid",
        side: "new",
        cohort: "patients",
        planted: "wrong-audience",
      },
    ]);
  });

  it("expects subject_mismatch and the decision difference of a JIT-migrated user, in classifier order", () => {
    const findings = expectedPairFindings(
      principal({ jitMigrated: true }),
      planned(true, false, "jit-without-legacy-sub"),
      { legacy: true, new: false },
      "c1",
    );
    expect(kinds(findings)).toEqual(["subject_mismatch:null", "under_permission:null"]);
  });

  it("names over- and under-permissions by the planted case", () => {
    const over = expectedPairFindings(
      principal(),
      planned(false, true, "finance-role-too-broad"),
      { legacy: false, new: true },
      "c1",
    );
    expect(over.map((f) => [f.kind, f.planted])).toEqual([["over_permission", "finance-role-too-broad"]]);
  });

  it("expects observed_drift on the side whose live decision differs from its model", () => {
    expect(
      kinds(expectedPairFindings(principal(), planned(true, true), { legacy: false, new: true }, "c1")),
    ).toEqual(["observed_drift:legacy"]);
    expect(
      kinds(expectedPairFindings(principal(), planned(true, true), { legacy: true, new: false }, "c1")),
    ).toEqual(["observed_drift:new"]);
  });

  it("refuses a difference that no planted case explains", () => {
    expect(() => expectedPairFindings(principal(), planned(true, false), agreed, "c1")).toThrow(/unplanted/);
  });
});

describe("expectedUnpairedFinding", () => {
  it("names the side seen and the planted case", () => {
    expect(expectedUnpairedFinding(principal(), "new", "c9")).toEqual({
      correlationId: "c9",
      kind: "unpaired",
      side: "new",
      cohort: "patients",
      planted: "unpaired-new-only",
    });
  });
});
