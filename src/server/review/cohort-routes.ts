import { gateEvaluationSchema } from "../../contracts/index.js";
import type { CohortOverview } from "../../review/review-service.js";
import type { GuardedRoute } from "../auth/guarded-route.js";
import { jsonRoute } from "./json-route.js";
import { knownCohort } from "./known-cohort.js";
import { cohortGateInput, cohortsInput } from "./request-schemas.js";
import { type CohortOverviewView, cohortListSchema } from "./response-schemas.js";
import type { ReviewRouteDependencies } from "./review-route-dependencies.js";

/** The cohort overview and each cohort's gate: read now, or decided and recorded by the gate role. */
export function cohortRoutes(deps: ReviewRouteDependencies): GuardedRoute[] {
  const { review, log } = deps;
  const now = deps.now ?? (() => new Date());
  const gate = (record: boolean) =>
    jsonRoute(
      { input: cohortGateInput, output: gateEvaluationSchema, status: record ? 201 : 200 },
      ({ params, query }, caller) =>
        review.cohortGate(knownCohort(review, params.id), {
          ...query,
          by: caller.subject,
          now: now(),
          record,
        }),
      log,
    );
  return [
    {
      method: "get",
      path: "/api/v1/cohorts",
      roles: ["reviewer"],
      handlers: [
        jsonRoute(
          { input: cohortsInput, output: cohortListSchema },
          async () => ({ cohorts: (await review.cohorts(now())).map(cohortView) }),
          log,
        ),
      ],
    },
    // Reading a gate is not a decision: only the POST is recorded as audit evidence.
    { method: "get", path: "/api/v1/cohorts/:id/gate", roles: ["reviewer"], handlers: [gate(false)] },
    { method: "post", path: "/api/v1/cohorts/:id/gate", roles: ["gate"], handlers: [gate(true)] },
  ];
}

/** The overview as JSON: trend points carry their step's start as RFC 3339 text. */
function cohortView(overview: CohortOverview): CohortOverviewView {
  return { ...overview, trend: overview.trend.map((p) => ({ ...p, at: p.at.toISOString() })) };
}
