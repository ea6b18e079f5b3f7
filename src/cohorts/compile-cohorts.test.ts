import { describe, expect, it } from "vitest";
import { cohortSchema } from "../contracts/config.js";
import { ConfigError } from "../errors/errors.js";
import { cohortConditionIssues, compileCohorts } from "./compile-cohorts.js";

const cohorts = [
  { id: "service-accounts", when: { client_type: "service", sub: { exists: false } } },
  { id: "break-glass", when: { roles: { contains: "clinician" }, "amr.breakGlass": true } },
  { id: "clinicians", when: { roles: { containsAny: ["clinician", "nurse"] } } },
  {
    id: "own-tenant-admins",
    when: { roles: { contains: "admin" }, home_tenant: { equals: "$token.tenant" } },
  },
].map((c) => cohortSchema.parse(c));

describe("compileCohorts", () => {
  const assign = compileCohorts(cohorts);

  it("first matching cohort wins", () => {
    expect(assign({ sub: "c1", roles: ["clinician"], amr: { breakGlass: true } })).toBe("break-glass");
    expect(assign({ sub: "c1", roles: ["clinician"] })).toBe("clinicians");
    expect(assign({ sub: "n1", roles: "nurse" })).toBe("clinicians");
    expect(assign({ client_type: "service" })).toBe("service-accounts");
  });

  it("resolves $token references against the same claims", () => {
    expect(assign({ sub: "a", roles: ["admin"], home_tenant: "t1", tenant: "t1" })).toBe("own-tenant-admins");
    expect(assign({ sub: "a", roles: ["admin"], home_tenant: "t1", tenant: "t2" })).toBe("unassigned");
    expect(assign({ sub: "a", roles: ["admin"] })).toBe("unassigned");
  });

  it("gives unassigned when nothing matches, or when there are no cohorts", () => {
    expect(assign({ sub: "p1", roles: ["patient"] })).toBe("unassigned");
    expect(assign({})).toBe("unassigned");
    expect(compileCohorts([])({ roles: ["clinician"] })).toBe("unassigned");
  });

  it("reports bad conditions with the cohort index and claim path", () => {
    const bad = [cohortSchema.parse({ id: "x", when: { roles: { contains: "$tokn.role" } } })];
    expect(() => compileCohorts(bad, { file: "config.yaml" })).toThrow(ConfigError);
    expect(() => compileCohorts(bad, { file: "config.yaml" })).toThrow(
      /config\.yaml \(at cohorts\[0\]\.when\.roles\)/,
    );
  });

  it("cohortConditionIssues lists the problems as config paths", () => {
    const good = cohortSchema.parse({ id: "x", when: { roles: { contains: "nurse" } } });
    const bad = cohortSchema.parse({ id: "y", when: { "a..b": 1, ok: "$token.sub" } });
    expect(cohortConditionIssues([good, bad])).toEqual([
      { path: ["cohorts", 1, "when", "a..b"], message: expect.stringContaining("not a dot path") },
    ]);
  });
});
