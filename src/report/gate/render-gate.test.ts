import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { sampleGateEvaluation } from "./gate-evaluation.fixture.js";
import { renderGateJunit } from "./render-gate-junit.js";
import { renderGateMarkdown } from "./render-gate-markdown.js";
import { renderGateText } from "./render-gate-text.js";

const e = sampleGateEvaluation();
const ESC = String.fromCharCode(27);

describe("gate renderers", () => {
  it("text: verdict first, every reason and check, no control characters", () => {
    const text = renderGateText(e);
    expect(text.split("\n")[0]).toBe("gate caregivers: FAIL");
    for (const r of e.reasons) expect(text).toContain(r.replaceAll(ESC, "\uFFFD"));
    expect(text).toContain("[FAIL   ] over-permission budget: 1 over-permission > allowed 0");
    expect(text).toContain("[not yet] coverage of required request paths:");
    expect(text).toContain("[info   ] waivers: waiver w-1 covers 4 pairs; waiver w-0 expired");
    expect(text).not.toContain(ESC);
  });

  it("markdown: a checks table one row per check, waivers listed, hostile strings inert", () => {
    const md = renderGateMarkdown(e);
    expect(md).toMatch(/^### ❌ Parity gate `caregivers`: fail/);
    const rows = md
      .split("\n")
      .filter((l) => l.startsWith("| ") && !l.startsWith("| check") && !l.startsWith("| ---"));
    expect(
      rows.filter((r) => /^\| (minimum|over|mismatch|unpaired|observed|coverage|waivers)/.test(r)),
    ).toHaveLength(7);
    expect(md).toContain("| w-0 (expired) | SEC-0 | sec | 2 | 2026-11-30T00:00:00.000Z |");
    expect(md).not.toContain("<script>");
    expect(md).toContain("&lt;script&gt;");
  });

  it("junit: well-formed XML, one test case per check, failures for fail and insufficient", () => {
    const xml = renderGateJunit(e);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
    const suite = doc.testsuites.testsuite;
    expect(suite.name).toBe("gate caregivers: fail");
    expect(suite.tests).toBe("7");
    expect(suite.failures).toBe("3");
    const cases = suite.testcase as Array<{ name: string; failure?: { type: string } }>;
    expect(cases.map((c) => [c.name, c.failure?.type ?? null])).toEqual([
      ["minimum evidence", null],
      ["over-permission budget", "fail"],
      ["mismatch rate bound", "insufficient_evidence"],
      ["unpaired rate", null],
      ["observed drift rate", null],
      ["coverage of required request paths", "insufficient_evidence"],
      ["waivers", null],
    ]);
    expect(xml).not.toContain(ESC);
  });

  it("junit: a passing gate has no failure elements", () => {
    const passing = sampleGateEvaluation({
      status: "pass",
      checks: e.checks.map((c) => ({ ...c, outcome: c.outcome === "info" ? "info" : "pass" })),
    });
    const xml = renderGateJunit(passing);
    expect(xml).not.toContain("<failure");
    expect(xml).toContain('failures="0"');
  });
});
