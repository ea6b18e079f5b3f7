import { promoteCohort } from "../../promotion/promote-cohort.js";
import type { GuardedRoute } from "../auth/guarded-route.js";
import { PromotionRefusedError } from "./api-errors.js";
import { jsonBody, jsonRoute } from "./json-route.js";
import { knownCohort } from "./known-cohort.js";
import { promoteInput } from "./request-schemas.js";
import { promoteOutcomeSchema } from "./response-schemas.js";
import type { ReviewRouteDependencies } from "./review-route-dependencies.js";

/**
 * Moves a cohort one stage, behind a gate evaluated (and recorded) now; a rollback always moves.
 * A refusal is a 409 carrying that evaluation, so the caller sees why without a second request.
 */
export function promoteRoute(deps: ReviewRouteDependencies): GuardedRoute {
  const { review, promotion, publisher, log } = deps;
  const now = deps.now ?? (() => new Date());
  return {
    method: "post",
    path: "/api/v1/cohorts/:id/promote",
    roles: ["gate"],
    handlers: [
      jsonBody(log),
      jsonRoute(
        { input: promoteInput, output: promoteOutcomeSchema },
        async ({ params, body }, caller) => {
          const outcome = await promoteCohort(
            promotion.store,
            promotion.config,
            promotion.deployed,
            publisher,
            {
              cohort: knownCohort(review, params.id),
              to: body.to,
              by: caller.subject,
              now: now(),
            },
          );
          if (outcome.kind === "refused") throw new PromotionRefusedError(outcome.gate);
          return outcome;
        },
        log,
      ),
    ],
  };
}
