/**
 * The slice of the WebAssembly JS API this folder uses. Node has the API, but the project's lib
 * setting (ES2023, no DOM) does not type it, and the SDK's own declarations then degrade to
 * `any`; these narrow types keep the evaluator type-checked.
 */
export interface CompiledWasmModule {
  readonly __compiledWasmModule: unique symbol;
}

interface WasmApi {
  compile(bytes: Uint8Array): Promise<CompiledWasmModule>;
  validate(bytes: Uint8Array): boolean;
}

export const wasmApi: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** What the evaluator uses of the SDK's LoadedPolicy. */
export interface OpaPolicyInstance {
  readonly mem: { readonly buffer: { readonly byteLength: number } };
  /** `opa_heap_ptr_get` is part of the OPA Wasm ABI: the module's next free heap address. */
  readonly wasmInstance: { readonly exports: { opa_heap_ptr_get(): number } };
  readonly entrypoints: unknown;
  evaluate(input: unknown, entrypoint: number): unknown;
  setData(data: ArrayBuffer): void;
}
