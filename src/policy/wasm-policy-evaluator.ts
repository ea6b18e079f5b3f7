import type { PolicyDecision, PolicyEvaluator, PolicyInput } from "./evaluator.js";
import { PolicyEvaluationError, PolicyInputError } from "./policy-errors.js";
import { toPolicyDecision } from "./policy-result.js";
import { abortMessage, isOutOfMemory } from "./wasm-abort.js";
import type { OpaPolicyInstance } from "./wasm-runtime.js";

const PAGE_BYTES = 64 * 1024;
/**
 * How far above its base (the end of the loaded data) the heap may be after an evaluation before
 * the guard resets it: far above one authorization request's working set, far below a memory
 * limit worth having. Half the remaining memory when that is smaller.
 */
export const HEAP_HEADROOM_BYTES = 16 * 1024 * 1024;

export interface WasmPolicyParts {
  entrypoint: string;
  entrypointId: number;
  sha256: string;
  maximumPages: number;
  /** The base data document (JSON text) setData reloads on every heap reset. */
  data: ArrayBuffer;
  first: OpaPolicyInstance;
  /** A fresh instance with fresh memory, from the already compiled module. */
  instantiate: () => OpaPolicyInstance;
}

/** Counters of the memory guard, for tests and the benchmark. */
export interface WasmPolicyStats {
  evaluations: number;
  memoryBytes: number;
  /** Heap resets through setData after an evaluation left the heap above the high-water mark. */
  heapResets: number;
  /** Fresh instances created from the compiled module after an abort (out of memory or any other). */
  reinstantiations: number;
}

/**
 * Evaluates one entrypoint of an OPA Wasm module, guarding against heap growth across
 * evaluations (npm-opa-wasm issue #143, see docs/policy.md): when an evaluation leaves the heap
 * pointer above a high-water mark, setData resets it to its base, and an abort is retried once on
 * a fresh instance of the compiled module.
 * Synchronous and stateful: one per thread.
 */
export class WasmPolicyEvaluator implements PolicyEvaluator {
  readonly entrypoint: string;
  readonly bundleSha256: string;
  private readonly parts: Omit<WasmPolicyParts, "first">;
  private policy: OpaPolicyInstance | undefined;
  private highWater: number;
  /** The last evaluation aborted on the current instance: the next one needs a fresh instance. */
  private aborted = false;
  private readonly counts = { evaluations: 0, heapResets: 0, reinstantiations: 0 };

  constructor({ first, ...parts }: WasmPolicyParts) {
    this.entrypoint = parts.entrypoint;
    this.bundleSha256 = parts.sha256;
    this.parts = parts;
    this.policy = first;
    this.highWater = this.highWaterOf(first);
  }

  evaluate(input: PolicyInput): PolicyDecision {
    return toPolicyDecision(this.resultSet(input), this.entrypoint);
  }

  stats(): WasmPolicyStats {
    return { ...this.counts, memoryBytes: this.policy?.mem.buffer.byteLength ?? 0 };
  }

  /** Drops the instance and its memory; evaluating afterwards is an error. */
  close(): void {
    this.policy = undefined;
  }

  private resultSet(input: PolicyInput): unknown {
    const policy = this.usablePolicy();
    this.counts.evaluations++;
    try {
      return this.evaluateOn(policy, input);
    } catch {
      return this.retryOnFreshInstance(input);
    }
  }

  /**
   * An abort leaves the instance's memory in an unknown state: after a Rego conflict's abort the
   * next evaluation of any input fails with "memory access out of bounds"
   * (test/cli/policy-error.test.ts found it). So every abort is retried once on a fresh instance of
   * the compiled module. An input that fails there too is the input's fault (PolicyInputError),
   * and the next evaluation starts on a fresh instance again. An instance that cannot be created
   * is no fault of the input: that error propagates as it is.
   */
  private retryOnFreshInstance(input: PolicyInput): unknown {
    const fresh = this.reinstantiate();
    try {
      return this.evaluateOn(fresh, input);
    } catch (thrown) {
      this.aborted = true;
      if (!isOutOfMemory(thrown)) throw this.evaluationError(thrown);
      const limit = this.parts.maximumPages;
      throw new PolicyInputError(
        `policy ${this.entrypoint} ran out of memory on a fresh instance: this input needs more than ` +
          `maxMemoryPages=${limit} (${(limit * PAGE_BYTES) / 2 ** 20} MiB)`,
      );
    }
  }

  private evaluateOn(policy: OpaPolicyInstance, input: PolicyInput): unknown {
    const resultSet = policy.evaluate(input, this.parts.entrypointId);
    this.guardHeap(policy);
    return resultSet;
  }

  private guardHeap(policy: OpaPolicyInstance): void {
    if (policy.wasmInstance.exports.opa_heap_ptr_get() <= this.highWater) return;
    policy.setData(this.parts.data);
    this.counts.heapResets++;
  }

  /** Set once per instance, right after its data is loaded, when the heap pointer is at its base. */
  private highWaterOf(policy: OpaPolicyInstance): number {
    const base = policy.wasmInstance.exports.opa_heap_ptr_get();
    const limit = this.parts.maximumPages * PAGE_BYTES;
    return base + Math.min(HEAP_HEADROOM_BYTES, Math.max(0, Math.floor((limit - base) / 2)));
  }

  /** The old instance stays until a new one exists: a failed instantiation must not close the evaluator. */
  private reinstantiate(): OpaPolicyInstance {
    const policy = this.parts.instantiate();
    this.counts.reinstantiations++;
    this.policy = policy;
    this.highWater = this.highWaterOf(policy);
    this.aborted = false;
    return policy;
  }

  /** The live instance, replaced first when the last evaluation left it aborted. */
  private usablePolicy(): OpaPolicyInstance {
    const policy = this.livePolicy();
    return this.aborted ? this.reinstantiate() : policy;
  }

  private livePolicy(): OpaPolicyInstance {
    if (!this.policy) throw new PolicyEvaluationError(`policy ${this.entrypoint}: the evaluator is closed`);
    return this.policy;
  }

  private evaluationError(thrown: unknown): PolicyInputError {
    return new PolicyInputError(`policy ${this.entrypoint} failed: ${abortMessage(thrown)}`);
  }
}
