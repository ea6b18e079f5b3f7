import type { ReviewService } from "../../review/review-service.js";
import { NotFoundError } from "./api-errors.js";

/** The cohort a path names, when it is configured (or `unassigned`); 404 otherwise. */
export function knownCohort(review: Pick<ReviewService, "cohortIds">, id: string): string {
  const ids = review.cohortIds();
  if (!ids.includes(id)) throw new NotFoundError(`no cohort "${id}"; the cohorts are: ${ids.join(", ")}`);
  return id;
}
