import type { PolicyDecision } from "./evaluator.js";
import { PolicyResultError } from "./policy-errors.js";

const EXPECTED = "expected { allow: boolean, reasons: string[] } or a boolean";

/**
 * Turns the result set of one entrypoint evaluation (`[]` or `[{ result: X }]`, as the OPA Wasm
 * SDK and `opa eval` return it) into a decision. An empty set (the entrypoint is undefined for
 * this input) is a deny with no reasons; `X` may be a boolean or an object with a boolean `allow`
 * and an optional array of string `reasons` (other keys are ignored). Anything else throws
 * PolicyResultError rather than being read as a deny.
 */
export function toPolicyDecision(resultSet: unknown, entrypoint: string): PolicyDecision {
  if (!Array.isArray(resultSet)) {
    throw new PolicyResultError(entrypoint, resultSet, "not a result set (an array)");
  }
  if (resultSet.length === 0) return { allow: false, reasons: [] };
  if (resultSet.length > 1) {
    throw new PolicyResultError(
      entrypoint,
      resultSet,
      "more than one result; an entrypoint must be a single value",
    );
  }
  const [entry] = resultSet;
  if (!isRecord(entry) || !Object.hasOwn(entry, "result")) {
    throw new PolicyResultError(entrypoint, resultSet, "a result set entry without a `result`");
  }
  return toDecision(entry.result, entrypoint);
}

/** Normalises the value of the entrypoint itself (what `opa eval` prints as `result`). */
export function toDecision(value: unknown, entrypoint: string): PolicyDecision {
  if (typeof value === "boolean") return { allow: value, reasons: [] };
  if (!isRecord(value)) throw new PolicyResultError(entrypoint, value, EXPECTED);
  if (typeof value.allow !== "boolean") {
    throw new PolicyResultError(entrypoint, value, `\`allow\` must be a boolean; ${EXPECTED}`);
  }
  return { allow: value.allow, reasons: toReasons(value, entrypoint) };
}

function toReasons(value: Record<string, unknown>, entrypoint: string): string[] {
  const reasons = value.reasons;
  if (reasons === undefined) return [];
  if (!Array.isArray(reasons) || !reasons.every((r) => typeof r === "string")) {
    throw new PolicyResultError(entrypoint, value, `\`reasons\` must be an array of strings; ${EXPECTED}`);
  }
  return reasons;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
