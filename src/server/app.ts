import express, { type Express, type NextFunction, type Request, type Response } from "express";
import type { ServerConfig } from "../contracts/index.js";
import type { Logger } from "../logging/logger.js";
import { type EventIntake, ingestRouter } from "./ingest-route.js";

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
}

/** The service's HTTP face: health, readiness and HTTP ingest (more routes come with the review API). */
export function createApp(deps: AppDependencies): Express {
  const app = express();
  app.disable("x-powered-by");
  app.use((_req, res, next) => {
    res.setHeader("X-Content-Type-Options", "nosniff");
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
  app.use(ingestRouter(deps.intake, deps.config.bodyLimitBytes, deps.accepting));
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

function httpStatusOf(err: unknown): number {
  if (typeof err === "object" && err !== null && "status" in err && typeof err.status === "number")
    return err.status;
  return 500;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
