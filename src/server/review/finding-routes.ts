import { driftPageSchema, latentReportSchema, mismatchDetailSchema } from "../../contracts/index.js";
import type { GuardedRoute } from "../auth/guarded-route.js";
import { NotFoundError } from "./api-errors.js";
import { jsonRoute } from "./json-route.js";
import { driftInput, latentInput, mismatchInput } from "./request-schemas.js";
import type { ReviewRouteDependencies } from "./review-route-dependencies.js";

/** What a reviewer triages: mismatches grouped into drift, one pair's detail, latent drift. */
export function findingRoutes({ review, log }: ReviewRouteDependencies): GuardedRoute[] {
  return [
    {
      method: "get",
      path: "/api/v1/drift",
      roles: ["reviewer"],
      handlers: [
        jsonRoute({ input: driftInput, output: driftPageSchema }, ({ query }) => review.drift(query), log),
      ],
    },
    {
      method: "get",
      path: "/api/v1/latent",
      roles: ["reviewer"],
      handlers: [
        jsonRoute(
          { input: latentInput, output: latentReportSchema },
          async ({ query }) => {
            const { latent, ...rest } = query;
            const report = await review.latent({
              ...rest,
              ...(latent ? { latentOnly: true } : {}),
              now: new Date(),
            });
            if (!report)
              throw new NotFoundError(
                "latent entitlement drift is not configured: the config has no latent section",
              );
            return report;
          },
          log,
        ),
      ],
    },
    {
      method: "get",
      path: "/api/v1/mismatches/:pairId",
      roles: ["reviewer"],
      handlers: [
        jsonRoute(
          { input: mismatchInput, output: mismatchDetailSchema },
          async ({ params }) => {
            const detail = await review.mismatch(params.pairId);
            // Retention drops old pairs: an id from an old report may be gone, not wrong.
            if (!detail)
              throw new NotFoundError(`no stored pair ${params.pairId} (never seen, or past retention)`);
            return detail;
          },
          log,
        ),
      ],
    },
  ];
}
