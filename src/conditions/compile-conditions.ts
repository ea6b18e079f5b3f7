import type { Condition, Conditions, Operator } from "../contracts/conditions.js";
import { ConfigError } from "../errors/errors.js";
import { type Claims, readPath } from "../identity/claims.js";
import { COMPARISONS, type ComparisonName } from "./comparisons.js";
import { type LeftSide, leftPathProblem } from "./left-path.js";
import { isMissing } from "./missing.js";
import { type ParsedOperand, parseListOperand, parseScalarOperand, parseValueOperand } from "./operand.js";

/** Reads a left-side path (`resource.ownerId`, or a claim path for cohorts); undefined when absent. */
export type LeftReader = (path: string) => unknown;

/** True when every condition holds. `token` is what `$token.` references resolve against. */
export type ConditionsPredicate = (left: LeftReader, token: Claims) => boolean;

export interface CompileConditionsOptions {
  /** Where the conditions sit, for error messages, e.g. `rules[3].when`. */
  where: string;
  /** What left paths address; default `request` (legacy rules). */
  leftSide?: LeftSide;
  /** The file the conditions came from, for error messages. */
  file?: string;
}

/** One thing wrong with one condition, keyed by its left path. */
export interface ConditionProblem {
  leftPath: string;
  message: string;
}

type Check = ConditionsPredicate;
type CompiledEntry = { check: Check } | { problem: string };

const ALWAYS: ConditionsPredicate = () => true;

/** Every problem in `conditions`, without compiling them; for schema refinements that know line numbers. */
export function findConditionProblems(
  conditions: Conditions,
  leftSide: LeftSide = "request",
): ConditionProblem[] {
  const problems: ConditionProblem[] = [];
  for (const [leftPath, condition] of Object.entries(conditions)) {
    const entry = compileEntry(leftPath, condition, leftSide);
    if ("problem" in entry) problems.push({ leftPath, message: entry.problem });
  }
  return problems;
}

/**
 * Compiles a `when` map once into a predicate that is cheap to call per request. All conditions
 * must hold (an empty map always holds). Throws ConfigError naming `where.<left path>` and what is
 * wrong for every bad condition. Semantics: docs/rules.md.
 */
export function compileConditions(
  conditions: Conditions,
  options: CompileConditionsOptions,
): ConditionsPredicate {
  const checks: Check[] = [];
  const problems: ConditionProblem[] = [];
  for (const [leftPath, condition] of Object.entries(conditions)) {
    const entry = compileEntry(leftPath, condition, options.leftSide ?? "request");
    if ("problem" in entry) problems.push({ leftPath, message: entry.problem });
    else checks.push(entry.check);
  }
  if (problems.length > 0) {
    const file = options.file ?? "(inline conditions)";
    throw new ConfigError(
      problems.map((p) => ({ file, path: `${options.where}.${p.leftPath}`, message: p.message })),
    );
  }
  return allOf(checks);
}

function allOf(checks: readonly Check[]): ConditionsPredicate {
  const [first] = checks;
  if (first === undefined) return ALWAYS;
  if (checks.length === 1) return first;
  return (left, token) => {
    for (const check of checks) if (!check(left, token)) return false;
    return true;
  };
}

function compileEntry(leftPath: string, condition: Condition, leftSide: LeftSide): CompiledEntry {
  const pathProblem = leftPathProblem(leftPath, leftSide);
  if (pathProblem !== undefined) return { problem: pathProblem };
  // The short form `path: literal` means `path: { equals: literal }`.
  const operator: Operator =
    condition !== null && typeof condition === "object" ? condition : { equals: condition };
  if (operator.exists !== undefined) {
    const wanted = operator.exists;
    return { check: (left) => !isMissing(left(leftPath)) === wanted };
  }
  const [name, operand] = parseOperator(operator);
  if (operand.kind === "problem") return { problem: `${name}: ${operand.message}` };
  return { check: compileComparison(leftPath, name, operand) };
}

function parseOperator(op: Operator): [ComparisonName, ParsedOperand] {
  if (op.notEquals !== undefined) return ["notEquals", parseValueOperand(op.notEquals)];
  if (op.in !== undefined) return ["in", parseListOperand(op.in, "in")];
  if (op.notIn !== undefined) return ["notIn", parseListOperand(op.notIn, "notIn")];
  if (op.contains !== undefined) return ["contains", parseScalarOperand(op.contains)];
  if (op.containsAny !== undefined) return ["containsAny", parseListOperand(op.containsAny, "containsAny")];
  // The schema guarantees exactly one key; `equals: null` arrives here as well.
  return ["equals", parseValueOperand(op.equals ?? null)];
}

function compileComparison(
  leftPath: string,
  name: ComparisonName,
  operand: Exclude<ParsedOperand, { kind: "problem" }>,
): Check {
  const compare = COMPARISONS[name];
  if (operand.kind === "literal") {
    const value = operand.value;
    return (left) => compare(left(leftPath), value);
  }
  const claimPath = operand.claimPath;
  return (left, token) => compare(left(leftPath), readPath(token, claimPath));
}
