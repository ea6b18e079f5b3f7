import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiRole } from "../../src/contracts/index.js";
import { type Caller, type ReviewApiHarness, routesOver, startReviewApi } from "./review-api-kit.js";

const CALLERS: Caller[] = ["reviewer", "approver", "gate", "admin", "ingest", "none", "expired", "forged"];

interface RouteCase {
  method: "get" | "post";
  /** Express syntax, as mounted. */
  route: string;
  /** A request every allowed caller gets through with. */
  path: (h: ReviewApiHarness) => string;
  body?: () => unknown;
  roles: ApiRole[] | "open";
  ok: number;
}

const waiver = () => ({
  owner: "ward-team",
  reason: "porters' drift is known",
  ticket: "SEC-9",
  scope: { cohort: "porters", kind: "observed_drift" },
  expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
});

const CASES: RouteCase[] = [
  { method: "get", route: "/api/v1/cohorts", path: () => "/api/v1/cohorts", roles: ["reviewer"], ok: 200 },
  {
    method: "get",
    route: "/api/v1/cohorts/:id/gate",
    path: () => "/api/v1/cohorts/nurses/gate",
    roles: ["reviewer"],
    ok: 200,
  },
  {
    method: "post",
    route: "/api/v1/cohorts/:id/gate",
    path: () => "/api/v1/cohorts/porters/gate",
    roles: ["gate"],
    ok: 201,
  },
  {
    // Porters are in shadow already: unchanged, nothing published, so every allowed caller gets 200.
    method: "post",
    route: "/api/v1/cohorts/:id/promote",
    path: () => "/api/v1/cohorts/porters/promote",
    body: () => ({ to: "shadow" }),
    roles: ["gate"],
    ok: 200,
  },
  { method: "get", route: "/api/v1/drift", path: () => "/api/v1/drift", roles: ["reviewer"], ok: 200 },
  { method: "get", route: "/api/v1/latent", path: () => "/api/v1/latent", roles: ["reviewer"], ok: 200 },
  {
    method: "get",
    route: "/api/v1/mismatches/:pairId",
    path: (h) => `/api/v1/mismatches/${h.pairId}`,
    roles: ["reviewer"],
    ok: 200,
  },
  { method: "get", route: "/api/v1/waivers", path: () => "/api/v1/waivers", roles: ["reviewer"], ok: 200 },
  {
    method: "post",
    route: "/api/v1/waivers",
    path: () => "/api/v1/waivers",
    body: waiver,
    roles: ["approver"],
    ok: 201,
  },
  {
    method: "get",
    route: "/api/v1/gate-evaluations",
    path: () => "/api/v1/gate-evaluations",
    roles: ["reviewer"],
    ok: 200,
  },
  { method: "get", route: "/metrics", path: () => "/metrics", roles: ["reviewer"], ok: 200 },
  {
    method: "get",
    route: "/api/v1/openapi.json",
    path: () => "/api/v1/openapi.json",
    roles: "open",
    ok: 200,
  },
];

function expectedStatus(c: RouteCase, caller: Caller): number {
  if (c.roles === "open") return c.ok;
  if (caller === "none" || caller === "expired" || caller === "forged") return 401;
  return caller === "admin" || c.roles.includes(caller) ? c.ok : 403;
}

let h: ReviewApiHarness;
beforeAll(async () => {
  h = await startReviewApi();
});
afterAll(() => h.close());

describe("who may call which review route", () => {
  it("lists every mounted route in the table below, with its roles", () => {
    const mounted = routesOver().map((r) => ({ method: r.method, route: r.path, roles: [...r.roles] }));
    const guarded = CASES.filter((c) => c.roles !== "open").map((c) => ({
      method: c.method,
      route: c.route,
      roles: c.roles,
    }));
    expect(guarded).toEqual(expect.arrayContaining(mounted));
    expect(mounted).toHaveLength(guarded.length);
  });

  const table = CASES.flatMap((c) =>
    CALLERS.map((caller) => ({ ...c, caller, expected: expectedStatus(c, caller) })),
  );
  it.each(table)("$method $route as $caller: $expected", async (c) => {
    const url = `${h.base}${c.path(h)}`;
    const headers = await h.headers(c.caller);
    const body = c.body?.();
    const r =
      c.method === "get"
        ? await fetch(url, { headers })
        : await fetch(url, {
            method: "POST",
            headers: { ...headers, "content-type": "application/json" },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          });
    expect(r.status).toBe(c.expected);
    if (r.status === 401 || r.status === 403) {
      const refused = (await r.json()) as { error: string; details: string };
      expect(refused.error).toBe(r.status === 401 ? "unauthorized" : "forbidden");
      if (c.caller === "expired") expect(refused.details).toMatch(/expired/);
    }
  });
});
