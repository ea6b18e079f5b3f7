import { describe, expect, it } from "vitest";
import type { PolicyInput } from "./evaluator.js";
import { PolicyEvaluationError, PolicyInputError } from "./policy-errors.js";
import { WasmPolicyEvaluator } from "./wasm-policy-evaluator.js";

/** The project's lib has no WebAssembly types (src/policy/wasm-runtime.ts); the test needs its RuntimeError. */
const WASM = (globalThis as unknown as { WebAssembly: { RuntimeError: ErrorConstructor } }).WebAssembly;

import type { OpaPolicyInstance } from "./wasm-runtime.js";

const PAGE = 64 * 1024;
const INPUT: PolicyInput = { token: {}, action: "read", resource: { type: "lab_result" }, context: {} };
const ALLOW = [{ result: { allow: true, reasons: ["fake.allow"] } }];

/**
 * Models the SDK behaviour of npm-opa-wasm #143: every evaluation starts where the previous one
 * ended, so the heap creeps by `leak` bytes a call until the allocator cannot grow the memory;
 * setData puts the heap back at its base.
 */
class LeakyInstance implements OpaPolicyInstance {
  heap: number;
  bytes: number;
  setDataCalls = 0;
  readonly mem = { buffer: { byteLength: 0 } };
  readonly wasmInstance = { exports: { opa_heap_ptr_get: () => this.heap } };

  constructor(
    private readonly leak: number,
    private readonly maxBytes: number,
    private readonly base = PAGE,
  ) {
    this.heap = base;
    this.bytes = 2 * PAGE;
    this.syncMemory();
  }

  get entrypoints(): unknown {
    return { "authz/decision": 0 };
  }

  /** `input.resource.workingSet` bytes are needed during the call only; `leak` stays allocated. */
  evaluate(input: unknown, _entrypoint: number): unknown {
    const workingSet = Number((input as PolicyInput).resource.workingSet ?? 0);
    const peak = this.heap + this.leak + workingSet;
    if (peak > this.maxBytes) throw "opa_malloc: failed"; // what opa_abort throws
    this.heap += this.leak;
    this.bytes = Math.max(this.bytes, Math.ceil(peak / PAGE) * PAGE);
    this.syncMemory();
    return ALLOW;
  }

  setData(_data: ArrayBuffer): void {
    this.setDataCalls++;
    this.heap = this.base;
  }

  private syncMemory(): void {
    (this.mem.buffer as { byteLength: number }).byteLength = this.bytes;
  }
}

function evaluatorOver(make: () => OpaPolicyInstance, maximumPages: number) {
  const instances: OpaPolicyInstance[] = [];
  const instantiate = () => {
    const instance = make();
    instances.push(instance);
    return instance;
  };
  const evaluator = new WasmPolicyEvaluator({
    entrypoint: "authz/decision",
    entrypointId: 0,
    sha256: "0".repeat(64),
    maximumPages,
    data: new ArrayBuffer(2),
    first: instantiate(),
    instantiate,
  });
  return { evaluator, instances };
}

describe("WasmPolicyEvaluator memory guard", () => {
  it("the leaky fake aborts when nothing guards it (the failure the guard prevents)", () => {
    const raw = new LeakyInstance(1024, 16 * PAGE);
    expect(() => {
      for (let i = 0; i < 20_000; i++) raw.evaluate(INPUT, 0);
    }).toThrow("opa_malloc: failed");
  });

  it("keeps a leaking instance within bounds over 20k evaluations by resetting its heap", () => {
    const { evaluator, instances } = evaluatorOver(() => new LeakyInstance(1024, 16 * PAGE), 16);
    for (let i = 0; i < 20_000; i++) expect(evaluator.evaluate(INPUT).allow).toBe(true);
    const stats = evaluator.stats();
    expect(stats.reinstantiations).toBe(0);
    // 20k KiB leaked, reset about every 7.5 pages.
    expect(stats.heapResets).toBeGreaterThanOrEqual(40);
    // High-water mark: base + half the remaining memory, so about the middle of 16 pages.
    expect(stats.memoryBytes).toBeLessThanOrEqual(10 * PAGE);
    expect(instances).toHaveLength(1);
  });

  it("resets only when the heap passes the high-water mark", () => {
    const { evaluator } = evaluatorOver(() => new LeakyInstance(16, 1024 * PAGE), 1024);
    for (let i = 0; i < 1_000; i++) evaluator.evaluate(INPUT);
    expect(evaluator.stats().heapResets).toBe(0);
  });

  it("retries an out-of-memory abort once on a fresh instance", () => {
    let poisoned = true;
    const make = () => {
      const instance = new LeakyInstance(1024, 16 * PAGE);
      // The first instance is already exhausted, as after a leak no guard caught.
      if (poisoned) instance.heap = 16 * PAGE;
      poisoned = false;
      return instance;
    };
    const { evaluator, instances } = evaluatorOver(make, 16);
    expect(evaluator.evaluate(INPUT)).toEqual({ allow: true, reasons: ["fake.allow"] });
    expect(evaluator.stats().reinstantiations).toBe(1);
    expect(instances).toHaveLength(2);
  });

  it("gives up with PolicyEvaluationError when a fresh instance runs out too, and stays usable", () => {
    const { evaluator } = evaluatorOver(() => new LeakyInstance(1024, 16 * PAGE), 16);
    const tooBig: PolicyInput = { ...INPUT, resource: { type: "lab_result", workingSet: 32 * PAGE } };
    expect(() => evaluator.evaluate(tooBig)).toThrow(PolicyEvaluationError);
    expect(() => evaluator.evaluate(tooBig)).toThrow(
      /ran out of memory on a fresh instance: .*maxMemoryPages=16 \(1 MiB\)/,
    );
    expect(evaluator.evaluate(INPUT).allow).toBe(true);
    expect(evaluator.stats().reinstantiations).toBe(4);
  });

  it("retries other aborts once on a fresh instance, then blames the input and leaves a clean instance", () => {
    const make = () => {
      const instance = new LeakyInstance(0, PAGE * 16);
      instance.evaluate = () => {
        throw "var assignment conflict";
      };
      return instance;
    };
    const { evaluator } = evaluatorOver(make, 16);
    expect(() => evaluator.evaluate(INPUT)).toThrow(PolicyInputError);
    expect(() => evaluator.evaluate(INPUT)).toThrow("policy authz/decision failed: var assignment conflict");
    // One fresh instance for each retry, and one for the input after the first failure.
    expect(evaluator.stats().reinstantiations).toBe(3);
  });

  it("lets an instantiation failure through as it is, not as the input's fault, and keeps the old instance", () => {
    let instantiable = true;
    let calls = 0;
    const make = () => {
      if (!instantiable) throw new PolicyEvaluationError("cannot instantiate the policy module: no memory");
      const instance = new LeakyInstance(0, PAGE * 16);
      const evaluate = instance.evaluate.bind(instance);
      // The first instance aborts once (as on a Rego conflict), then answers.
      instance.evaluate = (input, entrypoint) => {
        if (calls++ === 0) throw "var assignment conflict";
        return evaluate(input, entrypoint);
      };
      return instance;
    };
    const { evaluator } = evaluatorOver(make, 16);
    instantiable = false;
    const failure = (() => {
      try {
        evaluator.evaluate(INPUT);
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(PolicyEvaluationError);
    expect(failure).not.toBeInstanceOf(PolicyInputError);
    expect(String(failure)).toContain("cannot instantiate");
    // Not closed: the old instance still answers, and instantiating works again later.
    expect(evaluator.evaluate(INPUT).allow).toBe(true);
    instantiable = true;
    expect(evaluator.evaluate(INPUT).allow).toBe(true);
  });

  it("answers from a fresh instance when an abort poisoned the old one", () => {
    let first = true;
    const make = () => {
      const instance = new LeakyInstance(0, PAGE * 16);
      if (first)
        instance.evaluate = () => {
          throw new WASM.RuntimeError("memory access out of bounds");
        };
      first = false;
      return instance;
    };
    const { evaluator } = evaluatorOver(make, 16);
    expect(evaluator.evaluate(INPUT)).toEqual({ allow: true, reasons: ["fake.allow"] });
    expect(evaluator.stats().reinstantiations).toBe(1);
  });
});
