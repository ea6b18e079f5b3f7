import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { compileCohorts } from "../../src/cohorts/compile-cohorts.js";
import { compileConditions } from "../../src/conditions/compile-conditions.js";
import { parseYamlText } from "../../src/config/yaml-file.js";
import { cohortSchema, conditionsSchema } from "../../src/contracts/index.js";
import { compileLegacyRules } from "../../src/legacy/compile-legacy-rules.js";
import { checkedLegacyRulesFileSchema } from "../../src/legacy/load-legacy-rules.js";

/** The YAML examples in docs/rules.md are what readers copy: they must load. */
const docPath = fileURLToPath(new URL("../../docs/rules.md", import.meta.url));
const yamlBlocks = [...readFileSync(docPath, "utf8").matchAll(/```yaml\n([\s\S]*?)```/g)].map(
  (m) => m[1] ?? "",
);

function block(startsWith: string): string {
  const found = yamlBlocks.find((text) => text.startsWith(startsWith));
  if (found === undefined) throw new Error(`docs/rules.md has no yaml block starting with ${startsWith}`);
  return found;
}

describe("docs/rules.md examples", () => {
  it("the rules file example loads and decides as described", () => {
    const file = parseYamlText(block("version: 1"), "docs/rules.md", checkedLegacyRulesFileSchema);
    const legacy = compileLegacyRules(file, "docs");
    const request = { action: "read", resource: { type: "patient_record", ownerId: "p1" } };
    expect(legacy.decide({ sub: "p1", roles: ["patient"] }, request)).toEqual({
      allow: true,
      ruleId: "patient-own-record",
    });
  });

  it("the deny-rule snippet loads", () => {
    const text = `version: 1\n${block("rules:\n  - id: deny-other-tenant")}`;
    expect(parseYamlText(text, "docs", checkedLegacyRulesFileSchema).rules).toHaveLength(2);
  });

  it("every one-line condition example compiles", () => {
    const lines = block("# equals")
      .split("\n")
      .filter((line) => line.startsWith("when:"));
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      const { when } = z.object({ when: conditionsSchema }).parse(parse(line));
      expect(() => compileConditions(when, { where: line })).not.toThrow();
    }
  });

  it("the cohorts example compiles", () => {
    const { cohorts } = z.object({ cohorts: z.array(cohortSchema) }).parse(parse(block("cohorts:")));
    expect(compileCohorts(cohorts)({ roles: "nurse", sub: "n1" })).toBe("clinicians");
  });
});
