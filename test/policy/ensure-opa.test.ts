import { chmodSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { opaVersion, PINNED_OPA_VERSION } from "../../src/policy/opa-cli.js";
import { makeTempDir, REPO_ROOT, runScript, type TempDir } from "./toolchain.js";

const SCRIPT = path.join(REPO_ROOT, "scripts/ensure-opa.sh");

let tmp: TempDir;
beforeAll(() => {
  tmp = makeTempDir("ensure-opa");
});
afterAll(() => tmp.remove());

function withEnv<T>(vars: Record<string, string | undefined>, run: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((key) => [key, process.env[key]]));
  Object.assign(process.env, vars);
  for (const [key, value] of Object.entries(vars)) if (value === undefined) delete process.env[key];
  try {
    return run();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

describe("scripts/ensure-opa.sh", () => {
  it("prints the absolute path of the pinned binary as its last line", () => {
    const lines = withEnv({ OPA_BIN: undefined }, () => runScript([SCRIPT]))
      .trim()
      .split("\n");
    const bin = lines.at(-1) ?? "";
    expect(path.isAbsolute(bin)).toBe(true);
    expect(opaVersion(bin)).toBe(PINNED_OPA_VERSION);
  });

  it("passes over an opa of another version on PATH", () => {
    const fake = tmp.file("opa");
    writeFileSync(fake, '#!/bin/sh\necho "Version: 0.69.0"\n');
    chmodSync(fake, 0o755);
    const out = withEnv({ OPA_BIN: undefined, PATH: `${tmp.path}:${process.env.PATH}` }, () =>
      runScript([SCRIPT]),
    );
    const bin = out.trim().split("\n").at(-1) ?? "";
    expect(bin).not.toBe(fake);
    expect(opaVersion(bin)).toBe(PINNED_OPA_VERSION);
  });

  it("fails clearly when OPA_BIN is not the pinned version", () => {
    expect(() => withEnv({ OPA_BIN: "/bin/true" }, () => runScript([SCRIPT]))).toThrow(
      new RegExp(`OPA_BIN=/bin/true is not OPA v${PINNED_OPA_VERSION.replaceAll(".", "\\.")}`),
    );
  });
});
