import { describe, expect, it } from "vitest";
import { storedOutcome, T0 } from "../../test/store/outcome-fixtures.js";
import { clickHouseTime, toOutcomeRows } from "./outcome-rows.js";
import { createPseudonymizer } from "./pseudonymize.js";
import { pairIdOf } from "./stored-outcome.js";

const p = createPseudonymizer(new Uint8Array(32).fill(9));

describe("pairIdOf", () => {
  it("is the sha256 of the correlation id for a pair, and differs per side for an unpaired event", () => {
    const pair = pairIdOf({ correlationId: "abc", paired: true, onlySide: null });
    expect(pair).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const legacy = pairIdOf({ correlationId: "abc", paired: false, onlySide: "legacy" });
    const next = pairIdOf({ correlationId: "abc", paired: false, onlySide: "new" });
    expect(new Set([pair, legacy, next]).size).toBe(3);
    expect(pairIdOf({ correlationId: "abc", paired: false, onlySide: "legacy" })).toBe(legacy);
  });
});

describe("toOutcomeRows", () => {
  it("maps a pair with findings to one outcome row and one row per finding, ids pseudonymized", () => {
    const o = storedOutcome({
      correlationId: "c-1",
      kinds: [{ kind: "over_permission" }, { kind: "observed_drift", side: "new" }],
      legacyAllow: false,
      ruleId: null,
      legacySubject: "alice",
      newSubject: "u-77",
      resourceId: "rec-1",
      atMs: T0 + 123,
    });
    const rows = toOutcomeRows(o, p);
    expect(rows.outcome).toEqual({
      pair_id: o.pairId,
      correlation_id: "c-1",
      cohort: "clinicians",
      paired: true,
      only_side: "",
      mismatch: true,
      observed_drift: true,
      over_permission: 1,
      finding_kinds: ["over_permission", "observed_drift"],
      action: "read",
      resource_type: "patient_record",
      legacy_allow: false,
      legacy_rule_id: null,
      new_allow: true,
      policy_bundle_sha256: o.policyBundleSha256,
      legacy_rules_sha256: o.legacyRulesSha256,
      event_time: "2030-01-15 12:00:00.123",
    });
    expect(rows.findings).toHaveLength(2);
    expect(rows.findings[1]).toMatchObject({
      pair_id: o.pairId,
      kind: "observed_drift",
      severity: "medium",
      side: "new",
      new_reasons: ["care team member"],
      legacy_subject_pseudonym: p.subject("alice"),
      new_subject_pseudonym: p.subject("u-77"),
      resource_pseudonym: p.resource("rec-1"),
      observed_at: "2030-01-15 12:00:00.123",
    });
    expect(JSON.stringify(rows)).not.toMatch(/alice|u-77|rec-1/);
  });

  it("maps an unpaired event: its side, no decisions, null pseudonyms when ids are unknown", () => {
    const rows = toOutcomeRows(storedOutcome({ correlationId: "c-2", onlySide: "legacy" }), p);
    expect(rows.outcome).toMatchObject({
      paired: false,
      only_side: "legacy",
      legacy_allow: null,
      new_allow: null,
      finding_kinds: ["unpaired"],
    });
    expect(rows.findings[0]).toMatchObject({
      kind: "unpaired",
      side: "legacy",
      legacy_subject_pseudonym: null,
      resource_pseudonym: null,
    });
  });
});

describe("clickHouseTime", () => {
  it("prints UTC with milliseconds and clamps to what DateTime64 holds", () => {
    expect(clickHouseTime(Date.UTC(2024, 1, 29, 23, 59, 59, 7))).toBe("2024-02-29 23:59:59.007");
    expect(clickHouseTime(Date.UTC(1000, 0, 1))).toBe("1900-01-01 00:00:00.000");
    expect(clickHouseTime(8.64e15)).toBe("2299-12-31 23:59:59.999");
    expect(() => clickHouseTime(Number.NaN)).toThrow(RangeError);
  });
});
