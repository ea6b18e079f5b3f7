import type { GuardedRoute } from "../auth/guarded-route.js";
import { cohortRoutes } from "./cohort-routes.js";
import { findingRoutes } from "./finding-routes.js";
import { gateEvaluationRoute } from "./gate-evaluation-route.js";
import { metricsRoute } from "./metrics-route.js";
import { promoteRoute } from "./promote-route.js";
import type { ReviewRouteDependencies } from "./review-route-dependencies.js";
import { waiverRoutes } from "./waiver-routes.js";

export type { ReviewRouteDependencies } from "./review-route-dependencies.js";

/** Every guarded route of the review API, for `createApp({ routes })`; openapi.ts documents them. */
export function reviewRoutes(deps: ReviewRouteDependencies): GuardedRoute[] {
  return [
    ...cohortRoutes(deps),
    promoteRoute(deps),
    ...findingRoutes(deps),
    ...waiverRoutes(deps),
    gateEvaluationRoute(deps),
    metricsRoute(deps.log, deps.registry),
  ];
}
