import { describe, expect, it } from "vitest";
import type { AuthzRequest } from "../contracts/index.js";
import type { Claims } from "../identity/claims.js";
import { compileMatrix, type EntitlementModels } from "./entitlement-matrix.js";
import { createEntitlementTracker, type PrincipalSighting } from "./principal-entitlements.js";

/** Legacy: nurses read their care team's charts. New: nurses also write lab results there. */
function models(calls: { n: number }, opts: { failPolicy?: () => boolean } = {}): EntitlementModels {
  const onTeam = (claims: Claims, r: AuthzRequest, idClaim: string) =>
    Array.isArray(r.resource.careTeam) && r.resource.careTeam.includes(claims[idClaim]);
  return {
    legacy: {
      decide: (claims, r) => {
        calls.n++;
        const allow = r.action === "read" && onTeam(claims, r, "sub");
        return { allow, ruleId: allow ? "nurse-read" : null };
      },
    },
    policy: {
      evaluate: ({ token, action, resource }) => {
        if (opts.failPolicy?.()) throw new Error("wasm abort");
        const r = { action, resource: resource as AuthzRequest["resource"] };
        const allow =
          onTeam(token, r, "legacy_sub") && (action === "read" || r.resource.type === "lab_result");
        return { allow, reasons: allow ? ["nurse.care_team"] : ["deny.default"] };
      },
    },
  };
}

const matrix = compileMatrix(
  {
    actions: ["read", "write"],
    resourceTypes: ["lab_result", "clinical_note"],
    scenarios: [
      { id: "care-team", resource: { careTeam: ["$legacy.sub"] }, context: {} },
      { id: "elsewhere", resource: { careTeam: [] }, context: {} },
    ],
    identityClaims: ["sub", "legacy_sub"],
    cacheSize: 10,
    refreshSeconds: 3_600,
  },
  "config.yaml",
);

const nurse = (sub: string, atMs: number, token = `t-${sub}`): PrincipalSighting => ({
  cohort: "nurses",
  subject: sub,
  legacyToken: `${token}-l`,
  newToken: `${token}-n`,
  legacy: { sub, roles: ["nurse"] },
  new: { sub: `n-${sub}`, legacy_sub: sub, roles: ["nurse"] },
  observedAtMs: atMs,
});

const config = { identityClaims: ["sub", "legacy_sub"], cacheSize: 10, refreshSeconds: 3_600 };

describe("the entitlement tracker", () => {
  it("reports a principal's differences once, evaluating the matrix once per claim shape", () => {
    const calls = { n: 0 };
    const tracker = createEntitlementTracker(models(calls), matrix, config);
    const first = tracker.observe(nurse("u-1", 0));
    expect(first).toMatchObject({ subject: "u-1" });
    expect(first?.differences).toEqual([
      {
        action: "write",
        resourceType: "lab_result",
        scenario: "care-team",
        direction: "over_permission",
        legacyRuleId: null,
        newReasons: ["nurse.care_team"],
      },
    ]);
    expect(calls.n).toBe(8);
    expect(tracker.observe(nurse("u-1", 1_000))).toBeUndefined();
    // Another nurse of the same form: reported, but the matrix is not evaluated again.
    expect(tracker.observe(nurse("u-2", 2_000))?.shape).toBe(first?.shape);
    expect(calls.n).toBe(8);
  });

  it("stays quiet across token refreshes of the same shape, and reports again after the refresh time", () => {
    const tracker = createEntitlementTracker(models({ n: 0 }), matrix, config);
    expect(tracker.observe(nurse("u-1", 0, "a"))).toBeDefined();
    expect(tracker.observe(nurse("u-1", 600_000, "b"))).toBeUndefined();
    expect(tracker.observe(nurse("u-1", 3_599_000, "c"))).toBeUndefined();
    expect(tracker.observe(nurse("u-1", 3_600_000, "c"))).toBeDefined();
  });

  it("reports a principal whose claims changed shape at once", () => {
    const tracker = createEntitlementTracker(models({ n: 0 }), matrix, config);
    const before = tracker.observe(nurse("u-1", 0, "a"));
    const promoted = { ...nurse("u-1", 1_000, "b"), legacy: { sub: "u-1", roles: ["nurse", "charge"] } };
    const after = tracker.observe(promoted);
    expect(after).toBeDefined();
    expect(after?.shape).not.toBe(before?.shape);
  });

  it("stores nothing when a model fails on the matrix, and tries again at the next sighting", () => {
    let failing = true;
    const tracker = createEntitlementTracker(models({ n: 0 }, { failPolicy: () => failing }), matrix, config);
    expect(tracker.observe(nurse("u-1", 0))).toBeUndefined();
    failing = false;
    expect(tracker.observe(nurse("u-1", 1_000))?.differences).toHaveLength(1);
  });
});
