import { describe, expect, it } from "vitest";
import type { GateEvidence, Waiver } from "../contracts/index.js";
import { applyWaivers, type FindingSignature } from "./apply-waivers.js";

const NOW = new Date("2026-12-01T12:00:00Z");
const EVIDENCE: GateEvidence = {
  pairs: 1_000,
  mismatchedPairs: 30,
  overPermission: 5,
  unpaired: 4,
  observedDriftPairs: 12,
};

const signature = (over: Partial<FindingSignature>): FindingSignature => ({
  kinds: ["under_permission"],
  action: "read",
  resourceType: "patient_record",
  legacyRuleId: "proxy-read",
  newReasons: ["no proxy relationship"],
  pairs: 1,
  ...over,
});

const SIGNATURES: FindingSignature[] = [
  signature({ kinds: ["under_permission"], pairs: 20 }),
  signature({ kinds: ["observed_drift", "under_permission"], pairs: 3 }),
  signature({ kinds: ["over_permission"], action: "write", resourceType: "prescription", pairs: 5 }),
  signature({ kinds: ["subject_mismatch"], legacyRuleId: null, newReasons: [], pairs: 2 }),
  signature({ kinds: ["observed_drift"], action: "export", pairs: 9 }),
];

let seq = 0;
const waiver = (
  over: Partial<Omit<Waiver, "scope">> & { scope?: Partial<Waiver["scope"]> } = {},
): Waiver => ({
  id: `w${++seq}`,
  owner: "sec-team",
  reason: "proxy migration ships next sprint",
  ticket: "SEC-42",
  expiresAt: "2026-12-31T00:00:00.000Z",
  allowOverPermission: false,
  createdBy: "alice",
  createdAt: "2026-11-01T00:00:00.000Z",
  ...over,
  scope: { cohort: "caregivers", ...over.scope },
});

describe("applyWaivers", () => {
  it("changes nothing without waivers", () => {
    const out = applyWaivers("caregivers", EVIDENCE, SIGNATURES, [], NOW);
    expect(out).toEqual({ evidence: EVIDENCE, applied: [], expired: [] });
  });

  it("excludes the pairs whose every mismatch finding a waiver covers, and counts its matches", () => {
    const w = waiver({ scope: { kind: "under_permission", legacyRuleId: "proxy-read" } });
    const out = applyWaivers("caregivers", EVIDENCE, SIGNATURES, [w], NOW);
    // 20 + 3 under_permission pairs; the drift of the 3 stays (the waiver names under_permission).
    expect(out.evidence).toEqual({ ...EVIDENCE, mismatchedPairs: 7 });
    expect(out.applied).toEqual([expect.objectContaining({ id: w.id, matchedPairs: 23 })]);
  });

  it("never waives an over-permission without allowOverPermission, even with a scope that matches it", () => {
    const broad = waiver({ scope: { action: "write" } });
    expect(applyWaivers("caregivers", EVIDENCE, SIGNATURES, [broad], NOW).evidence).toEqual(EVIDENCE);
    const explicit = waiver({ scope: { action: "write" }, allowOverPermission: true });
    expect(applyWaivers("caregivers", EVIDENCE, SIGNATURES, [explicit], NOW).evidence).toEqual({
      ...EVIDENCE,
      mismatchedPairs: 25,
      overPermission: 0,
    });
  });

  it("waives a policy error only with a waiver that names the kind", () => {
    const errors = [signature({ kinds: ["policy_error"], pairs: 6 })];
    const e = { ...EVIDENCE, mismatchedPairs: 6, overPermission: 0 };
    const broad = waiver({ scope: { action: "read" } });
    expect(applyWaivers("caregivers", e, errors, [broad], NOW).evidence.mismatchedPairs).toBe(6);
    const named = waiver({ scope: { kind: "policy_error" } });
    expect(applyWaivers("caregivers", e, errors, [named], NOW).evidence.mismatchedPairs).toBe(0);
  });

  it("waives drift separately from mismatches", () => {
    const w = waiver({ scope: { kind: "observed_drift" } });
    const out = applyWaivers("caregivers", EVIDENCE, SIGNATURES, [w], NOW);
    expect(out.evidence).toEqual({ ...EVIDENCE, observedDriftPairs: 0 });
  });

  it("matches a policy reason as one of the pair's reasons", () => {
    const hit = waiver({ scope: { policyReason: "no proxy relationship", kind: "under_permission" } });
    const miss = waiver({ scope: { policyReason: "no such reason" } });
    expect(applyWaivers("caregivers", EVIDENCE, SIGNATURES, [hit], NOW).evidence.mismatchedPairs).toBe(7);
    expect(applyWaivers("caregivers", EVIDENCE, SIGNATURES, [miss], NOW).evidence.mismatchedPairs).toBe(30);
  });

  it("needs every mismatch finding of a pair covered, by one waiver or several", () => {
    const both = [signature({ kinds: ["subject_mismatch", "under_permission"], pairs: 4 })];
    const e = { ...EVIDENCE, mismatchedPairs: 4, overPermission: 0 };
    const under = waiver({ scope: { kind: "under_permission" } });
    const subject = waiver({ scope: { kind: "subject_mismatch" } });
    const half = applyWaivers("caregivers", e, both, [under], NOW);
    expect(half.evidence.mismatchedPairs).toBe(4);
    // It excluded nothing, so it is credited with nothing.
    expect(half.applied).toEqual([expect.objectContaining({ id: under.id, matchedPairs: 0 })]);
    expect(applyWaivers("caregivers", e, both, [under, subject], NOW).evidence.mismatchedPairs).toBe(0);
  });

  it("ignores waivers of other cohorts and those not yet filed at `now`", () => {
    const other = waiver({ scope: { cohort: "patients" } });
    const future = waiver({ createdAt: "2026-12-01T13:00:00.000Z" });
    expect(applyWaivers("caregivers", EVIDENCE, SIGNATURES, [other, future], NOW).evidence).toEqual(EVIDENCE);
  });

  it("reports an expired waiver with the pairs that count again, and applies it no more", () => {
    const old = waiver({ expiresAt: "2026-12-01T12:00:00.000Z", scope: { kind: "under_permission" } });
    const out = applyWaivers("caregivers", EVIDENCE, SIGNATURES, [old], NOW);
    expect(out.evidence).toEqual(EVIDENCE);
    expect(out.applied).toEqual([]);
    expect(out.expired).toEqual([expect.objectContaining({ id: old.id, wouldMatchPairs: 23 })]);
  });
});
