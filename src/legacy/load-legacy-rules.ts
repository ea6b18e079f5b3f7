import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { findConditionProblems } from "../conditions/compile-conditions.js";
import { parseYamlText } from "../config/yaml-file.js";
import { legacyRulesFileSchema } from "../contracts/rules.js";
import { ConfigError } from "../errors/errors.js";
import { compileLegacyRules } from "./compile-legacy-rules.js";
import type { LegacyEngine } from "./engine.js";

/**
 * The rules file schema plus the condition checks of the compiler, so that a bad condition is
 * reported like any schema error: with file, line and path (`rules.2.when.resource.ownerId`).
 */
export const checkedLegacyRulesFileSchema = legacyRulesFileSchema.superRefine((file, ctx) => {
  file.rules.forEach((rule, index) => {
    for (const problem of findConditionProblems(rule.when ?? {}, "request")) {
      ctx.addIssue({
        code: "custom",
        path: ["rules", index, "when", problem.leftPath],
        message: problem.message,
      });
    }
  });
});

/** Reads, validates and compiles a legacy rules YAML file; ConfigError (exit 78) when unusable. */
export function loadLegacyRules(path: string): LegacyEngine {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new ConfigError([{ file: path, message: `cannot read file: ${(err as Error).message}` }]);
  }
  // Hash and parse the same bytes (one read): the reported sha256 is exactly what was evaluated.
  const rulesSha256 = createHash("sha256").update(bytes).digest("hex");
  const file = parseYamlText(bytes.toString("utf8"), path, checkedLegacyRulesFileSchema);
  return compileLegacyRules(file, rulesSha256, path);
}
