import { writeFileSync } from "node:fs";
import type { PolicyDecision, PolicyInput } from "../../src/policy/evaluator.js";
import { runOpa } from "../../src/policy/opa-cli.js";
import { toDecision } from "../../src/policy/policy-result.js";

/**
 * Evaluates `entrypoint` natively for every input in ONE `opa eval`: the inputs go in as data and
 * a comprehension evaluates the entrypoint `with input as` each of them. An index missing from
 * the answer is an undefined entrypoint, normalised like the Wasm path (deny, no reasons).
 */
export function evaluateNatively(
  policyDir: string,
  entrypoint: string,
  inputs: readonly PolicyInput[],
  scratchFile: string,
): PolicyDecision[] {
  writeFileSync(scratchFile, JSON.stringify({ difftest: { inputs } }));
  const ref = `data.${entrypoint.split("/").join(".")}`;
  const query = `{i: d | some i, x in data.difftest.inputs; d := ${ref} with input as x}`;
  const out = runOpa([
    "eval",
    "--format",
    "json",
    "--ignore",
    "*_test.rego",
    "--data",
    policyDir,
    "--data",
    scratchFile,
    query,
  ]);
  const answer = JSON.parse(out) as { result?: { expressions: { value: Record<string, unknown> }[] }[] };
  const byIndex = answer.result?.[0]?.expressions[0]?.value;
  if (!byIndex) throw new Error(`opa eval returned no result for ${query}: ${out.slice(0, 500)}`);
  return inputs.map((_, i) => {
    const value = byIndex[String(i)];
    return value === undefined ? { allow: false, reasons: [] } : toDecision(value, entrypoint);
  });
}
