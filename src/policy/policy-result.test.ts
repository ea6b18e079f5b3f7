import { describe, expect, it } from "vitest";
import { PolicyResultError } from "./policy-errors.js";
import { toDecision, toPolicyDecision } from "./policy-result.js";

const EP = "authz/decision";

describe("toPolicyDecision", () => {
  it("reads an empty result set (undefined entrypoint) as deny without reasons", () => {
    expect(toPolicyDecision([], EP)).toEqual({ allow: false, reasons: [] });
  });

  it("reads the object form and the bare boolean", () => {
    expect(toPolicyDecision([{ result: { allow: true, reasons: ["a", "b"] } }], EP)).toEqual({
      allow: true,
      reasons: ["a", "b"],
    });
    expect(toPolicyDecision([{ result: false }], EP)).toEqual({ allow: false, reasons: [] });
    expect(toPolicyDecision([{ result: true }], EP)).toEqual({ allow: true, reasons: [] });
  });

  it("treats absent reasons as none and ignores extra keys", () => {
    expect(toPolicyDecision([{ result: { allow: true, debug: { rule: 3 } } }], EP)).toEqual({
      allow: true,
      reasons: [],
    });
  });

  it.each([
    ["a non-array", { result: true }, /not a result set/],
    ["several results", [{ result: true }, { result: false }], /more than one result/],
    ["an entry without result", [{ value: true }], /without a `result`/],
  ])("rejects %s", (_name, resultSet, message) => {
    expect(() => toPolicyDecision(resultSet, EP)).toThrow(message);
  });
});

describe("toDecision", () => {
  it.each([
    ["a string", "allow", /returned "allow": expected/],
    ["a number", 1, /returned 1: expected/],
    ["null", null, /returned null: expected/],
    ["an array", [true], /returned \[true\]: expected/],
    ["a string allow", { allow: "true" }, /`allow` must be a boolean/],
    ["a missing allow", { reasons: [] }, /`allow` must be a boolean/],
    ["reasons as a string", { allow: false, reasons: "nope" }, /`reasons` must be an array of strings/],
    ["non-string reasons", { allow: false, reasons: ["ok", 2] }, /`reasons` must be an array of strings/],
  ])("throws PolicyResultError for %s, naming what came back", (_name, value, message) => {
    let caught: unknown;
    try {
      toDecision(value, EP);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PolicyResultError);
    expect((caught as PolicyResultError).exitCode).toBe(78);
    expect((caught as Error).message).toMatch(/^policy entrypoint authz\/decision returned /);
    expect((caught as Error).message).toMatch(message);
  });

  it("shortens a huge result in the message", () => {
    const huge = { allow: "x".repeat(10_000) };
    expect(() => toDecision(huge, EP)).toThrow(/…: `allow` must be a boolean/);
    try {
      toDecision(huge, EP);
    } catch (err) {
      expect((err as Error).message.length).toBeLessThan(400);
    }
  });
});
