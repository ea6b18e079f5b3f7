import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { claimShape, stableJson } from "./claim-shape.js";

const IDS = new Set(["sub", "legacy_sub", "proxy_for"]);
const caregiver = (sub: string, patients: string[], iat = 1_000) => ({
  legacy: { sub, roles: ["caregiver"], tenant: "t-a", proxy_for: patients, iat, exp: iat + 3_600 },
  new: { sub: `n-${sub}`, legacy_sub: sub, roles: ["caregiver"], tenant: "t-a", proxy_for: patients, iat },
});

describe("claimShape", () => {
  it("renames identity values consistently across both tokens and drops time claims", () => {
    const c = caregiver("u-1", ["u-7"]);
    const shape = claimShape(c.legacy, c.new, IDS);
    expect(shape.claims).toEqual({
      legacy: { proxy_for: ["#1"], roles: ["caregiver"], sub: "#2", tenant: "t-a" },
      new: { legacy_sub: "#2", proxy_for: ["#1"], roles: ["caregiver"], sub: "#3", tenant: "t-a" },
    });
  });

  it("gives people of the same form one key, and a different form another", () => {
    const a = caregiver("u-1", ["u-7"], 1_000);
    const b = caregiver("u-2", ["u-9"], 99_000);
    const two = caregiver("u-3", ["u-7", "u-8"]);
    const key = (c: { legacy: Record<string, unknown>; new: Record<string, unknown> }) =>
      claimShape(c.legacy, c.new, IDS).key;
    expect(key(a)).toBe(key(b));
    expect(key(a)).not.toBe(key(two));
    const { legacy_sub: _, ...withoutContinuity } = a.new;
    const noContinuity = { legacy: a.legacy, new: withoutContinuity };
    expect(key(noContinuity)).not.toBe(key(a));
  });

  it("is blind to any one-to-one renaming of identity values (property)", () => {
    const id = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
    fc.assert(
      fc.property(
        fc.uniqueArray(id, { minLength: 4, maxLength: 4 }),
        fc.uniqueArray(id, { minLength: 4, maxLength: 4 }),
        (xs, ys) => {
          const [s, n, p1, p2] = xs as [string, string, string, string];
          const [t, m, q1, q2] = ys as [string, string, string, string];
          const one = claimShape({ sub: s, proxy_for: [p1, p2, p1] }, { sub: n, legacy_sub: s }, IDS);
          const other = claimShape({ sub: t, proxy_for: [q1, q2, q1] }, { sub: m, legacy_sub: t }, IDS);
          expect(one.key).toBe(other.key);
        },
      ),
    );
  });
});

describe("stableJson", () => {
  it("sorts keys at every depth", () => {
    expect(stableJson({ b: [{ d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[{"c":2,"d":1}]}');
  });
});
