import type { AuthzRequest, LegacyDecision, LegacyRulesFile } from "../contracts/index.js";
import { type Claims, readPath } from "../identity/claims.js";
import { type CompiledRule, compileRule, hasAnyRole } from "./compiled-rule.js";
import type { LegacyEngine } from "./engine.js";
import { readRoles } from "./role-claim.js";
import { RuleIndex } from "./rule-index.js";

/** No rule matched: default deny, reported with no rule id. */
const DEFAULT_DENY: Readonly<LegacyDecision> = Object.freeze({ allow: false, ruleId: null });

/**
 * Compiles a validated rules file into the legacy model. Any matching deny wins (the first in
 * file order is reported); else the first matching allow; else deny with `ruleId: null`.
 * Decisions are frozen and shared: do not mutate them. `source` names the file in errors.
 */
export function compileLegacyRules(
  file: LegacyRulesFile,
  rulesSha256: string,
  source = "(legacy rules)",
): LegacyEngine {
  const rules = file.rules.map((rule, index) => compileRule(rule, index, source));
  const index = new RuleIndex(rules);
  const roleClaim = file.roleClaim;

  return {
    rulesSha256,
    decide(claims: Claims, request: AuthzRequest): LegacyDecision {
      const bucket = index.lookup(request.action, request.resource.type);
      if (bucket.denies.length === 0 && bucket.allows.length === 0) return DEFAULT_DENY;
      const roles = readRoles(claims, roleClaim);
      const left = (path: string) => readPath(request, path);
      return (
        firstMatch(bucket.denies, roles, left, claims) ??
        firstMatch(bucket.allows, roles, left, claims) ??
        DEFAULT_DENY
      );
    },
  };
}

function firstMatch(
  rules: readonly CompiledRule[],
  roles: readonly string[],
  left: (path: string) => unknown,
  claims: Claims,
): LegacyDecision | undefined {
  for (const rule of rules) {
    if (hasAnyRole(rule, roles) && (rule.when === null || rule.when(left, claims))) return rule.decision;
  }
  return undefined;
}
