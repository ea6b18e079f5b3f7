import type { CoverageRequirement, CoverageResult } from "../contracts/index.js";

/** Pairs observed on one request path, as the store counts them. */
export interface ObservedPath {
  action: string;
  resourceType: string;
  legacyRuleId: string | null;
  pairs: number;
}

/** Each requirement with how often its path was observed; a requirement without a rule id sums all rules. */
export function checkCoverage(
  requirements: readonly CoverageRequirement[],
  observed: readonly ObservedPath[],
): CoverageResult[] {
  return requirements.map((r) => {
    const count = observed
      .filter(
        (o) =>
          o.action === r.action &&
          o.resourceType === r.resourceType &&
          (r.legacyRuleId === undefined || o.legacyRuleId === r.legacyRuleId),
      )
      .reduce((sum, o) => sum + o.pairs, 0);
    return {
      action: r.action,
      resourceType: r.resourceType,
      legacyRuleId: r.legacyRuleId ?? null,
      minPairs: r.minPairs,
      observed: count,
      ok: count >= r.minPairs,
    };
  });
}

/** "read patient_record (rule break-glass-read): 3/5 pairs". */
export function describeCoverage(c: CoverageResult): string {
  const rule = c.legacyRuleId === null ? "" : ` (rule ${c.legacyRuleId})`;
  return `${c.action} ${c.resourceType}${rule}: ${c.observed}/${c.minPairs} pairs`;
}
