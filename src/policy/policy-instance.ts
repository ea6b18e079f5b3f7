import { createRequire } from "node:module";
import { PolicyEvaluationError } from "./policy-errors.js";
import { abortMessage } from "./wasm-abort.js";
import type { CompiledWasmModule, OpaPolicyInstance } from "./wasm-runtime.js";

interface OpaWasmSdk {
  loadPolicySync(module: CompiledWasmModule, memory: { initial: number; maximum: number }): OpaPolicyInstance;
}

// The SDK's ES module entry exports only the async loadPolicy, though its typings declare
// loadPolicySync too; the CommonJS entry has both.
const sdk = createRequire(import.meta.url)("@open-policy-agent/opa-wasm") as OpaWasmSdk;

export interface MemoryBounds {
  initialPages: number;
  maximumPages: number;
}

/**
 * One SDK instance of the compiled module with its own bounded memory and the bundle's data
 * loaded. Synchronous, so the evaluator can replace a broken instance in the middle of a call.
 */
export function instantiatePolicy(
  module: CompiledWasmModule,
  memory: MemoryBounds,
  data: ArrayBuffer,
): OpaPolicyInstance {
  let policy: OpaPolicyInstance;
  try {
    policy = sdk.loadPolicySync(module, { initial: memory.initialPages, maximum: memory.maximumPages });
    policy.setData(data);
  } catch (thrown) {
    throw new PolicyEvaluationError(`cannot instantiate the policy module: ${abortMessage(thrown)}`);
  }
  return policy;
}

/** Entrypoint names (e.g. `authz/decision`) to the ids `opa_eval` takes. */
export function entrypointIds(policy: OpaPolicyInstance): Map<string, number> {
  const ids = new Map<string, number>();
  const table: unknown = policy.entrypoints;
  if (table !== null && typeof table === "object") {
    for (const [name, id] of Object.entries(table)) if (typeof id === "number") ids.set(name, id);
  }
  return ids;
}
