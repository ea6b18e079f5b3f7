import { describe, expect, it } from "vitest";
import { type AuthzRequest, type LegacyRulesFile, legacyRulesFileSchema } from "../contracts/index.js";
import { ConfigError } from "../errors/errors.js";
import { compileLegacyRules } from "./compile-legacy-rules.js";

function engine(rules: unknown[], roleClaim?: string) {
  const file: LegacyRulesFile = legacyRulesFileSchema.parse({ version: 1, roleClaim, rules });
  return compileLegacyRules(file, "sha-of-test");
}

function request(
  action: string,
  type: string,
  resource: Record<string, unknown> = {},
  context = {},
): AuthzRequest {
  return { action, resource: { type, ...resource }, context };
}

const patientOwnRecord = {
  id: "patient-own-record",
  effect: "allow",
  roles: ["patient"],
  actions: ["read"],
  resources: ["patient_record"],
  when: { "resource.ownerId": { equals: "$token.sub" } },
};

describe("compileLegacyRules: precedence", () => {
  it("allows with the id of the matching allow rule", () => {
    const legacy = engine([patientOwnRecord]);
    expect(
      legacy.decide({ sub: "p1", roles: ["patient"] }, request("read", "patient_record", { ownerId: "p1" })),
    ).toEqual({
      allow: true,
      ruleId: "patient-own-record",
    });
  });

  it("denies by default with ruleId null", () => {
    const legacy = engine([patientOwnRecord]);
    const decide = (claims: Record<string, unknown>, req: AuthzRequest) => legacy.decide(claims, req);
    const none = { allow: false, ruleId: null };
    expect(
      decide({ sub: "p1", roles: ["patient"] }, request("read", "patient_record", { ownerId: "p2" })),
    ).toEqual(none);
    expect(
      decide({ sub: "p1", roles: ["patient"] }, request("write", "patient_record", { ownerId: "p1" })),
    ).toEqual(none);
    expect(
      decide({ sub: "p1", roles: ["nurse"] }, request("read", "patient_record", { ownerId: "p1" })),
    ).toEqual(none);
    expect(decide({ sub: "p1", roles: ["patient"] }, request("read", "invoice", { ownerId: "p1" }))).toEqual(
      none,
    );
    expect(decide({ roles: ["patient"] }, request("read", "patient_record"))).toEqual(none);
    expect(engine([]).decide({ sub: "p1" }, request("read", "x"))).toEqual(none);
  });

  it("a matching deny wins over any allow, wherever it sits in the file", () => {
    const deny = { id: "no-export", effect: "deny", roles: ["*"], actions: ["export"], resources: ["*"] };
    const allow = { id: "admin-all", effect: "allow", roles: ["admin"], actions: ["*"], resources: ["*"] };
    const req = request("export", "patient_record");
    expect(engine([allow, deny]).decide({ roles: "admin" }, req)).toEqual({
      allow: false,
      ruleId: "no-export",
    });
    expect(engine([deny, allow]).decide({ roles: "admin" }, req)).toEqual({
      allow: false,
      ruleId: "no-export",
    });
    expect(engine([allow, deny]).decide({ roles: "admin" }, request("read", "patient_record"))).toEqual({
      allow: true,
      ruleId: "admin-all",
    });
  });

  it("reports the first matching deny and the first matching allow in file order", () => {
    const rule = (id: string, effect: string) => ({
      id,
      effect,
      roles: ["*"],
      actions: ["read"],
      resources: ["*"],
    });
    const req = request("read", "note");
    expect(engine([rule("a1", "allow"), rule("a2", "allow")]).decide({}, req).ruleId).toBe("a1");
    expect(engine([rule("a2", "allow"), rule("a1", "allow")]).decide({}, req).ruleId).toBe("a2");
    expect(engine([rule("a1", "allow"), rule("d1", "deny"), rule("d2", "deny")]).decide({}, req).ruleId).toBe(
      "d1",
    );
    expect(engine([rule("d2", "deny"), rule("a1", "allow"), rule("d1", "deny")]).decide({}, req).ruleId).toBe(
      "d2",
    );
  });

  it("a deny whose conditions do not hold does not apply", () => {
    const denyWithoutBreakGlass = {
      id: "phi-needs-break-glass",
      effect: "deny",
      roles: ["clinician"],
      actions: ["read"],
      resources: ["sealed_record"],
      when: { "context.breakGlass": { notEquals: true } },
    };
    const allow = {
      id: "clinician-read",
      effect: "allow",
      roles: ["clinician"],
      actions: ["read"],
      resources: ["*"],
    };
    const legacy = engine([denyWithoutBreakGlass, allow]);
    const claims = { roles: ["clinician"] };
    expect(legacy.decide(claims, request("read", "sealed_record", {}, { breakGlass: false })).ruleId).toBe(
      "phi-needs-break-glass",
    );
    expect(legacy.decide(claims, request("read", "sealed_record", {}, { breakGlass: true }))).toEqual({
      allow: true,
      ruleId: "clinician-read",
    });
    // notEquals fails closed: with no breakGlass attribute at all the deny does not fire (documented).
    expect(legacy.decide(claims, request("read", "sealed_record")).allow).toBe(true);
  });
});

describe("compileLegacyRules: wildcards", () => {
  it("roles * matches any verified principal, even one without roles", () => {
    const legacy = engine([
      { id: "any", effect: "allow", roles: ["*"], actions: ["read"], resources: ["faq"] },
    ]);
    expect(legacy.decide({}, request("read", "faq")).ruleId).toBe("any");
    expect(legacy.decide({ roles: 42 }, request("read", "faq")).ruleId).toBe("any");
  });

  it("actions and resources * match names no rule mentions", () => {
    const legacy = engine([
      { id: "admin-any-action", effect: "allow", roles: ["admin"], actions: ["*"], resources: ["invoice"] },
      { id: "auditor-read-any", effect: "allow", roles: ["auditor"], actions: ["read"], resources: ["*"] },
    ]);
    expect(legacy.decide({ roles: ["admin"] }, request("refund", "invoice")).ruleId).toBe("admin-any-action");
    expect(legacy.decide({ roles: ["admin"] }, request("refund", "note")).ruleId).toBeNull();
    expect(legacy.decide({ roles: ["auditor"] }, request("read", "some_new_type")).ruleId).toBe(
      "auditor-read-any",
    );
    expect(legacy.decide({ roles: ["auditor"] }, request("write", "some_new_type")).ruleId).toBeNull();
  });

  it("a * among other names is a wildcard", () => {
    const legacy = engine([
      { id: "r", effect: "allow", roles: ["nurse", "*"], actions: ["read", "*"], resources: ["*"] },
    ]);
    expect(legacy.decide({ roles: ["visitor"] }, request("delete", "x")).ruleId).toBe("r");
  });

  it("the literal name * in a request is not special", () => {
    const legacy = engine([
      { id: "r", effect: "allow", roles: ["nurse"], actions: ["read"], resources: ["note"] },
    ]);
    expect(legacy.decide({ roles: ["*"] }, request("*", "*")).ruleId).toBeNull();
  });
});

describe("compileLegacyRules: role claim", () => {
  const rules = [
    { id: "nurse-read", effect: "allow", roles: ["nurse"], actions: ["read"], resources: ["note"] },
  ];

  it("accepts an array or one string", () => {
    expect(engine(rules).decide({ roles: ["visitor", "nurse"] }, request("read", "note")).allow).toBe(true);
    expect(engine(rules).decide({ roles: "nurse" }, request("read", "note")).allow).toBe(true);
  });

  it("treats a missing or garbage claim as no roles", () => {
    for (const roles of [undefined, null, 1, true, { nurse: true }, [["nurse"]], "nurse,admin"]) {
      expect(engine(rules).decide({ roles }, request("read", "note"))).toEqual({
        allow: false,
        ruleId: null,
      });
    }
  });

  it("reads the configured dot path", () => {
    const legacy = engine(rules, "realm_access.roles");
    expect(legacy.decide({ realm_access: { roles: ["nurse"] } }, request("read", "note")).allow).toBe(true);
    expect(legacy.decide({ roles: ["nurse"] }, request("read", "note")).allow).toBe(false);
  });
});

describe("compileLegacyRules: conditions", () => {
  it("$token references resolve against the legacy claims", () => {
    const legacy = engine([
      {
        id: "care-team-read",
        effect: "allow",
        roles: ["clinician"],
        actions: ["read"],
        resources: ["patient_record"],
        when: { "resource.careTeam": { contains: "$token.sub" }, action: "read" },
      },
    ]);
    const claims = { sub: "c1", roles: ["clinician"] };
    expect(legacy.decide(claims, request("read", "patient_record", { careTeam: ["c1", "c2"] })).allow).toBe(
      true,
    );
    expect(legacy.decide(claims, request("read", "patient_record", { careTeam: ["c2"] })).allow).toBe(false);
    expect(
      legacy.decide({ roles: ["clinician"] }, request("read", "patient_record", { careTeam: ["c1"] })).allow,
    ).toBe(false);
  });

  it("missing ownerId and missing sub do not match", () => {
    const legacy = engine([patientOwnRecord]);
    expect(legacy.decide({ roles: ["patient"] }, request("read", "patient_record")).allow).toBe(false);
  });
});

describe("compileLegacyRules: compile errors", () => {
  it("names the rule, the left path and the problem", () => {
    const bad = { ...patientOwnRecord, id: "bad", when: { "resource.ownerId": { equals: "$tokn.sub" } } };
    const file = legacyRulesFileSchema.parse({
      version: 1,
      rules: [patientOwnRecord, { ...patientOwnRecord, id: "x" }, bad],
    });
    let error: unknown;
    try {
      compileLegacyRules(file, "sha", "rules.yaml");
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      {
        file: "rules.yaml",
        path: "rules[2].when.resource.ownerId",
        message: expect.stringContaining('unknown reference "$tokn.sub"'),
      },
    ]);
  });
});

describe("compileLegacyRules: provenance and purity", () => {
  it("exposes the rules sha256 and returns equal decisions for equal inputs", () => {
    const legacy = engine([patientOwnRecord]);
    expect(legacy.rulesSha256).toBe("sha-of-test");
    const req = request("read", "patient_record", { ownerId: "p1" });
    expect(legacy.decide({ sub: "p1", roles: "patient" }, req)).toEqual(
      legacy.decide({ sub: "p1", roles: "patient" }, req),
    );
  });

  it("shares frozen decisions so callers cannot corrupt later ones", () => {
    const legacy = engine([patientOwnRecord]);
    const decision = legacy.decide(
      { sub: "p1", roles: "patient" },
      request("read", "patient_record", { ownerId: "p1" }),
    );
    expect(Object.isFrozen(decision)).toBe(true);
    expect(Object.isFrozen(legacy.decide({}, request("read", "nothing")))).toBe(true);
  });
});
