import { describe, expect, it } from "vitest";
import { importedMemoryMinimumPages, isWasmModule } from "./wasm-memory-import.js";
import { wasmApi } from "./wasm-runtime.js";

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

function name(text: string): number[] {
  return [text.length, ...Buffer.from(text)];
}

function module(sections: number[][]): Uint8Array {
  return Uint8Array.from([...HEADER, ...sections.flat()]);
}

function section(id: number, body: number[]): number[] {
  return [id, body.length, ...body];
}

const typeSection = section(1, [1, 0x60, 0, 0]); // one type: () -> ()
const customSection = section(0, [...name("note"), 1, 2, 3]);

describe("importedMemoryMinimumPages", () => {
  it("reads the minimum of an imported memory after other imports", () => {
    const imports = section(2, [
      2,
      ...name("env"),
      ...name("opa_abort"),
      0x00,
      0, // function of type 0
      ...name("env"),
      ...name("memory"),
      0x02, // memory
      0x01, // with a maximum
      0x02, // min 2
      0x90,
      0x03, // max 400 (LEB128)
    ]);
    const bytes = module([customSection, typeSection, imports]);
    expect(wasmApi.validate(bytes)).toBe(true); // a module V8 accepts
    expect(importedMemoryMinimumPages(bytes)).toBe(2);
  });

  it("reads a multi-byte minimum without a maximum", () => {
    const imports = section(2, [1, ...name("env"), ...name("memory"), 0x02, 0x00, 0x81, 0x01]);
    expect(importedMemoryMinimumPages(module([imports]))).toBe(129);
  });

  it("is undefined for a module that imports no memory", () => {
    expect(importedMemoryMinimumPages(module([typeSection]))).toBeUndefined();
  });

  it("throws on a truncated module", () => {
    expect(() => importedMemoryMinimumPages(Uint8Array.from([...HEADER, 2, 10, 1]))).toThrow(
      /unexpected end/,
    );
  });

  it("recognises the Wasm magic", () => {
    expect(isWasmModule(module([]))).toBe(true);
    expect(isWasmModule(Buffer.from("PK\x03\x04"))).toBe(false);
  });
});
