/**
 * What the OPA Wasm SDK throws is not always an Error: `opa_abort` throws the module's message
 * as a bare string, a missing builtin throws `{ message }`, a refused `memory.grow` a RangeError.
 */
export function abortMessage(thrown: unknown): string {
  if (typeof thrown === "string") return thrown;
  if (thrown instanceof Error) return thrown.message;
  if (
    thrown !== null &&
    typeof thrown === "object" &&
    typeof (thrown as { message?: unknown }).message === "string"
  ) {
    return (thrown as { message: string }).message;
  }
  return String(thrown);
}

/** The module's allocator could not grow its memory, or the SDK could not grow it for the input. */
export function isOutOfMemory(thrown: unknown): boolean {
  if (thrown instanceof RangeError) return /memory/i.test(thrown.message);
  return abortMessage(thrown) === "opa_malloc: failed";
}
