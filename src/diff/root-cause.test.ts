import { describe, expect, it } from "vitest";
import { compileClaimMappings } from "../identity/claim-mapping.js";
import type { Claims } from "../identity/claims.js";
import { attributeRootCause, type Models } from "./root-cause.js";

const translate = compileClaimMappings([
  { legacy: "roles", new: "roles", values: { billing: "finance" } },
  { legacy: "proxy_for", new: "proxy_for" },
]);
const roles = (c: Claims) => (Array.isArray(c.roles) ? (c.roles as string[]) : []);

describe("claim mappings", () => {
  it("puts one token's mapped claims into the other, translating values both ways", () => {
    const legacy = { sub: "u1", roles: ["billing", "nurse"], proxy_for: ["p1"] };
    const next = { sub: "n1", roles: ["finance"], scope: "api" };
    expect(translate.legacyIntoNew(legacy, next)).toEqual({
      sub: "n1",
      roles: ["finance", "nurse"],
      proxy_for: ["p1"],
      scope: "api",
    });
    // The new token has no proxy_for: the legacy token as the new one would carry it has none.
    expect(translate.newIntoLegacy(next, legacy)).toEqual({ sub: "u1", roles: ["billing"] });
  });
});

describe("root-cause attribution", () => {
  const legacy = { roles: ["billing"], proxy_for: ["p1"] };

  it("blames the policy when both tokens carry the same facts and the models differ", () => {
    const models: Models = {
      legacyAllows: () => false,
      policyAllows: (c) => roles(c).includes("finance"),
    };
    expect(
      attributeRootCause(models, { legacy, new: { roles: ["finance"], proxy_for: ["p1"] } }, translate),
    ).toBe("policy_logic");
  });

  it("blames the claim mapping when the models agree on each token but the tokens differ", () => {
    const proxyRead = (c: Claims) => Array.isArray(c.proxy_for) && c.proxy_for.length > 0;
    const models: Models = { legacyAllows: proxyRead, policyAllows: proxyRead };
    expect(attributeRootCause(models, { legacy, new: { roles: ["finance"] } }, translate)).toBe(
      "claim_mapping",
    );
  });

  it("blames both when the models differ and so do the tokens", () => {
    const models: Models = {
      legacyAllows: (c) => Array.isArray(c.proxy_for),
      policyAllows: (c) => roles(c).includes("finance") && !Array.isArray(c.proxy_for),
    };
    expect(attributeRootCause(models, { legacy, new: { roles: ["finance"] } }, translate)).toBe("both");
  });
});
