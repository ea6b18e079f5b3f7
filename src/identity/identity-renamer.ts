/**
 * Renames identifying values to `#1`, `#2`, ... in order of first appearance, the same value
 * getting the same name wherever it appears: equality between ids survives, the ids do not.
 * Strings and numbers are renamed; arrays and objects are renamed leaf by leaf (an id may be a
 * number, or sit in `[{ id }]`). Booleans and null carry no identity and stay.
 */
export interface IdentityRenamer {
  /** Every leaf of `v` renamed. */
  rename(v: unknown): unknown;
  /** `v` with only the leaves already renamed somewhere replaced: an id seen elsewhere is the same person. */
  known(v: unknown): unknown;
}

export function createIdentityRenamer(): IdentityRenamer {
  const names = new Map<string, string>();
  const keyOf = (v: string | number) => `${typeof v}:${v}`;
  const map = (v: unknown, leaf: (x: string | number) => unknown): unknown => {
    if (typeof v === "string" || typeof v === "number") return leaf(v);
    if (Array.isArray(v)) return v.map((x) => map(x, leaf));
    if (v !== null && typeof v === "object")
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, map(x, leaf)]));
    return v;
  };
  const nameOf = (x: string | number) => {
    const key = keyOf(x);
    let name = names.get(key);
    if (name === undefined) {
      name = `#${names.size + 1}`;
      names.set(key, name);
    }
    return name;
  };
  return {
    rename: (v) => map(v, nameOf),
    known: (v) => map(v, (x) => names.get(keyOf(x)) ?? x),
  };
}
