import { isDeepStrictEqual } from "node:util";
import type { AuthzRequest, Condition, LegacyDecision, LegacyRule } from "../../src/contracts/index.js";
import { type Claims, readPath } from "../../src/identity/claims.js";

/**
 * A deliberately naive model of docs/rules.md for differential tests: scans every rule, no index,
 * no compilation, its own equality (node:util) and its own operator code.
 */
export function referenceDecide(
  rules: readonly LegacyRule[],
  roleClaim: string,
  claims: Claims,
  request: AuthzRequest,
): LegacyDecision {
  const applies = (rule: LegacyRule) =>
    matchesName(rule.roles, (role) => principalRoles(claims, roleClaim).includes(role)) &&
    matchesName(rule.actions, (action) => action === request.action) &&
    matchesName(rule.resources, (type) => type === request.resource.type) &&
    Object.entries(rule.when ?? {}).every(([path, condition]) =>
      conditionHolds(path, condition, request, claims),
    );
  const deny = rules.find((rule) => rule.effect === "deny" && applies(rule));
  if (deny) return { allow: false, ruleId: deny.id };
  const allow = rules.find((rule) => rule.effect === "allow" && applies(rule));
  return allow ? { allow: true, ruleId: allow.id } : { allow: false, ruleId: null };
}

function matchesName(names: readonly string[], matches: (name: string) => boolean): boolean {
  return names.includes("*") || names.some(matches);
}

function principalRoles(claims: Claims, roleClaim: string): string[] {
  const value = readPath(claims, roleClaim);
  if (typeof value === "string") return value === "" ? [] : [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string" && v !== "") : [];
}

const none = (v: unknown) => v === undefined || v === null;

function resolve(raw: unknown, claims: Claims): unknown {
  if (Array.isArray(raw)) return raw.map((v) => resolve(v, claims));
  if (typeof raw !== "string") return raw;
  if (raw.startsWith("$token.")) return readPath(claims, raw.slice("$token.".length));
  return raw.startsWith("$$") ? raw.slice(1) : raw;
}

function conditionHolds(path: string, condition: Condition, request: AuthzRequest, claims: Claims): boolean {
  const left = readPath(request, path);
  const op = typeof condition === "object" && condition !== null ? condition : { equals: condition };
  if (op.exists !== undefined) return op.exists === !none(left);
  const [name, raw] = Object.entries(op)[0] ?? [];
  const right = resolve(raw, claims);
  if (none(left) || none(right)) return false;
  const list = Array.isArray(right) ? right : [right];
  const members = Array.isArray(left) ? left : typeof left === "string" ? [left] : [];
  switch (name) {
    case "equals":
      return isDeepStrictEqual(left, right);
    case "notEquals":
      return !isDeepStrictEqual(left, right);
    case "in":
      return list.some((v) => isDeepStrictEqual(v, left));
    case "notIn":
      return !list.some((v) => isDeepStrictEqual(v, left));
    case "contains":
      return members.some((m) => isDeepStrictEqual(m, right));
    case "containsAny":
      return list.some((v) => members.some((m) => isDeepStrictEqual(m, v)));
    default:
      throw new Error(`reference: unknown operator ${String(name)}`);
  }
}
