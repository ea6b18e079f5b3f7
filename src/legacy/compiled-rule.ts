import { type ConditionsPredicate, compileConditions } from "../conditions/compile-conditions.js";
import type { LegacyDecision, LegacyRule } from "../contracts/rules.js";

/** `*` in roles, actions or resources matches anything (roles: any verified principal). */
export const WILDCARD = "*";

/** A rule ready for evaluation; `decision` is shared by every request this rule decides. */
export interface CompiledRule {
  readonly id: string;
  readonly effect: "allow" | "deny";
  /** null: any role (wildcard). */
  readonly roles: ReadonlySet<string> | null;
  /** null: any action / resource type (wildcard). */
  readonly actions: ReadonlySet<string> | null;
  readonly resourceTypes: ReadonlySet<string> | null;
  readonly when: ConditionsPredicate | null;
  readonly decision: Readonly<LegacyDecision>;
}

export function compileRule(rule: LegacyRule, index: number, file: string): CompiledRule {
  return {
    id: rule.id,
    effect: rule.effect,
    roles: nameSet(rule.roles),
    actions: nameSet(rule.actions),
    resourceTypes: nameSet(rule.resources),
    when:
      rule.when === undefined ? null : compileConditions(rule.when, { where: `rules[${index}].when`, file }),
    decision: Object.freeze({ allow: rule.effect === "allow", ruleId: rule.id }),
  };
}

function nameSet(names: readonly string[]): ReadonlySet<string> | null {
  return names.includes(WILDCARD) ? null : new Set(names);
}

export function hasAnyRole(rule: CompiledRule, roles: readonly string[]): boolean {
  if (rule.roles === null) return true;
  for (const role of roles) if (rule.roles.has(role)) return true;
  return false;
}
