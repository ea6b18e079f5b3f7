import { type Operand, type Scalar, TOKEN_REF_PREFIX } from "../contracts/conditions.js";
import { isDotPath } from "./left-path.js";

/**
 * A literal string that really starts with `$` is written with the `$` doubled (`"$$5 off"` is
 * the string `"$5 off"`), so a mistyped reference such as `$tokn.sub` is an error instead of a
 * literal that silently never matches.
 */
export const LITERAL_DOLLAR_ESCAPE = "$$";

/** The right-hand side of a condition, resolved at compile time. */
export type ParsedOperand =
  | { kind: "literal"; value: Scalar | readonly Scalar[] }
  | { kind: "token"; claimPath: string }
  | { kind: "problem"; message: string };

/** One value: a literal or a whole-operand `$token.<claim path>` reference. */
export function parseScalarOperand(raw: Scalar): ParsedOperand {
  if (typeof raw === "string" && raw.startsWith(TOKEN_REF_PREFIX)) {
    const claimPath = raw.slice(TOKEN_REF_PREFIX.length);
    if (isDotPath(claimPath)) return { kind: "token", claimPath };
    return problem(`"${raw}" is not a reference: "$token." needs a claim path such as $token.sub`);
  }
  return parseLiteral(raw);
}

/** `equals`/`notEquals`: one value, or a list compared as a whole. */
export function parseValueOperand(raw: Operand): ParsedOperand {
  return Array.isArray(raw) ? parseLiteralList(raw, { allowEmpty: true }) : parseScalarOperand(raw as Scalar);
}

/** `in`/`notIn`/`containsAny`: a non-empty literal list, or a reference to a claim holding one. */
export function parseListOperand(raw: readonly Scalar[] | string, operator: string): ParsedOperand {
  if (Array.isArray(raw)) return parseLiteralList(raw, { allowEmpty: false });
  const ref =
    typeof raw === "string" && raw.startsWith(TOKEN_REF_PREFIX) ? parseScalarOperand(raw) : undefined;
  return (
    ref ?? problem(`${operator} takes a list or a "$token.<claim>" reference, not ${JSON.stringify(raw)}`)
  );
}

function parseLiteralList(raw: readonly Scalar[], opts: { allowEmpty: boolean }): ParsedOperand {
  if (raw.length === 0 && !opts.allowEmpty) {
    return problem("an empty list never matches; remove the condition or use exists");
  }
  const values: Scalar[] = [];
  for (const element of raw) {
    if (typeof element === "string" && element.startsWith(TOKEN_REF_PREFIX)) {
      return problem(`"${element}": a $token reference must be the whole operand, not a list element`);
    }
    const parsed = parseLiteral(element);
    if (parsed.kind !== "literal") return parsed;
    values.push(parsed.value as Scalar);
  }
  return { kind: "literal", value: values };
}

function parseLiteral(raw: Scalar): ParsedOperand {
  if (raw === null) {
    return problem(
      "null never matches (a missing or null value fails every comparison); use { exists: false }",
    );
  }
  if (typeof raw !== "string" || !raw.startsWith("$")) return { kind: "literal", value: raw };
  if (raw.startsWith(LITERAL_DOLLAR_ESCAPE)) return { kind: "literal", value: raw.slice(1) };
  return problem(
    `unknown reference "${raw}": a right-hand side starting with "$" must be "$token.<claim path>" ` +
      `(write "$${raw}" for a literal string starting with "$")`,
  );
}

function problem(message: string): ParsedOperand {
  return { kind: "problem", message };
}
