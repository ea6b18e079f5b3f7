import type { CompiledRule } from "./compiled-rule.js";

/** The rules that can apply to one (action, resource type), in file order, split by effect. */
export interface RuleBucket {
  readonly denies: readonly CompiledRule[];
  readonly allows: readonly CompiledRule[];
}

/** Stands for every action / resource type that no rule names explicitly. */
const OTHER: unique symbol = Symbol("other");
type NameKey = string | typeof OTHER;

/**
 * Finds the candidate rules of a request without scanning the file. Names that no rule mentions
 * all share the OTHER key, so buckets are built lazily and their number is bounded by the rules
 * file ((named actions + 1) x (named types + 1)), not by the traffic.
 */
export class RuleIndex {
  private readonly namedActions = new Set<string>();
  private readonly namedTypes = new Set<string>();
  private readonly buckets = new Map<NameKey, Map<NameKey, RuleBucket>>();

  constructor(private readonly rules: readonly CompiledRule[]) {
    for (const rule of rules) {
      for (const action of rule.actions ?? []) this.namedActions.add(action);
      for (const type of rule.resourceTypes ?? []) this.namedTypes.add(type);
    }
  }

  lookup(action: string, resourceType: string): RuleBucket {
    const actionKey: NameKey = this.namedActions.has(action) ? action : OTHER;
    const typeKey: NameKey = this.namedTypes.has(resourceType) ? resourceType : OTHER;
    let byType = this.buckets.get(actionKey);
    if (byType === undefined) {
      byType = new Map();
      this.buckets.set(actionKey, byType);
    }
    let bucket = byType.get(typeKey);
    if (bucket === undefined) {
      bucket = this.build(actionKey, typeKey);
      byType.set(typeKey, bucket);
    }
    return bucket;
  }

  private build(action: NameKey, type: NameKey): RuleBucket {
    const matching = this.rules.filter(
      (rule) => covers(rule.actions, action) && covers(rule.resourceTypes, type),
    );
    return {
      denies: matching.filter((rule) => rule.effect === "deny"),
      allows: matching.filter((rule) => rule.effect === "allow"),
    };
  }
}

/** An OTHER name is covered only by a wildcard: no rule names it. */
function covers(names: ReadonlySet<string> | null, key: NameKey): boolean {
  return names === null || (typeof key === "string" && names.has(key));
}
