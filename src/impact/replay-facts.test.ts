import { describe, expect, it } from "vitest";
import type { PolicyInput } from "../policy/evaluator.js";
import { createFactKeeper, replayFactsOf, sampled } from "./replay-facts.js";

const IDS = new Set(["sub", "legacy_sub", "proxy_for"]);
const ATTRIBUTES = [
  ["resource", "id"],
  ["resource", "ownerId"],
  ["resource", "careTeam"],
];
const nurse = { sub: "n-7f3a", legacy_sub: "u-000401", roles: ["nurse"], tenant: "t-a", exp: 2_000 };
const chart = {
  action: "read",
  resource: {
    type: "lab_result",
    id: "lab-991",
    ownerId: "u-100501",
    careTeam: ["u-000401", "u-000402"],
    tenantId: "t-a",
  },
  context: {
    purposeOfUse: "treatment",
    onBehalfOf: "u-000401",
    attempt: 2,
    device: { kiosk: true, owner: "u-000401" },
  },
};

/** Allows a care-team member of the same tenant; optionally reads an id's content (a prefix). */
function policy(readsIdContent = false) {
  return {
    evaluate: (input: PolicyInput) => {
      const team = input.resource.careTeam as string[];
      const member = team.includes(input.token.legacy_sub as string);
      const prefixed = !readsIdContent || String(input.token.legacy_sub).startsWith("u-");
      return { allow: member && prefixed && input.resource.tenantId === input.token.tenant, reasons: [] };
    },
  };
}

describe("replayFactsOf", () => {
  it("renames every identifying value by one table, keeping equalities and everything else", () => {
    const facts = replayFactsOf(nurse, chart, IDS, ATTRIBUTES);
    expect(facts).toEqual({
      token: { exp: 2_000, legacy_sub: "#1", roles: ["nurse"], sub: "#2", tenant: "t-a" },
      action: "read",
      resource: { type: "lab_result", id: "#3", ownerId: "#4", careTeam: ["#1", "#5"], tenantId: "t-a" },
      // An unlisted attribute holding the principal's id is renamed as well.
      context: {
        purposeOfUse: "treatment",
        onBehalfOf: "#1",
        attempt: 2,
        device: { kiosk: true, owner: "#1" },
      },
    });
    expect(JSON.stringify(facts)).not.toMatch(/u-\d|n-7f3a|lab-991/);
  });

  it("renames numeric ids, ids inside objects in lists, and a known id in any other claim", () => {
    const facts = replayFactsOf(
      { sub: 12345, act: { sub: "u-000401" }, legacy_sub: "u-000401", roles: ["nurse"] },
      {
        action: "read",
        // A mirror that sends numeric ids: not what the contract types say, so cast like a raw JSON value.
        resource: {
          type: "lab_result",
          id: 777,
          careTeam: [{ id: "u-000402" }, { id: 12345 }],
        } as unknown as {
          type: string;
        },
      },
      IDS,
      [
        ["resource", "id"],
        ["resource", "careTeam", "id"],
      ],
    );
    expect(facts.token).toEqual({ act: { sub: "#1" }, legacy_sub: "#1", roles: ["nurse"], sub: "#2" });
    expect(facts.resource).toEqual({ type: "lab_result", id: "#3", careTeam: [{ id: "#4" }, { id: "#2" }] });
  });
});

describe("the fact keeper", () => {
  const allow = { allow: true, reasons: ["nurse.care_team_read"] };
  const deny = { allow: false, reasons: ["deny.default"] };
  const legacyAllow = { allow: true, ruleId: "nurse-care-team-read" };

  it("keeps every decision mismatch, replayable when the deployed policy decides its facts alike", () => {
    const keeper = createFactKeeper(policy(), {
      matchedSampleRate: 0,
      identityClaims: [...IDS],
      identityAttributes: ["resource.careTeam"],
    });
    const otherTenant = { ...chart, resource: { ...chart.resource, tenantId: "t-b" } };
    const kept = keeper.keep({
      correlationId: "c-1",
      newClaims: nurse,
      request: otherTenant,
      legacy: legacyAllow,
      next: deny,
    });
    expect(kept).toMatchObject({ kind: "under_permission", replayable: true });
    expect(
      keeper.keep({
        correlationId: "c-2",
        newClaims: nurse,
        request: chart,
        legacy: legacyAllow,
        next: allow,
      }),
    ).toBeUndefined();
  });

  it("marks facts not replayable when the policy reads an id's content", () => {
    const keeper = createFactKeeper(policy(true), {
      matchedSampleRate: 1,
      identityClaims: [...IDS],
      identityAttributes: ["resource.careTeam"],
    });
    const kept = keeper.keep({
      correlationId: "c-1",
      newClaims: nurse,
      request: chart,
      legacy: legacyAllow,
      next: allow,
    });
    expect(kept).toMatchObject({ kind: "match", replayable: false });
  });
});

describe("sampled", () => {
  it("is deterministic per correlation id and keeps about the configured share", () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `corr-${i}`);
    const kept = ids.filter((id) => sampled(id, 0.05));
    expect(kept.length).toBeGreaterThan(800);
    expect(kept.length).toBeLessThan(1_200);
    expect(ids.filter((id) => sampled(id, 0.05))).toEqual(kept);
    expect(sampled("x", 0)).toBe(false);
    expect(sampled("x", 1)).toBe(true);
  });
});
