import { describe, expect, it } from "vitest";
import { Prng, WeightedTable } from "./prng.js";

const draws = (rng: Prng, n: number) => Array.from({ length: n }, () => rng.uint32());

describe("Prng", () => {
  it("repeats the same sequence for the same seed, another for another seed", () => {
    expect(draws(new Prng(7), 50)).toEqual(draws(new Prng(7), 50));
    expect(draws(new Prng(7), 50)).not.toEqual(draws(new Prng(8), 50));
  });

  it("derives independent streams by label", () => {
    expect(draws(Prng.derive(7, "world"), 20)).toEqual(draws(Prng.derive(7, "world"), 20));
    expect(draws(Prng.derive(7, "world"), 20)).not.toEqual(draws(Prng.derive(7, "traffic"), 20));
  });

  it("keeps values in range", () => {
    const rng = new Prng(1);
    const xs = Array.from({ length: 10_000 }, () => rng.next());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const ks = new Set(Array.from({ length: 1_000 }, () => rng.int(3)));
    expect(ks).toEqual(new Set([0, 1, 2]));
  });

  it("spreads uniformly enough for traffic shares", () => {
    const rng = new Prng(3);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) {
      const k = rng.int(4);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });

  it("writes lower-case hex of the asked length", () => {
    const rng = new Prng(5);
    expect(rng.hex(24)).toMatch(/^[0-9a-f]{24}$/);
    expect(rng.hex(3)).toMatch(/^[0-9a-f]{3}$/);
  });

  it("draws exponential gaps with the asked mean", () => {
    const rng = new Prng(9);
    let sum = 0;
    for (let i = 0; i < 20_000; i++) sum += rng.exponential(40);
    expect(sum / 20_000).toBeGreaterThan(38);
    expect(sum / 20_000).toBeLessThan(42);
  });

  it("refuses to pick from an empty list", () => {
    expect(() => new Prng(1).pick([])).toThrow(RangeError);
  });
});

describe("WeightedTable", () => {
  it("picks in proportion to the weights and never a zero weight", () => {
    const table = new WeightedTable([
      ["a", 3],
      ["never", 0],
      ["b", 1],
    ] as const);
    const rng = new Prng(11);
    const seen = { a: 0, b: 0, never: 0 };
    for (let i = 0; i < 20_000; i++) seen[table.pick(rng)]++;
    expect(seen.never).toBe(0);
    expect(seen.a / 20_000).toBeCloseTo(0.75, 1);
  });

  it("needs a positive weight", () => {
    expect(() => new WeightedTable([["a", 0]])).toThrow(RangeError);
  });
});
