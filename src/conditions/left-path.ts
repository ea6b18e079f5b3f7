/**
 * What the left side of a condition reads: the request (legacy rules: `action`, `resource.*`,
 * `context.*`) or the claims of a token (cohorts).
 */
export type LeftSide = "request" | "claims";

const DOT_PATH = /^[^.]+(?:\.[^.]+)*$/;
const REQUEST_PATH = /^(?:action|(?:resource|context)\.[^.]+(?:\.[^.]+)*)$/;

/** Why `path` cannot be the left side of a condition, or undefined when it can. */
export function leftPathProblem(path: string, side: LeftSide): string | undefined {
  if (path.startsWith("$")) {
    return `the left side is a ${side === "request" ? "request" : "claim"} path, not a reference; "$token.<claim>" belongs on the right`;
  }
  if (side === "request" && !REQUEST_PATH.test(path)) {
    return `"${path}" is not a request path: use action, resource.<attribute> or context.<attribute>`;
  }
  if (!DOT_PATH.test(path)) return `"${path}" is not a dot path (empty segment)`;
  return undefined;
}

/** True for `a`, `a.b.c`; false for ``, `.a`, `a..b`, `a.`. */
export function isDotPath(path: string): boolean {
  return DOT_PATH.test(path);
}
