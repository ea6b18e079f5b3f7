import {
  type ConditionsPredicate,
  compileConditions,
  findConditionProblems,
} from "../conditions/compile-conditions.js";
import { type CohortDefinition, UNASSIGNED_COHORT } from "../contracts/config.js";
import { type Claims, readPath } from "../identity/claims.js";

/** Assigns a principal to a cohort from its token claims. */
export type CohortAssigner = (claims: Claims) => string;

/**
 * First cohort whose `when` holds wins; none gives `unassigned`. Left paths are claim paths, and
 * `$token.` references resolve against the same claims. `file` names the config in errors.
 */
export function compileCohorts(
  cohorts: readonly CohortDefinition[],
  options: { file?: string } = {},
): CohortAssigner {
  const compiled: { id: string; when: ConditionsPredicate }[] = cohorts.map((cohort, index) => ({
    id: cohort.id,
    when: compileConditions(cohort.when, {
      where: `cohorts[${index}].when`,
      leftSide: "claims",
      file: options.file,
    }),
  }));
  return (claims) => {
    const left = (path: string) => readPath(claims, path);
    for (const cohort of compiled) if (cohort.when(left, claims)) return cohort.id;
    return UNASSIGNED_COHORT;
  };
}

/**
 * Condition problems of the cohort list as zod-style issues (path inside the config), for a
 * config schema refinement, so they are reported with file and line like any config error.
 */
export function cohortConditionIssues(
  cohorts: readonly CohortDefinition[],
): { path: (string | number)[]; message: string }[] {
  return cohorts.flatMap((cohort, index) =>
    findConditionProblems(cohort.when, "claims").map((p) => ({
      path: ["cohorts", index, "when", p.leftPath],
      message: p.message,
    })),
  );
}
