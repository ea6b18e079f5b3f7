import type { Registry } from "prom-client";
import type { Logger } from "../../logging/logger.js";
import type { GuardedRoute } from "../auth/guarded-route.js";
import { RequestInvalidError, sendError } from "./api-errors.js";
import { metricsInput } from "./request-schemas.js";

/**
 * `GET /metrics`, Prometheus text format, for the reviewer role (a scrape config sends a token):
 * the service's registry, its catalog (docs/metrics.md) and Node.js process defaults.
 */
export function metricsRoute(log: Logger, registry: Registry): GuardedRoute {
  return {
    method: "get",
    path: "/metrics",
    roles: ["reviewer"],
    handlers: [
      async (req, res) => {
        try {
          const parsed = metricsInput.safeParse({ query: req.query });
          if (!parsed.success) throw RequestInvalidError.fromZod(parsed.error);
          const text = await registry.metrics();
          res.status(200).type(registry.contentType).send(text);
        } catch (err) {
          sendError(res, err, log);
        }
      },
    ],
  };
}
