import { describe, expect, it } from "vitest";
import { type Conditions, conditionsSchema } from "../contracts/conditions.js";
import { ConfigError } from "../errors/errors.js";
import { type Claims, readPath } from "../identity/claims.js";
import { compileConditions, findConditionProblems } from "./compile-conditions.js";
import type { LeftSide } from "./left-path.js";

function holds(
  raw: unknown,
  request: Record<string, unknown>,
  token: Claims = {},
  leftSide: LeftSide = "request",
) {
  const conditions: Conditions = conditionsSchema.parse(raw);
  const predicate = compileConditions(conditions, { where: "rules[0].when", leftSide });
  return predicate((path) => readPath(request, path), token);
}

function compileError(raw: unknown, leftSide: LeftSide = "request"): ConfigError {
  try {
    compileConditions(conditionsSchema.parse(raw), { where: "rules[2].when", leftSide, file: "rules.yaml" });
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

const owned = (ownerId: unknown) => ({ action: "read", resource: { type: "patient_record", ownerId } });

describe("compileConditions: equals", () => {
  it("short form is equals", () => {
    expect(holds({ "context.breakGlass": true }, { context: { breakGlass: true } })).toBe(true);
    expect(holds({ "context.breakGlass": true }, { context: { breakGlass: "true" } })).toBe(false);
    expect(holds({ action: "read" }, { action: "read" })).toBe(true);
  });

  it("compares with a token claim", () => {
    const when = { "resource.ownerId": { equals: "$token.sub" } };
    expect(holds(when, owned("p-1"), { sub: "p-1" })).toBe(true);
    expect(holds(when, owned("p-2"), { sub: "p-1" })).toBe(false);
  });

  it("is false when either side is missing, never missing == missing", () => {
    const when = { "resource.ownerId": { equals: "$token.sub" } };
    expect(holds(when, { resource: { type: "x" } }, {})).toBe(false);
    expect(holds(when, owned("p-1"), {})).toBe(false);
    expect(holds(when, { resource: { type: "x" } }, { sub: "p-1" })).toBe(false);
  });

  it("treats null as missing on both sides", () => {
    const when = { "resource.ownerId": { equals: "$token.sub" } };
    expect(holds(when, owned(null), { sub: null })).toBe(false);
    expect(holds(when, owned(null), { sub: "p-1" })).toBe(false);
  });

  it("compares a list operand as a whole list", () => {
    expect(holds({ "resource.tags": { equals: ["a", "b"] } }, { resource: { tags: ["a", "b"] } })).toBe(true);
    expect(holds({ "resource.tags": { equals: ["a", "b"] } }, { resource: { tags: ["b", "a"] } })).toBe(
      false,
    );
    expect(holds({ "resource.tags": { equals: ["a"] } }, { resource: { tags: "a" } })).toBe(false);
    expect(holds({ "resource.tags": { equals: [] } }, { resource: { tags: [] } })).toBe(true);
  });

  it("compares structured values deeply via a token claim", () => {
    const when = { "resource.scope": { equals: "$token.scope" } };
    expect(
      holds(
        when,
        { resource: { scope: { org: "o1", units: [1, 2] } } },
        { scope: { units: [1, 2], org: "o1" } },
      ),
    ).toBe(true);
    expect(holds(when, { resource: { scope: { org: "o1" } } }, { scope: { org: "o2" } })).toBe(false);
  });

  it("does not compare an array with a scalar by membership (that is contains)", () => {
    expect(holds({ "resource.careTeam": "u1" }, { resource: { careTeam: ["u1"] } })).toBe(false);
  });

  it("resolves nested claim paths", () => {
    const when = { "resource.tenantId": { equals: "$token.org.tenant" } };
    expect(holds(when, { resource: { tenantId: "t1" } }, { org: { tenant: "t1" } })).toBe(true);
    expect(holds(when, { resource: { tenantId: "t1" } }, { org: "t1" })).toBe(false);
  });
});

describe("compileConditions: notEquals", () => {
  const when = { "resource.tenantId": { notEquals: "$token.tenant" } };

  it("holds when both sides are present and differ", () => {
    expect(holds(when, { resource: { tenantId: "t1" } }, { tenant: "t2" })).toBe(true);
    expect(holds(when, { resource: { tenantId: "t1" } }, { tenant: "t1" })).toBe(false);
    expect(holds({ "resource.n": { notEquals: 1 } }, { resource: { n: "1" } })).toBe(true);
  });

  it("fails closed: false when either side is missing or null", () => {
    expect(holds(when, { resource: { tenantId: "t1" } }, {})).toBe(false);
    expect(holds(when, { resource: {} }, { tenant: "t2" })).toBe(false);
    expect(holds(when, { resource: { tenantId: null } }, { tenant: "t2" })).toBe(false);
    expect(holds({ "context.purpose": { notEquals: "billing" } }, {})).toBe(false);
  });
});

describe("compileConditions: in / notIn", () => {
  it("in: the left value is one of the literal list", () => {
    const when = { action: { in: ["read", "list"] } };
    expect(holds(when, { action: "list" })).toBe(true);
    expect(holds(when, { action: "write" })).toBe(false);
    expect(holds({ "resource.n": { in: [1, 2] } }, { resource: { n: "1" } })).toBe(false);
  });

  it("in: a token reference to a list or to one value", () => {
    const when = { "resource.tenantId": { in: "$token.tenants" } };
    expect(holds(when, { resource: { tenantId: "t2" } }, { tenants: ["t1", "t2"] })).toBe(true);
    expect(holds(when, { resource: { tenantId: "t3" } }, { tenants: ["t1", "t2"] })).toBe(false);
    expect(holds(when, { resource: { tenantId: "t1" } }, { tenants: "t1" })).toBe(true);
  });

  it("in: false when the left value or the referenced list is missing", () => {
    const when = { "resource.tenantId": { in: "$token.tenants" } };
    expect(holds(when, { resource: {} }, { tenants: ["t1"] })).toBe(false);
    expect(holds(when, { resource: { tenantId: "t1" } }, {})).toBe(false);
    expect(holds(when, { resource: { tenantId: null } }, { tenants: [null] })).toBe(false);
  });

  it("notIn: present and not in the list", () => {
    const when = { "resource.type": { notIn: ["audit_log", "key"] } };
    expect(holds(when, { resource: { type: "note" } })).toBe(true);
    expect(holds(when, { resource: { type: "key" } })).toBe(false);
  });

  it("notIn: fails closed on a missing left value or a missing referenced list", () => {
    expect(holds({ "context.purpose": { notIn: ["billing"] } }, { context: {} })).toBe(false);
    const when = { "resource.tenantId": { notIn: "$token.blockedTenants" } };
    expect(holds(when, { resource: { tenantId: "t1" } }, {})).toBe(false);
    expect(holds(when, { resource: { tenantId: "t1" } }, { blockedTenants: [] })).toBe(true);
    expect(holds(when, { resource: { tenantId: "t1" } }, { blockedTenants: ["t1"] })).toBe(false);
  });
});

describe("compileConditions: contains / containsAny", () => {
  it("contains: an array holding the token claim", () => {
    const when = { "resource.careTeam": { contains: "$token.sub" } };
    expect(holds(when, { resource: { careTeam: ["n1", "c7"] } }, { sub: "c7" })).toBe(true);
    expect(holds(when, { resource: { careTeam: ["n1"] } }, { sub: "c7" })).toBe(false);
  });

  it("contains: one string counts as a one-element list (no substring match)", () => {
    expect(holds({ roles: { contains: "nurse" } }, { roles: "nurse" }, {}, "claims")).toBe(true);
    expect(holds({ roles: { contains: "nurse" } }, { roles: "head-nurse" }, {}, "claims")).toBe(false);
    expect(holds({ roles: { contains: 1 } }, { roles: 1 }, {}, "claims")).toBe(false);
  });

  it("contains: false when the list or the referenced value is missing", () => {
    const when = { "resource.careTeam": { contains: "$token.sub" } };
    expect(holds(when, { resource: {} }, { sub: "c7" })).toBe(false);
    expect(holds(when, { resource: { careTeam: ["n1"] } }, {})).toBe(false);
    expect(holds(when, { resource: { careTeam: [null] } }, { sub: null })).toBe(false);
    expect(holds(when, { resource: { careTeam: { c7: true } } }, { sub: "c7" })).toBe(false);
  });

  it("containsAny: shares at least one element with the literal list", () => {
    const when = { "context.scopes": { containsAny: ["phi.read", "phi.write"] } };
    expect(holds(when, { context: { scopes: ["openid", "phi.write"] } })).toBe(true);
    expect(holds(when, { context: { scopes: ["openid"] } })).toBe(false);
    expect(holds(when, { context: { scopes: "phi.read" } })).toBe(true);
    expect(holds(when, { context: { scopes: [] } })).toBe(false);
    expect(holds(when, { context: {} })).toBe(false);
  });

  it("containsAny: a token reference to a list", () => {
    const when = { "resource.careTeams": { containsAny: "$token.groups" } };
    expect(holds(when, { resource: { careTeams: ["g1", "g2"] } }, { groups: ["g9", "g2"] })).toBe(true);
    expect(holds(when, { resource: { careTeams: ["g1"] } }, { groups: ["g9"] })).toBe(false);
    expect(holds(when, { resource: { careTeams: ["g1"] } }, {})).toBe(false);
  });
});

describe("compileConditions: exists", () => {
  it("asks whether a value is present and not null", () => {
    expect(holds({ "resource.tenantId": { exists: true } }, { resource: { tenantId: "t" } })).toBe(true);
    expect(holds({ "resource.tenantId": { exists: true } }, { resource: { tenantId: null } })).toBe(false);
    expect(holds({ "resource.tenantId": { exists: false } }, { resource: {} })).toBe(true);
    expect(holds({ "resource.tenantId": { exists: false } }, { resource: { tenantId: false } })).toBe(false);
  });
});

describe("compileConditions: all conditions must hold", () => {
  const when = {
    "resource.ownerId": { equals: "$token.sub" },
    "context.breakGlass": true,
  };

  it("is a conjunction", () => {
    expect(holds(when, { resource: { ownerId: "u" }, context: { breakGlass: true } }, { sub: "u" })).toBe(
      true,
    );
    expect(holds(when, { resource: { ownerId: "u" }, context: { breakGlass: false } }, { sub: "u" })).toBe(
      false,
    );
    expect(holds(when, { resource: { ownerId: "v" }, context: { breakGlass: true } }, { sub: "u" })).toBe(
      false,
    );
  });

  it("an empty map always holds", () => {
    expect(holds({}, {})).toBe(true);
  });
});

describe("compileConditions: literal strings starting with $", () => {
  it("$$ escapes one $", () => {
    expect(
      holds({ "resource.label": "$$token.sub" }, { resource: { label: "$token.sub" } }, { sub: "x" }),
    ).toBe(true);
    expect(holds({ "resource.label": "$$token.sub" }, { resource: { label: "x" } }, { sub: "x" })).toBe(
      false,
    );
    expect(holds({ "resource.price": { in: ["$$5", "$$10"] } }, { resource: { price: "$5" } })).toBe(true);
  });
});

describe("compileConditions: prototype paths", () => {
  it("never resolves inherited properties on either side", () => {
    expect(holds({ "resource.constructor": { exists: true } }, { resource: {} })).toBe(false);
    expect(holds({ "resource.__proto__": { exists: true } }, { resource: {} })).toBe(false);
    expect(holds({ "resource.id": { equals: "$token.constructor" } }, { resource: { id: "x" } }, {})).toBe(
      false,
    );
    expect(holds({ "resource.toString": { equals: "$token.toString" } }, { resource: {} }, {})).toBe(false);
  });

  it("reads an own __proto__ key from parsed JSON as data", () => {
    const request = JSON.parse('{"resource": {"__proto__": {"polluted": "yes"}}}') as Record<string, unknown>;
    expect(holds({ "resource.__proto__.polluted": "yes" }, request)).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("compileConditions: compile-time errors", () => {
  it("names where and what for an unknown $ reference", () => {
    const err = compileError({ "resource.ownerId": { equals: "$tokn.sub" } });
    expect(err.problems).toEqual([
      expect.objectContaining({ file: "rules.yaml", path: "rules[2].when.resource.ownerId" }),
    ]);
    expect(err.message).toContain('unknown reference "$tokn.sub"');
    expect(err.message).toContain("rules.yaml (at rules[2].when.resource.ownerId)");
    expect(err.exitCode).toBe(78);
  });

  it("rejects $request and bare $ strings instead of treating them as literals", () => {
    expect(compileError({ "resource.ownerId": "$request.x" }).message).toContain(
      'unknown reference "$request.x"',
    );
    expect(compileError({ "resource.ownerId": { contains: "$" } }).message).toContain(
      'unknown reference "$"',
    );
  });

  it("rejects a $token reference without a claim path", () => {
    expect(compileError({ "resource.ownerId": { equals: "$token." } }).message).toContain(
      "needs a claim path",
    );
    expect(compileError({ "resource.ownerId": { equals: "$token.a..b" } }).message).toContain(
      "needs a claim path",
    );
  });

  it("rejects a $token reference inside a list", () => {
    expect(compileError({ "resource.ownerId": { in: ["$token.sub", "x"] } }).message).toContain(
      "must be the whole operand",
    );
  });

  it("rejects a literal string where a list is expected", () => {
    expect(compileError({ action: { in: "read" } }).message).toContain(
      'in takes a list or a "$token.<claim>"',
    );
    expect(compileError({ action: { containsAny: "$$x" } }).message).toContain("containsAny takes a list");
  });

  it("rejects empty lists and null literals that could never match", () => {
    expect(compileError({ action: { in: [] } }).message).toContain("empty list never matches");
    expect(compileError({ "resource.ownerId": null }).message).toContain("use { exists: false }");
    expect(compileError({ "resource.ownerId": { notEquals: null } }).message).toContain("null never matches");
    expect(compileError({ "resource.ownerId": { in: ["a", null] } }).message).toContain("null never matches");
  });

  it("rule left paths must be action, resource.* or context.*", () => {
    expect(compileError({ "token.sub": "x" }).message).toContain('"token.sub" is not a request path');
    expect(compileError({ resource: "x" }).message).toContain("is not a request path");
    expect(compileError({ "resource.": "x" }).message).toContain("is not a request path");
    expect(compileError({ "$token.sub": "x" }).message).toContain("belongs on the right");
  });

  it("cohort left paths are any claim dot path", () => {
    expect(
      holds(
        { "realm_access.roles": { contains: "nurse" } },
        { realm_access: { roles: ["nurse"] } },
        {},
        "claims",
      ),
    ).toBe(true);
    expect(compileError({ "a..b": "x" }, "claims").message).toContain("not a dot path");
    expect(compileError({ "$token.sub": "x" }, "claims").message).toContain("belongs on the right");
  });

  it("reports every bad condition at once", () => {
    const err = compileError({ action: { in: [] }, "resource.ownerId": "$tokn.sub", "context.ok": true });
    expect(err.problems.map((p) => p.path)).toEqual([
      "rules[2].when.action",
      "rules[2].when.resource.ownerId",
    ]);
  });

  it("findConditionProblems lists the same problems without throwing", () => {
    expect(findConditionProblems({ action: { in: [] }, "context.ok": true })).toEqual([
      { leftPath: "action", message: expect.stringContaining("empty list") },
    ]);
    expect(findConditionProblems({ roles: { contains: "x" } }, "claims")).toEqual([]);
  });
});
