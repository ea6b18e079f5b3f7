import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors/errors.js";
import { loadLegacyRules } from "../../src/legacy/load-legacy-rules.js";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

function loadError(path: string): ConfigError {
  try {
    loadLegacyRules(path);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`expected ${path} to be rejected`);
}

describe("loadLegacyRules", () => {
  it("loads a rules file, hashes its bytes and decides with it", () => {
    const path = fixture("clinic-rules.yaml");
    const legacy = loadLegacyRules(path);
    expect(legacy.rulesSha256).toBe(createHash("sha256").update(readFileSync(path)).digest("hex"));

    const nurse = { sub: "n1", realm_access: { roles: ["nurse"] } };
    const record = (resource: Record<string, unknown>, context = {}) => ({
      action: "read",
      resource: { type: "patient_record", ...resource },
      context,
    });
    expect(legacy.decide(nurse, record({ careTeam: ["n1"] }))).toEqual({
      allow: true,
      ruleId: "care-team-read",
    });
    expect(legacy.decide(nurse, record({ careTeam: ["n2"] }, { breakGlass: true }))).toEqual({
      allow: false,
      ruleId: null,
    });
    const clinician = { sub: "c1", realm_access: { roles: "clinician" } };
    expect(legacy.decide(clinician, record({}, { breakGlass: true }))).toEqual({
      allow: true,
      ruleId: "break-glass",
    });
    expect(legacy.decide(clinician, { action: "export", resource: { type: "patient_record" } })).toEqual({
      allow: false,
      ruleId: "no-export-without-tenant",
    });
  });

  it("names file, line and rule path of a misspelled $token reference", () => {
    const path = fixture("misspelled-reference-rules.yaml");
    const err = loadError(path);
    expect(err.exitCode).toBe(78);
    expect(err.problems).toEqual([
      expect.objectContaining({ file: path, line: 20, path: "rules.2.when.resource.ownerId" }),
    ]);
    expect(err.message).toContain(`${path}:20:`);
    expect(err.message).toContain("(at rules.2.when.resource.ownerId)");
    expect(err.message).toContain('unknown reference "$tokn.sub"');
  });

  it("names file, line and path of schema errors", () => {
    const path = fixture("schema-error-rules.yaml");
    const err = loadError(path);
    const byPath = new Map(err.problems.map((p) => [p.path, p]));
    expect(byPath.get("rules.1.effect")).toMatchObject({ file: path, line: 9 });
    expect(byPath.get("rules.1.when.resource.ownerId")).toMatchObject({
      line: 14,
      message: expect.stringContaining("exactly one operator"),
    });
  });

  it("reports an unreadable file as a config error", () => {
    const err = loadError(fixture("no-such-rules.yaml"));
    expect(err.message).toContain("cannot read file");
  });
});
