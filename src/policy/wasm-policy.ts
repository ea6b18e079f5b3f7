import { ConfigError } from "../errors/errors.js";
import { type CompiledPolicy, readCompiledPolicy } from "./compiled-policy.js";
import { entrypointIds, instantiatePolicy, type MemoryBounds } from "./policy-instance.js";
import { importedMemoryMinimumPages } from "./wasm-memory-import.js";
import { WasmPolicyEvaluator } from "./wasm-policy-evaluator.js";
import { type CompiledWasmModule, type OpaPolicyInstance, wasmApi } from "./wasm-runtime.js";

export interface WasmPolicyOptions {
  /** An `opa build -t wasm` bundle (.tar.gz) or a bare policy.wasm. */
  bundlePath: string;
  /** Slash-separated entrypoint compiled into the module, e.g. `authz/decision`. */
  entrypoint: string;
  /** Upper bound of the instance's linear memory, in 64 KiB pages. */
  maxMemoryPages: number;
}

const DEFAULT_INITIAL_PAGES = 2;

/**
 * Loads a compiled policy for in-process evaluation. Fails fast with a ConfigError naming the file
 * when it is missing, is neither a bundle nor a Wasm module, cannot be instantiated within
 * `maxMemoryPages`, or does not export `entrypoint` (the error lists the ones it has).
 * One evaluator per thread: it owns a Wasm instance and its memory.
 */
export async function loadWasmPolicy(options: WasmPolicyOptions): Promise<WasmPolicyEvaluator> {
  const { bundlePath: file, entrypoint } = options;
  const compiled = readCompiledPolicy(file, entrypoint);
  const module = await compileModule(compiled);
  const memory = memoryBounds(compiled, options.maxMemoryPages);
  const data = dataBuffer(compiled);
  const first = instantiateFirst(file, memory, () => instantiatePolicy(module, memory, data));
  return new WasmPolicyEvaluator({
    entrypoint,
    entrypointId: resolveEntrypoint(first, entrypoint, file),
    sha256: compiled.sha256,
    maximumPages: memory.maximumPages,
    data,
    first,
    instantiate: () => instantiatePolicy(module, memory, data),
  });
}

async function compileModule(compiled: CompiledPolicy): Promise<CompiledWasmModule> {
  try {
    return await wasmApi.compile(compiled.wasm);
  } catch (err) {
    throw new ConfigError([
      { file: compiled.file, message: `not a valid Wasm module: ${(err as Error).message}` },
    ]);
  }
}

function memoryBounds(compiled: CompiledPolicy, maxMemoryPages: number): MemoryBounds {
  let minimum: number | undefined;
  try {
    minimum = importedMemoryMinimumPages(compiled.wasm);
  } catch (err) {
    throw new ConfigError([
      { file: compiled.file, message: `malformed Wasm module: ${(err as Error).message}` },
    ]);
  }
  if (minimum !== undefined && maxMemoryPages < minimum) {
    throw new ConfigError([
      {
        file: compiled.file,
        message: `maxMemoryPages ${maxMemoryPages} is below the ${minimum} pages the module needs`,
      },
    ]);
  }
  return {
    initialPages: Math.min(minimum ?? DEFAULT_INITIAL_PAGES, maxMemoryPages),
    maximumPages: maxMemoryPages,
  };
}

/** setData takes an exactly sized ArrayBuffer of JSON text (a Buffer may be a view of a larger pool). */
function dataBuffer(compiled: CompiledPolicy): ArrayBuffer {
  const bytes = compiled.data ?? Buffer.from("{}");
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

function instantiateFirst(
  file: string,
  memory: MemoryBounds,
  instantiate: () => OpaPolicyInstance,
): OpaPolicyInstance {
  try {
    return instantiate();
  } catch (err) {
    throw new ConfigError([
      { file, message: `${(err as Error).message} (maxMemoryPages: ${memory.maximumPages})` },
    ]);
  }
}

function resolveEntrypoint(policy: OpaPolicyInstance, entrypoint: string, file: string): number {
  const ids = entrypointIds(policy);
  const id = ids.get(entrypoint);
  if (id !== undefined) return id;
  const available = [...ids.keys()].sort().join(", ") || "none";
  throw new ConfigError([
    { file, message: `entrypoint "${entrypoint}" is not compiled into the module; available: ${available}` },
  ]);
}
