import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTarGz } from "../../src/policy/bundle-archive.js";
import type { PolicyInput } from "../../src/policy/evaluator.js";
import { loadWasmPolicy } from "../../src/policy/wasm-policy.js";
import { sampleInputs } from "./authz-inputs.js";
import { buildBundle, makeTempDir, type TempDir } from "./toolchain.js";

const PAGE = 64 * 1024;
const EVALUATIONS = 20_000;
/** Small on purpose: any heap growth across evaluations would exhaust it within a few hundred. */
const MAX_PAGES = 4;

interface RawLoadedPolicy {
  mem: { buffer: ArrayBuffer };
  evaluate(input: unknown, entrypoint: string): unknown;
}
const sdk = createRequire(import.meta.url)("@open-policy-agent/opa-wasm") as {
  loadPolicySync(wasm: Uint8Array, memory: { initial: number; maximum: number }): RawLoadedPolicy;
};

let tmp: TempDir;
let bundle: string;
let wasm: Buffer;
let inputs: PolicyInput[];

beforeAll(() => {
  tmp = makeTempDir("memory-guard");
  bundle = tmp.file("bundle.tar.gz");
  buildBundle({ out: bundle });
  const module = readTarGz(readFileSync(bundle), bundle).get("policy.wasm");
  if (!module) throw new Error("the built bundle has no policy.wasm");
  wasm = module;
  inputs = sampleInputs(500, 7);
});
afterAll(() => tmp.remove());

describe("npm-opa-wasm #143 (heap growth over repeated evaluation)", () => {
  it("the issue's reproduction does not abort with SDK 1.10.0 (its fast path resets the heap per call)", () => {
    const policy = sdk.loadPolicySync(wasm, { initial: 2, maximum: 8 });
    const input = "a".repeat(2 * PAGE);
    for (let i = 0; i < 16; i++) policy.evaluate(input, "authz/decision");
    expect(policy.mem.buffer.byteLength).toBeLessThanOrEqual(8 * PAGE);
  });

  it(`the bare SDK keeps memory flat over ${EVALUATIONS} evaluations within ${MAX_PAGES} pages`, () => {
    const policy = sdk.loadPolicySync(wasm, { initial: 2, maximum: MAX_PAGES });
    for (const input of inputs) policy.evaluate(input, "authz/decision");
    const afterWarmUp = policy.mem.buffer.byteLength;
    for (let i = 0; i < EVALUATIONS; i++) policy.evaluate(inputs[i % inputs.length], "authz/decision");
    expect(policy.mem.buffer.byteLength).toBe(afterWarmUp);
  });
});

describe("the guarded Wasm evaluator on the real policy", () => {
  it(`evaluates ${EVALUATIONS} times within ${MAX_PAGES} pages without an abort or a new instance`, async () => {
    const policy = await loadWasmPolicy({
      bundlePath: bundle,
      entrypoint: "authz/decision",
      maxMemoryPages: MAX_PAGES,
    });
    const first = inputs.map((input) => policy.evaluate(input));
    for (let i = 0; i < EVALUATIONS; i++) policy.evaluate(inputs[i % inputs.length] as PolicyInput);
    const stats = policy.stats();
    expect(stats.evaluations).toBe(EVALUATIONS + inputs.length);
    expect(stats.reinstantiations).toBe(0);
    expect(stats.memoryBytes).toBeLessThanOrEqual(MAX_PAGES * PAGE);
    // Same answers after 20k evaluations and the resets as at the start.
    expect(inputs.map((input) => policy.evaluate(input))).toEqual(first);
  });

  it("costs well under 20 µs per evaluation of the demo policy", async () => {
    const policy = await loadWasmPolicy({
      bundlePath: bundle,
      entrypoint: "authz/decision",
      maxMemoryPages: 64,
    });
    for (const input of inputs) policy.evaluate(input);
    const rounds = 40_000;
    const start = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) policy.evaluate(inputs[i % inputs.length] as PolicyInput);
    const microsPerEvaluation = Number(process.hrtime.bigint() - start) / 1_000 / rounds;
    console.info(`wasm policy: ${microsPerEvaluation.toFixed(2)} µs/evaluation (${rounds} evaluations)`);
    // Generous against noisy CI neighbours; a regression such as re-instantiating per call costs milliseconds.
    expect(microsPerEvaluation).toBeLessThan(60);
  });
});
