import { waiverSchema } from "../../contracts/index.js";
import type { GuardedRoute } from "../auth/guarded-route.js";
import { jsonBody, jsonRoute } from "./json-route.js";
import { createWaiverInput, waiversInput } from "./request-schemas.js";
import { waiverListSchema } from "./response-schemas.js";
import type { ReviewRouteDependencies } from "./review-route-dependencies.js";

/** Accepted differences: listed for reviewers, filed by approvers in their own name. */
export function waiverRoutes(deps: ReviewRouteDependencies): GuardedRoute[] {
  const { review, log } = deps;
  const now = deps.now ?? (() => new Date());
  return [
    {
      method: "get",
      path: "/api/v1/waivers",
      roles: ["reviewer"],
      handlers: [
        jsonRoute(
          { input: waiversInput, output: waiverListSchema },
          async ({ query }) => ({ waivers: await review.waivers(query) }),
          log,
        ),
      ],
    },
    {
      method: "post",
      path: "/api/v1/waivers",
      roles: ["approver"],
      handlers: [
        jsonBody(log),
        jsonRoute(
          { input: createWaiverInput, output: waiverSchema, status: 201 },
          // The filer is the token's subject: the body cannot name someone else (it is strict).
          ({ body }, caller) => review.createWaiver(body, caller.subject, now()),
          log,
        ),
      ],
    },
  ];
}
