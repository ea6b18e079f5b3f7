import type { RequestHandler } from "express";
import { rateLimit } from "express-rate-limit";

const MINUTE_MS = 60_000;

/**
 * One budget per client address across all write routes (waivers, gate, promote): they change
 * what cohorts may do, so a runaway script or a stolen token must not fire them in bulk. In
 * memory, per process. Behind a proxy every client shares the proxy's address.
 */
export function writeRateLimit(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: MINUTE_MS,
    limit: perMinute,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    handler: (_req, res) => {
      res.status(429).json({
        error: "too many requests",
        details: `at most ${perMinute} write requests per minute from one address; retry after ${res.getHeader("Retry-After")} s`,
      });
    },
  });
}
