import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, REPO_ROOT, runScript, type TempDir } from "./toolchain.js";

const TEST_SCRIPT = path.join(REPO_ROOT, "scripts/test-policies.sh");

let tmp: TempDir;
beforeAll(() => {
  tmp = makeTempDir("rego-tests");
});
afterAll(() => tmp.remove());

describe("scripts/test-policies.sh", () => {
  it("passes opa check --strict and every opa test of policies/", () => {
    const output = runScript([TEST_SCRIPT]);
    const summary = /^PASS: (\d+)\/(\d+)$/m.exec(output);
    expect(summary, `no PASS summary in:\n${output}`).not.toBeNull();
    const [, passed, total] = summary ?? [];
    expect(Number(total)).toBeGreaterThan(0);
    expect(passed).toBe(total);
    expect(output).not.toMatch(/\bFAIL\b/);
  });

  it("fails on a failing Rego test", () => {
    writeFileSync(tmp.file("p.rego"), "package p\n\nallow := false\n");
    writeFileSync(tmp.file("p_test.rego"), "package p_test\n\nimport data.p\n\ntest_allow if p.allow\n");
    expect(() => runScript([TEST_SCRIPT, tmp.path])).toThrow(/FAIL: 1\/1/);
  });

  it("fails when there are no tests at all (opa test alone would pass)", () => {
    const empty = makeTempDir("rego-no-tests");
    try {
      writeFileSync(empty.file("p.rego"), "package p\n\nallow := true\n");
      expect(() => runScript([TEST_SCRIPT, empty.path])).toThrow(/no Rego tests/);
    } finally {
      empty.remove();
    }
  });

  it("fails strict checks (an unused local variable)", () => {
    const strict = makeTempDir("rego-strict");
    try {
      writeFileSync(strict.file("p.rego"), "package p\n\nallow if {\n\tx := 1\n\ttrue\n}\n");
      writeFileSync(strict.file("p_test.rego"), "package p_test\n\nimport data.p\n\ntest_allow if p.allow\n");
      expect(() => runScript([TEST_SCRIPT, strict.path])).toThrow(
        /rego_compile_error: assigned var x unused/,
      );
    } finally {
      strict.remove();
    }
  });
});
