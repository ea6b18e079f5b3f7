import type { Config } from "../contracts/index.js";
import { UNASSIGNED_COHORT } from "../contracts/index.js";
import { UsageError } from "../errors/errors.js";

/** A cohort the config defines (or `unassigned`); a typo must not gate an empty cohort. */
export function configuredCohort(config: Pick<Config, "cohorts">, cohort: string): string {
  const known = [...config.cohorts.map((c) => c.id), UNASSIGNED_COHORT];
  if (!known.includes(cohort))
    throw new UsageError(`unknown cohort "${cohort}"; the config defines: ${known.join(", ")}`);
  return cohort;
}
