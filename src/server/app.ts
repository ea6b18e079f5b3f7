import express, {
  type Express,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from "express";
import type { ServerConfig } from "../contracts/index.js";
import type { Logger } from "../logging/logger.js";
import { type GuardedRoute, mountGuarded } from "./auth/guarded-route.js";
import type { ApiAuth } from "./auth/load-api-auth.js";
import { authenticate, requireRole } from "./auth/require-role.js";
import { securityHeaders } from "./auth/security-headers.js";
import { writeRateLimit } from "./auth/write-rate-limit.js";
import { type EventIntake, ingestRouter } from "./ingest-route.js";

export type { GuardedRoute } from "./auth/guarded-route.js";

export interface Readiness {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

export interface AppDependencies {
  config: ServerConfig;
  intake: EventIntake;
  readiness(): Readiness | Promise<Readiness>;
  /** False while HTTP ingest must not take events (store paused, shutting down): 503. */
  accepting?: () => boolean;
  log: Logger;
  /** The review API's verifier and config (`api` section); without it the review API is off. */
  auth?: ApiAuth;
  /**
   * The review API's routes (GET /api/v1/cohorts, waivers, gate, ...): each names the roles that
   * may call it and is mounted behind authentication, that role check and, for every method but
   * GET, the write rate limit. Mounted only when `auth` is given; otherwise /api/v1 answers 404.
   */
  routes?: readonly GuardedRoute[];
  /**
   * The review API's OpenAPI document, served open at GET /api/v1/openapi.json while the review
   * API is on: it describes the routes and holds no data. The only unauthenticated /api/v1 route.
   */
  openApiDocument?: object;
  /** The security team's server-rendered pages at `/` (src/server/pages/); only with `auth`. */
  pages?: RequestHandler;
  /** A line of POST /api/v1/events that was refused (metrics). */
  onIngestRejected?: (category: "not_json" | "invalid_envelope") => void;
}

/** The service's HTTP face: health, readiness, HTTP ingest and the review API. */
export function createApp(deps: AppDependencies): Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(securityHeaders());
  app.use((_req, res, next) => {
    res.setHeader("Cache-Control", "no-store");
    next();
  });
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    const r = await deps.readiness();
    res.status(r.ready ? 200 : 503).json(r);
  });
  mountApi(app, deps);
  app.use((_req, res) => {
    res.status(404).json({ error: "not found", details: null });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = httpStatusOf(err);
    if (status >= 500) deps.log.error({ err }, "request failed");
    res
      .status(status)
      .json({ error: status === 413 ? "body too large" : "bad request", details: messageOf(err) });
  });
  return app;
}

/**
 * Without an `api` section the ingest stays open as before (existing gateways keep mirroring) and
 * the rest of /api/v1 is off; with one, every /api/v1 route needs a token and a role.
 */
function mountApi(app: Express, deps: AppDependencies): void {
  const { auth } = deps;
  if (!auth) {
    app.use(ingestRouter(deps.intake, deps.config.bodyLimitBytes, deps.accepting, [], deps.onIngestRejected));
    app.use("/api/v1", (_req, res) => {
      res
        .status(404)
        .json({ error: "not found", details: "the review API is off: configure the api section" });
    });
    return;
  }
  const guards = {
    authenticate: authenticate(auth.verifier),
    writeLimit: writeRateLimit(auth.config.writeRateLimitPerMinute),
  };
  const { openApiDocument } = deps;
  if (openApiDocument)
    app.get("/api/v1/openapi.json", (_req, res) => {
      res.json(openApiDocument);
    });
  // Not rate limited: gateways mirror every request they see.
  const ingestGuards = [guards.authenticate, requireRole("ingest")];
  app.use(
    ingestRouter(
      deps.intake,
      deps.config.bodyLimitBytes,
      deps.accepting,
      ingestGuards,
      deps.onIngestRejected,
    ),
  );
  mountGuarded(app, deps.routes ?? [], guards);
  if (deps.pages) app.use(deps.pages);
}

function httpStatusOf(err: unknown): number {
  if (typeof err === "object" && err !== null && "status" in err && typeof err.status === "number")
    return err.status;
  return 500;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
