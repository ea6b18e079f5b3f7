import { groupBy } from "../collections/group-by.js";
import { FINDING_KINDS, type Finding, type FindingKind, type Severity } from "../contracts/index.js";
import { SEVERITY_RANK } from "./display-labels.js";

export const EXAMPLES_PER_GROUP = 3;

/** Findings that share one cause as far as the report can tell: same kind, request shape and decisions' reasons. */
export interface FindingGroup {
  /** Stable identifier of the group within one report (used for in-page anchors). */
  key: string;
  kind: FindingKind;
  severity: Severity;
  action: string;
  resourceType: string;
  legacyRuleId: string | null;
  newReasons: readonly string[];
  count: number;
  /** Distinct cohorts, sorted. */
  cohorts: readonly string[];
  /** Up to EXAMPLES_PER_GROUP distinct correlation ids, in report order. */
  exampleCorrelationIds: readonly string[];
  findings: readonly Finding[];
}

/**
 * Groups findings by kind × action × resource type × legacy rule id × new policy reasons, most
 * severe first, then largest first; ties in a deterministic order so reports diff cleanly.
 */
export function groupFindings(findings: readonly Finding[]): FindingGroup[] {
  return [...groupBy(findings, groupKey).entries()]
    .map(([key, members]) => toGroup(key, members))
    .sort(compareGroups);
}

function groupKey(f: Finding): string {
  return JSON.stringify([f.kind, f.action, f.resourceType, f.legacy.ruleId, f.new.reasons]);
}

function toGroup(key: string, members: Finding[]): FindingGroup {
  const first = members[0] as Finding; // groups are created with their first member
  const examples = [...new Set(members.map((f) => f.correlationId))].slice(0, EXAMPLES_PER_GROUP);
  return {
    key,
    kind: first.kind,
    severity: first.severity,
    action: first.action,
    resourceType: first.resourceType,
    legacyRuleId: first.legacy.ruleId,
    newReasons: first.new.reasons,
    count: members.length,
    cohorts: [...new Set(members.map((f) => f.cohort))].sort(),
    exampleCorrelationIds: examples,
    findings: members,
  };
}

function compareGroups(a: FindingGroup, b: FindingGroup): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    b.count - a.count ||
    FINDING_KINDS.indexOf(a.kind) - FINDING_KINDS.indexOf(b.kind) ||
    compareText(a.key, b.key)
  );
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
