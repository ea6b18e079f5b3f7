import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolicyDecision, PolicyInput } from "../../src/policy/evaluator.js";
import { loadWasmPolicy } from "../../src/policy/wasm-policy.js";
import { sampleInputs } from "./authz-inputs.js";
import { evaluateNatively } from "./native-opa.js";
import { buildBundle, makeTempDir, POLICY_DIR, type TempDir } from "./toolchain.js";

const ENTRYPOINT = "authz/decision";
const INPUT_COUNT = 500;
const SEED = 20_240_611;

let tmp: TempDir;
let bundle: string;

beforeAll(() => {
  tmp = makeTempDir("differential");
  bundle = tmp.file("bundle.tar.gz");
  buildBundle({ out: bundle });
});
afterAll(() => tmp.remove());

interface Disagreement {
  input: PolicyInput;
  native: PolicyDecision;
  wasm: PolicyDecision;
}

describe("differential: native opa eval vs the Wasm evaluator on policies/", () => {
  it(`agrees on allow and reasons for ${INPUT_COUNT} generated inputs`, async () => {
    const inputs = sampleInputs(INPUT_COUNT, SEED);
    const native = evaluateNatively(POLICY_DIR, ENTRYPOINT, inputs, tmp.file("inputs.json"));
    const policy = await loadWasmPolicy({ bundlePath: bundle, entrypoint: ENTRYPOINT, maxMemoryPages: 64 });
    const wasm = inputs.map((input) => policy.evaluate(input));

    const disagreements: Disagreement[] = [];
    inputs.forEach((input, i) => {
      const [n, w] = [native[i], wasm[i]];
      if (n && w && (n.allow !== w.allow || JSON.stringify(n.reasons) !== JSON.stringify(w.reasons))) {
        disagreements.push({ input, native: n, wasm: w });
      }
    });
    expect(disagreements.slice(0, 5), `${disagreements.length} disagreements`).toEqual([]);
    expect(wasm).toHaveLength(INPUT_COUNT);

    // Not vacuous: the inputs reach allows, denies and many distinct reasons.
    const allowed = native.filter((d) => d.allow).length;
    const reasons = new Set(native.flatMap((d) => d.reasons));
    expect(allowed).toBeGreaterThanOrEqual(INPUT_COUNT * 0.1);
    expect(INPUT_COUNT - allowed).toBeGreaterThanOrEqual(INPUT_COUNT * 0.3);
    expect(reasons.size).toBeGreaterThanOrEqual(15);
  });
});
