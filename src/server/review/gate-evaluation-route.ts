import type { GuardedRoute } from "../auth/guarded-route.js";
import { gateEvaluationCursor, gateEvaluationPosition } from "./gate-evaluation-cursor.js";
import { jsonRoute } from "./json-route.js";
import { gateEvaluationsInput } from "./request-schemas.js";
import { gateEvaluationPageSchema } from "./response-schemas.js";
import type { ReviewRouteDependencies } from "./review-route-dependencies.js";

/** The audit trail of recorded gate decisions, newest first, in pages. */
export function gateEvaluationRoute({ review, log }: ReviewRouteDependencies): GuardedRoute {
  return {
    method: "get",
    path: "/api/v1/gate-evaluations",
    roles: ["reviewer"],
    handlers: [
      jsonRoute(
        { input: gateEvaluationsInput, output: gateEvaluationPageSchema },
        async ({ query }) => {
          // One more than the page tells whether there is a next page, so the last has no cursor.
          const found = await review.gateEvaluations({
            limit: query.limit + 1,
            ...(query.cohort ? { cohort: query.cohort } : {}),
            ...(query.cursor ? { before: gateEvaluationPosition(query.cursor) } : {}),
          });
          const evaluations = found.slice(0, query.limit);
          const last = evaluations.at(-1);
          return {
            evaluations,
            nextCursor: found.length > query.limit && last ? gateEvaluationCursor(last) : null,
          };
        },
        log,
      ),
    ],
  };
}
