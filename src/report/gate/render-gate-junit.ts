import { escape as escapeXml } from "html-escaper";
import type { GateEvaluation } from "../../contracts/index.js";
import { replaceControlCharacters } from "../control-characters.js";
import { CHECK_LABEL } from "./check-labels.js";

/** XML 1.0 cannot carry most control characters even escaped: they are replaced first. */
const xml = (text: string) => escapeXml(replaceControlCharacters(text));
/** Keeps the line breaks of a multi-line message. */
const xmlLines = (text: string) => text.split("\n").map(xml).join("\n");

/**
 * JUnit XML: one test suite for the cohort's gate, one test case per check, so CI systems list
 * each check. A failing check is a <failure type="fail">, one that lacks evidence a
 * <failure type="insufficient_evidence"> (it blocks promotion as well); waivers are informational.
 */
export function renderGateJunit(e: GateEvaluation): string {
  const failures = e.checks.filter((c) => c.outcome === "fail" || c.outcome === "insufficient").length;
  const cases = e.checks.map((c) => {
    const open = `    <testcase classname="entitlement-diff.gate.${xml(e.cohort)}" name="${xml(CHECK_LABEL[c.id])}">`;
    if (c.outcome === "fail" || c.outcome === "insufficient") {
      const type = c.outcome === "fail" ? "fail" : "insufficient_evidence";
      return `${open}\n      <failure type="${type}" message="${xml(firstLine(c.message))}">${xmlLines(c.message)}</failure>\n    </testcase>`;
    }
    return `${open}\n      <system-out>${xmlLines(c.message)}</system-out>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="entitlement-diff gate" tests="${e.checks.length}" failures="${failures}">`,
    `  <testsuite name="gate ${xml(e.cohort)}: ${e.status}" tests="${e.checks.length}" failures="${failures}" timestamp="${e.evaluatedAt}">`,
    "    <properties>",
    ...[
      ["status", e.status],
      ["evaluation", e.id],
      ["evaluatedBy", e.evaluatedBy],
      ["policyBundleSha256", e.deployed.policyBundleSha256],
      ["legacyRulesSha256", e.deployed.legacyRulesSha256],
    ].map(([name, value]) => `      <property name="${name}" value="${xml(value ?? "")}"/>`),
    "    </properties>",
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? text;
}
