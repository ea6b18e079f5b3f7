import type { IRouter, RequestHandler } from "express";
import type { ApiRole } from "../../contracts/index.js";
import { requireRole } from "./require-role.js";

export type RouteMethod = "get" | "post" | "put" | "patch" | "delete";

/**
 * One review API route and who may call it. `createApp` takes review routes only in this shape,
 * and it has no way to leave the roles out: a route without a role does not compile.
 */
export interface GuardedRoute {
  method: RouteMethod;
  /**
   * Express path syntax, under /api/v1, e.g. `/api/v1/cohorts/:id/waivers`; or `/metrics`, where
   * Prometheus scrapes by convention.
   */
  path: `/api/v1/${string}` | "/metrics";
  /** Any of these may call it; `admin` always may. */
  roles: readonly [ApiRole, ...ApiRole[]];
  /** After the guards, so bodies are parsed only for callers allowed in. */
  handlers: readonly [RequestHandler, ...RequestHandler[]];
}

export interface RouteGuards {
  authenticate: RequestHandler;
  /** Applied to every method but GET. */
  writeLimit: RequestHandler;
}

/** Mounts each route behind authenticate, its role check and (for writes) the rate limit. */
export function mountGuarded(router: IRouter, routes: readonly GuardedRoute[], guards: RouteGuards): void {
  for (const route of routes) {
    const limit = route.method === "get" ? [] : [guards.writeLimit];
    router[route.method](
      route.path,
      guards.authenticate,
      requireRole(...route.roles),
      ...limit,
      ...route.handlers,
    );
  }
}
