import { type Claims, readPath } from "../identity/claims.js";

const NO_ROLES: readonly string[] = Object.freeze([]);

/**
 * The principal's role names from the `roleClaim` dot path: a list of names or one name. Anything
 * else (absent, a number, an object) means no roles; non-string list elements are ignored, so a
 * malformed claim can only make fewer rules match, never more.
 */
export function readRoles(claims: Claims, roleClaim: string): readonly string[] {
  const value = readPath(claims, roleClaim);
  if (typeof value === "string") return value.length > 0 ? [value] : NO_ROLES;
  if (!Array.isArray(value)) return NO_ROLES;
  return value.every(isRoleName) ? (value as string[]) : value.filter(isRoleName);
}

function isRoleName(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}
