import { jsonEquals } from "./json-equals.js";
import { isMissing } from "./missing.js";

/** Compares the left value with the resolved right-hand side. Both may be missing: then false. */
export type Comparison = (left: unknown, right: unknown) => boolean;

export type ComparisonName = "equals" | "notEquals" | "in" | "notIn" | "contains" | "containsAny";

/** A reference may point at one value where a list is expected: one value is a one-element list. */
function asList(value: unknown): readonly unknown[] | undefined {
  if (isMissing(value)) return undefined;
  return Array.isArray(value) ? value : [value];
}

/** Role-like claims come as a list or as one string; one string is a one-element list. */
function asMembers(value: unknown): readonly unknown[] | undefined {
  if (Array.isArray(value)) return value;
  return typeof value === "string" ? [value] : undefined;
}

function includes(list: readonly unknown[], value: unknown): boolean {
  for (const element of list) if (!isMissing(element) && jsonEquals(element, value)) return true;
  return false;
}

export const COMPARISONS: Readonly<Record<ComparisonName, Comparison>> = {
  equals: (left, right) => !isMissing(left) && !isMissing(right) && jsonEquals(left, right),
  notEquals: (left, right) => !isMissing(left) && !isMissing(right) && !jsonEquals(left, right),
  in: (left, right) => {
    const list = asList(right);
    return list !== undefined && !isMissing(left) && includes(list, left);
  },
  notIn: (left, right) => {
    const list = asList(right);
    return list !== undefined && !isMissing(left) && !includes(list, left);
  },
  contains: (left, right) => {
    const members = asMembers(left);
    return members !== undefined && !isMissing(right) && includes(members, right);
  },
  containsAny: (left, right) => {
    const members = asMembers(left);
    const wanted = asList(right);
    if (members === undefined || wanted === undefined) return false;
    for (const value of wanted) if (!isMissing(value) && includes(members, value)) return true;
    return false;
  },
};
