import { describe, expect, it } from "vitest";
import { abortMessage, isOutOfMemory } from "./wasm-abort.js";

describe("abortMessage", () => {
  it("reads the shapes the SDK throws", () => {
    expect(abortMessage("var assignment conflict")).toBe("var assignment conflict");
    expect(abortMessage({ message: "not implemented: built-in function 1: crypto.sha256" })).toMatch(
      /crypto/,
    );
    expect(abortMessage(new TypeError("Do not know how to serialize a BigInt"))).toMatch(/BigInt/);
    expect(abortMessage(42)).toBe("42");
  });
});

describe("isOutOfMemory", () => {
  it("is true for the allocator's abort and a refused memory.grow", () => {
    expect(isOutOfMemory("opa_malloc: failed")).toBe(true);
    expect(isOutOfMemory(new RangeError("WebAssembly.Memory.grow(): Maximum memory size exceeded"))).toBe(
      true,
    );
  });

  it("is false for other aborts", () => {
    expect(isOutOfMemory("object insert conflict")).toBe(false);
    expect(isOutOfMemory(new RangeError("Invalid array length"))).toBe(false);
    expect(isOutOfMemory({ message: "not implemented" })).toBe(false);
  });
});
