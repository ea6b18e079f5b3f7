import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { locateOpa, OpaCliError, opaVersion, PINNED_OPA_VERSION, runOpa } from "./opa-cli.js";

const work = mkdtempSync(path.join(tmpdir(), "opa-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A stand-in `opa` that reports another version. */
function fakeOpa(version: string): string {
  const dir = mkdtempSync(path.join(work, "bin-"));
  const bin = path.join(dir, "opa");
  writeFileSync(bin, `#!/bin/sh\necho "Version: ${version}"\n`);
  chmodSync(bin, 0o755);
  return bin;
}

describe("locateOpa", () => {
  it(`finds the pinned OPA v${PINNED_OPA_VERSION} (run scripts/ensure-opa.sh if this fails)`, () => {
    const bin = locateOpa();
    expect(path.isAbsolute(bin)).toBe(true);
    expect(opaVersion(bin)).toBe(PINNED_OPA_VERSION);
  });

  it("skips an opa of another version on PATH", () => {
    const fake = fakeOpa("0.70.0");
    const env = {
      ...process.env,
      OPA_BIN: undefined,
      PATH: `${path.dirname(fake)}${path.delimiter}${process.env.PATH}`,
    };
    const bin = locateOpa(env);
    expect(bin).not.toBe(fake);
    expect(opaVersion(bin)).toBe(PINNED_OPA_VERSION);
  });

  it("insists on OPA_BIN being the pinned version", () => {
    const fake = fakeOpa("0.70.0");
    expect(() => locateOpa({ ...process.env, OPA_BIN: fake })).toThrow(OpaCliError);
    expect(() => locateOpa({ ...process.env, OPA_BIN: fake })).toThrow(
      `is not OPA v${PINNED_OPA_VERSION} (found: 0.70.0)`,
    );
    expect(locateOpa({ ...process.env, OPA_BIN: fakeOpa(PINNED_OPA_VERSION) })).toMatch(/opa$/);
  });

  it("says how to install it when there is none", () => {
    const env = { OPA_BIN: undefined, PATH: path.join(work, "nothing-here"), HOME: work };
    expect(() => locateOpa(env)).toThrow(/not found .*install it with: bash scripts\/ensure-opa\.sh/);
  });
});

describe("runOpa", () => {
  it("returns stdout", () => {
    expect(runOpa(["version"])).toContain(`Version: ${PINNED_OPA_VERSION}`);
  });

  it("puts the command's stderr into the error", () => {
    expect(() => runOpa(["eval", "--format", "json", "data.x["])).toThrow(
      /opa eval .* failed \(exit 2\):\n.*rego_parse_error/s,
    );
  });
});
