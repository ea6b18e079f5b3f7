import { describe, expect, it } from "vitest";
import { configSchema } from "../contracts/index.js";

/** The demo's required parts, so each case varies only what it tests. */
const base = {
  version: 1,
  issuers: {
    legacy: {
      issuer: "l",
      audience: "a",
      keys: { type: "jwks-file", path: "l.json" },
      algorithms: ["RS256"],
    },
    new: { issuer: "n", audience: "a", keys: { type: "jwks-file", path: "n.json" }, algorithms: ["RS256"] },
  },
  legacy: { rules: "rules.yaml" },
  policy: { bundle: "bundle.tar.gz" },
  cohorts: [{ id: "nurses", when: { roles: { contains: "nurse" } } }],
  gates: {
    default: { minPairs: 10, maxMismatchRate: 0.01, maxUnpairedRate: 0.01, maxObservedDriftRate: 0.01 },
  },
};
const latent = {
  actions: ["read"],
  resourceTypes: ["lab_result"],
  scenarios: [{ id: "care-team", resource: { careTeam: ["$legacy.sub"] } }],
};
const issues = (doc: unknown) => {
  const r = configSchema.safeParse(doc);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("the latent and impact sections", () => {
  it("are optional, and take defaults for everything but the matrix", () => {
    expect(configSchema.parse(base).latent).toBeUndefined();
    const parsed = configSchema.parse({ ...base, latent, impact: {} });
    expect(parsed.latent?.identityClaims).toContain("legacy_sub");
    expect(parsed.latent?.scenarios[0]?.context).toEqual({});
    expect(parsed.impact).toEqual({
      matchedSampleRate: 0.01,
      identityClaims: expect.arrayContaining(["sub", "proxy_for"]),
      identityAttributes: ["resource.id", "resource.ownerId", "resource.careTeam"],
    });
  });

  it("refuses a latent gate budget without the matrix, a scenario setting the type, duplicate scenarios", () => {
    const gated = { ...base, gates: { ...base.gates, cohorts: { nurses: { maxLatentOverPermission: 0 } } } };
    expect(issues(gated)).toEqual([
      "latent: gates use maxLatentOverPermission, which needs the latent entitlement matrix",
    ]);
    expect(issues({ ...gated, latent })).toEqual([]);
    const typed = { ...latent, scenarios: [{ id: "x", resource: { type: "lab_result" } }] };
    expect(issues({ ...base, latent: typed })).toEqual([
      "latent.scenarios.0.resource: the resource type comes from resourceTypes, not the scenario",
    ]);
    const twice = { ...latent, scenarios: [latent.scenarios[0], latent.scenarios[0]] };
    expect(issues({ ...base, latent: twice })).toEqual([
      'latent.scenarios.1.id: duplicate scenario "care-team"',
    ]);
    expect(issues({ ...base, impact: { identityAttributes: ["token.sub"] } })).toEqual([
      "impact.identityAttributes.0: resource.<attribute> or context.<attribute>",
    ]);
  });
});

describe("the lifecycle section", () => {
  it("is optional, with defaults, and lifecycle gate budgets need it", () => {
    expect(configSchema.parse(base).lifecycle).toBeUndefined();
    const parsed = configSchema.parse({ ...base, lifecycle: {} });
    expect(parsed.lifecycle).toEqual({
      lifetimeToleranceSeconds: 60,
      windowSeconds: 60,
      sweepSeconds: 10,
      personalClaims: expect.arrayContaining(["email", "user_email", "sub"]),
    });
    expect(parsed.kafka.topics.tokens).toBe("ciam.mirror.tokens");
    const gated = { ...base, gates: { ...base.gates, cohorts: { nurses: { maxSessionDrift: 1 } } } };
    expect(issues(gated)).toEqual([
      "lifecycle: gates use maxLifetimeDrift, maxSessionDrift or maxClaimDrift, which need the token lifecycle mirror",
    ]);
    expect(issues({ ...gated, lifecycle: {} })).toEqual([]);
    expect(issues({ ...base, lifecycle: { windowSeconds: 0, sweep: 1 } })).toEqual([
      "lifecycle.windowSeconds: Too small: expected number to be >0",
      'lifecycle: Unrecognized key: "sweep"',
    ]);
  });
});
