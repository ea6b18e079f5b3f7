import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors/errors.js";
import { readTarGz } from "../../src/policy/bundle-archive.js";
import type { PolicyInput } from "../../src/policy/evaluator.js";
import { runOpa } from "../../src/policy/opa-cli.js";
import { PolicyEvaluationError, PolicyResultError } from "../../src/policy/policy-errors.js";
import { loadWasmPolicy } from "../../src/policy/wasm-policy.js";
import { buildBundle, makeTempDir, SHAPES_ENTRYPOINTS, SHAPES_FIXTURE, type TempDir } from "./toolchain.js";

let tmp: TempDir;
let bundle: string;

beforeAll(() => {
  tmp = makeTempDir("wasm-policy");
  bundle = tmp.file("shapes.tar.gz");
  buildBundle({ src: SHAPES_FIXTURE, out: bundle, entrypoints: SHAPES_ENTRYPOINTS });
});
afterAll(() => tmp.remove());

function input(fields: Record<string, unknown>): PolicyInput {
  return { token: {}, action: "read", resource: {}, context: {}, ...fields } as PolicyInput;
}

const load = (entrypoint: string, bundlePath = bundle, maxMemoryPages = 64) =>
  loadWasmPolicy({ bundlePath, entrypoint, maxMemoryPages });

describe("loadWasmPolicy: result normalisation", () => {
  it("reads the object form, with reasons from the rules and from the bundle's data.json", async () => {
    const policy = await load("fixture/decision");
    const decision = policy.evaluate(input({ shape: "object", role: "admin" }));
    expect(decision.allow).toBe(true);
    expect([...decision.reasons].sort()).toEqual(["fixture.admin", "fixture.base_data"]);
    expect(policy.evaluate(input({ shape: "object", role: "nurse" }))).toEqual({
      allow: false,
      reasons: ["fixture.base_data"],
    });
  });

  it("reads a bare boolean as a decision without reasons", async () => {
    const policy = await load("fixture/bare");
    expect(policy.evaluate(input({ role: "admin" }))).toEqual({ allow: true, reasons: [] });
    expect(policy.evaluate(input({ role: "nurse" }))).toEqual({ allow: false, reasons: [] });
  });

  it("denies without reasons when the entrypoint is undefined", async () => {
    const policy = await load("fixture/sometimes");
    expect(policy.evaluate(input({}))).toEqual({ allow: false, reasons: [] });
    expect(policy.evaluate(input({ defined: true }))).toEqual({ allow: true, reasons: [] });
    expect((await load("fixture/decision")).evaluate(input({ shape: "other" }))).toEqual({
      allow: false,
      reasons: [],
    });
  });

  it("accepts an object without reasons", async () => {
    expect((await load("fixture/no_reasons")).evaluate(input({}))).toEqual({ allow: true, reasons: [] });
  });

  it.each([
    ["fixture/bad_allow", /returned \{"allow":"yes","reasons":\[\]\}: `allow` must be a boolean/],
    [
      "fixture/bad_reasons",
      /returned \{"allow":true,"reasons":\[1,2\]\}: `reasons` must be an array of strings/,
    ],
    [
      "fixture/bad_string",
      /returned "allow": expected \{ allow: boolean, reasons: string\[\] \} or a boolean/,
    ],
  ])("throws PolicyResultError naming what %s returned", async (entrypoint, message) => {
    const policy = await load(entrypoint);
    expect(() => policy.evaluate(input({}))).toThrow(PolicyResultError);
    expect(() => policy.evaluate(input({}))).toThrow(message);
  });

  it("reports a Rego runtime error as PolicyEvaluationError and keeps working", async () => {
    const policy = await load("fixture/conflict");
    expect(() => policy.evaluate(input({ a: true, b: true }))).toThrow(PolicyEvaluationError);
    expect(() => policy.evaluate(input({ a: true, b: true }))).toThrow(
      /fixture\/conflict failed: .*conflict/,
    );
    expect(() => policy.evaluate(input({ a: true }))).toThrow(PolicyResultError); // 1 is not a decision
  });
});

describe("loadWasmPolicy: fail fast on a bad policy file", () => {
  it("names the file when it is missing", async () => {
    const missing = tmp.file("missing.tar.gz");
    await expect(load("fixture/bare", missing)).rejects.toThrow(ConfigError);
    await expect(load("fixture/bare", missing)).rejects.toThrow(
      `${missing}: cannot read the policy bundle: file not found`,
    );
  });

  it("refuses a file that is neither a bundle nor a Wasm module", async () => {
    const text = tmp.file("policy.rego");
    writeFileSync(text, "package authz\n");
    await expect(load("fixture/bare", text)).rejects.toThrow(/neither an OPA bundle .* nor a Wasm module/);
    const notTar = tmp.file("not-tar.tar.gz");
    writeFileSync(notTar, gzipSync(Buffer.alloc(1024, 0x41)));
    await expect(load("fixture/bare", notTar)).rejects.toThrow(/not an OPA bundle: not a tar archive/);
  });

  it("refuses a bundle built without -t wasm", async () => {
    const regoBundle = tmp.file("rego-only.tar.gz");
    runOpa(["build", SHAPES_FIXTURE, "--output", regoBundle]);
    await expect(load("fixture/bare", regoBundle)).rejects.toThrow(
      /has no Wasm module \(policy\.wasm\); build it with `opa build -t wasm`/,
    );
  });

  it("refuses an invalid data.json and data files outside the bundle root", async () => {
    const dir = makeTempDir("crafted-bundle");
    try {
      const entries = readTarGz(readFileSync(bundle), bundle);
      writeFileSync(dir.file("policy.wasm"), entries.get("policy.wasm") ?? Buffer.alloc(0));
      writeFileSync(dir.file("data.json"), "{not json");
      const invalid = tmp.file("invalid-data.tar.gz");
      execFileSync("tar", ["-czf", invalid, "-C", dir.path, "policy.wasm", "data.json"]);
      await expect(load("fixture/bare", invalid)).rejects.toThrow(
        /invalid-data\.tar\.gz \(at data\.json\): not JSON/,
      );

      writeFileSync(dir.file("data.json"), "{}");
      mkdirSync(dir.file("roles"));
      writeFileSync(dir.file("roles/data.json"), '{"x":1}');
      const nested = tmp.file("nested-data.tar.gz");
      execFileSync("tar", ["-czf", nested, "-C", dir.path, "policy.wasm", "data.json", "roles/data.json"]);
      await expect(load("fixture/bare", nested)).rejects.toThrow(
        /data files outside the bundle root .*roles\/data\.json/,
      );
    } finally {
      dir.remove();
    }
  });

  it("lists the available entrypoints when the requested one is not compiled in", async () => {
    const error = await load("authz/decision").catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(78);
    expect((error as Error).message).toContain(
      `${bundle}: entrypoint "authz/decision" is not compiled into the module`,
    );
    expect((error as Error).message).toContain(
      "available: fixture/bad_allow, fixture/bad_reasons, fixture/bad_string",
    );
  });

  it("refuses a maxMemoryPages below what the module needs to start", async () => {
    await expect(load("fixture/bare", bundle, 1)).rejects.toThrow(
      /maxMemoryPages 1 is below the 2 pages the module needs/,
    );
  });
});

describe("loadWasmPolicy: inputs and provenance", () => {
  it("loads a bare policy.wasm (data {}) and defines bundleSha256 as sha256(wasm || data.json)", async () => {
    const entries = readTarGz(readFileSync(bundle), bundle);
    const wasm = entries.get("policy.wasm");
    const data = entries.get("data.json");
    if (!wasm || !data) throw new Error("fixture bundle lacks policy.wasm or data.json");
    const bare = tmp.file("policy.wasm");
    writeFileSync(bare, wasm);

    const fromBundle = await load("fixture/decision");
    const fromWasm = await load("fixture/decision", bare);
    expect(fromBundle.bundleSha256).toBe(createHash("sha256").update(wasm).update(data).digest("hex"));
    expect(fromWasm.bundleSha256).toBe(createHash("sha256").update(wasm).digest("hex"));
    // Without the bundle's data.json, data.fixture_data is undefined.
    expect(fromWasm.evaluate(input({ shape: "object", role: "admin" }))).toEqual({
      allow: true,
      reasons: ["fixture.admin"],
    });
  });

  it("evaluates after a copy of the bundle is moved elsewhere (no path dependence)", async () => {
    const copy = tmp.file("copy.tar.gz");
    copyFileSync(bundle, copy);
    expect((await load("fixture/bare", copy)).evaluate(input({ role: "admin" })).allow).toBe(true);
  });

  it("refuses to evaluate after close", async () => {
    const policy = await load("fixture/bare");
    policy.close();
    expect(() => policy.evaluate(input({}))).toThrow(/the evaluator is closed/);
  });
});

describe("loadWasmPolicy: aborts inside the module", () => {
  it("fails an input too large for maxMemoryPages with PolicyEvaluationError, then keeps evaluating", async () => {
    const policy = await load("fixture/heavy", bundle, 8);
    expect(policy.evaluate(input({ n: 10, pad: "x" }))).toEqual({ allow: true, reasons: [] });

    const huge = input({ n: 50_000, pad: "y".repeat(64) });
    expect(() => policy.evaluate(huge)).toThrow(PolicyEvaluationError);
    expect(() => policy.evaluate(huge)).toThrow(
      /ran out of memory on a fresh instance: .*maxMemoryPages=8 \(0\.5 MiB\)/,
    );

    expect(policy.evaluate(input({ n: 10, pad: "x" }))).toEqual({ allow: true, reasons: [] });
    // Each failure: the aborted instance replaced for the retry, and the retry's for the next input.
    expect(policy.stats().reinstantiations).toBe(4);
  });

  it("reports a builtin the SDK does not implement", async () => {
    const policy = await load("fixture/unimplemented");
    expect(() => policy.evaluate(input({ text: "x" }))).toThrow(PolicyEvaluationError);
    expect(() => policy.evaluate(input({ text: "x" }))).toThrow(
      /not implemented: built-in function .*crypto\.sha256/,
    );
  });
});
