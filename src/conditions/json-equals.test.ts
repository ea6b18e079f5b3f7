import { describe, expect, it } from "vitest";
import { jsonEquals } from "./json-equals.js";

describe("jsonEquals", () => {
  it("compares scalars strictly, without coercion", () => {
    expect(jsonEquals("a", "a")).toBe(true);
    expect(jsonEquals(1, 1)).toBe(true);
    expect(jsonEquals(1, "1")).toBe(false);
    expect(jsonEquals(true, 1)).toBe(false);
    expect(jsonEquals(null, null)).toBe(true);
    expect(jsonEquals(null, {})).toBe(false);
  });

  it("compares arrays element by element, in order", () => {
    expect(jsonEquals(["a", "b"], ["a", "b"])).toBe(true);
    expect(jsonEquals(["a", "b"], ["b", "a"])).toBe(false);
    expect(jsonEquals(["a"], ["a", "a"])).toBe(false);
    expect(jsonEquals([["x"]], [["x"]])).toBe(true);
    expect(jsonEquals([], {})).toBe(false);
    expect(jsonEquals({}, [])).toBe(false);
  });

  it("compares objects by own keys, whatever their order", () => {
    expect(jsonEquals({ a: 1, b: [2] }, { b: [2], a: 1 })).toBe(true);
    expect(jsonEquals({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(jsonEquals({ a: 1, b: 2 }, { a: 1, c: 2 })).toBe(false);
  });

  it("does not see inherited properties", () => {
    const inherited = Object.create({ a: 1 }) as Record<string, unknown>;
    expect(jsonEquals(inherited, { a: 1 })).toBe(false);
    expect(jsonEquals({}, inherited)).toBe(true);
  });
});
