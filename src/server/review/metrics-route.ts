import { collectDefaultMetrics, register } from "prom-client";
import type { Logger } from "../../logging/logger.js";
import type { GuardedRoute } from "../auth/guarded-route.js";
import { RequestInvalidError, sendError } from "./api-errors.js";
import { metricsInput } from "./request-schemas.js";

let collecting = false;

/**
 * prom-client refuses to register its default metrics twice in one registry, and every app built
 * in a process (tests build many) shares the default registry: start them once.
 */
function collectDefaultMetricsOnce(): void {
  if (collecting) return;
  collectDefaultMetrics();
  collecting = true;
}

/**
 * `GET /metrics`, Prometheus text format, for the reviewer role (a scrape config sends a token).
 * Only prom-client's process and Node.js defaults for now: the service's own metrics catalog
 * (pairs, findings, lag, store writes) is a later issue.
 */
export function metricsRoute(log: Logger): GuardedRoute {
  collectDefaultMetricsOnce();
  return {
    method: "get",
    path: "/metrics",
    roles: ["reviewer"],
    handlers: [
      async (req, res) => {
        try {
          const parsed = metricsInput.safeParse({ query: req.query });
          if (!parsed.success) throw RequestInvalidError.fromZod(parsed.error);
          const text = await register.metrics();
          res.status(200).type(register.contentType).send(text);
        } catch (err) {
          sendError(res, err, log);
        }
      },
    ],
  };
}
