import type { RequestHandler } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../logging/logger.js";
import { createApp, type GuardedRoute } from "./app.js";
import { type AuthTestKit, authTestKit, listenLocally } from "./auth/auth-test-kit.fixture.js";
import type { IntakeEvent } from "./ingest-route.js";

const EVENT = JSON.stringify({
  schema: "entitlement-diff.authz.v1",
  side: "new",
  correlationId: "c-1",
  observedAt: "2026-11-01T10:00:00Z",
  token: "aGVhZGVy.cGF5bG9hZA.c2ln",
  request: { action: "read", resource: { type: "patient_record" } },
});

const ok: RequestHandler = (_req, res) => {
  res.json({ ok: true });
};
const ROUTES: GuardedRoute[] = [
  { method: "get", path: "/api/v1/cohorts", roles: ["reviewer"], handlers: [ok] },
  { method: "post", path: "/api/v1/cohorts/:id/waivers", roles: ["approver"], handlers: [ok] },
];

const accepted: IntakeEvent[] = [];
let kit: AuthTestKit;
let on: Awaited<ReturnType<typeof listenLocally>>;
let off: Awaited<ReturnType<typeof listenLocally>>;

function app(withAuth: boolean) {
  return createApp({
    config: { host: "127.0.0.1", port: 0, bodyLimitBytes: 4_096 },
    intake: (event) => {
      accepted.push(event);
      return event.kind === "token" && event.event.sessionId === "refused" ? "no lifecycle here" : undefined;
    },
    readiness: () => ({ ready: true, checks: {} }),
    log: createLogger("silent"),
    routes: ROUTES,
    ...(withAuth ? { auth: { verifier: kit.verifier, config: kit.config } } : {}),
  });
}

beforeAll(async () => {
  kit = await authTestKit();
  on = await listenLocally(app(true));
  off = await listenLocally(app(false));
});

afterAll(async () => {
  await Promise.all([on.close(), off.close()]);
});

const bearerFor = async (...roles: string[]) => ({ authorization: `Bearer ${await kit.token({ roles })}` });
const ingest = (base: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/v1/events`, {
    method: "POST",
    body: EVENT,
    headers: { "content-type": "application/x-ndjson", ...headers },
  });

describe("the app with the api section configured", () => {
  it("keeps /healthz and /readyz open", async () => {
    expect((await fetch(`${on.base}/healthz`)).status).toBe(200);
    expect((await fetch(`${on.base}/readyz`)).status).toBe(200);
  });

  it("sends the security headers on every answer", async () => {
    const r = await fetch(`${on.base}/healthz`);
    expect(r.headers.get("content-security-policy")).toBe(
      "default-src 'none';style-src 'self' 'unsafe-inline';img-src 'self' data:;form-action 'self';frame-ancestors 'none';base-uri 'none'",
    );
    expect(r.headers.get("cache-control")).toBe("no-store");
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect(r.headers.get("x-frame-options")).toBe("DENY");
    expect(r.headers.get("referrer-policy")).toBe("no-referrer");
    expect(r.headers.get("x-powered-by")).toBeNull();
  });

  it("takes mirrored events only with the ingest role (or admin)", async () => {
    accepted.length = 0;
    expect((await ingest(on.base)).status).toBe(401);
    expect((await ingest(on.base, await bearerFor("reviewer"))).status).toBe(403);
    expect(accepted).toEqual([]);
    expect((await ingest(on.base, await bearerFor("ingest"))).status).toBe(202);
    expect((await ingest(on.base, await bearerFor("admin"))).status).toBe(202);
    expect(accepted).toHaveLength(2);
  });

  it("mounts the review routes behind their roles", async () => {
    expect((await fetch(`${on.base}/api/v1/cohorts`)).status).toBe(401);
    expect((await fetch(`${on.base}/api/v1/cohorts`, { headers: await bearerFor("reviewer") })).status).toBe(
      200,
    );
    expect((await fetch(`${on.base}/api/v1/cohorts`, { headers: await bearerFor("approver") })).status).toBe(
      403,
    );
    expect(
      (await fetch(`${on.base}/api/v1/nothing-here`, { headers: await bearerFor("admin") })).status,
    ).toBe(404);
  });

  it("answers 429 with Retry-After after writeRateLimitPerMinute writes, and does not limit reads or ingest", async () => {
    const headers = await bearerFor("approver");
    const write = () => fetch(`${on.base}/api/v1/cohorts/nurses/waivers`, { method: "POST", headers });
    const statuses = [];
    for (let i = 0; i < kit.config.writeRateLimitPerMinute + 1; i++) statuses.push((await write()).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await write();
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.headers.get("ratelimit-policy")).toMatch(/q=3; w=60/);
    expect(await limited.json()).toMatchObject({
      error: "too many requests",
      details: expect.stringMatching(/^at most 3 write requests per minute from one address/),
    });
    expect((await fetch(`${on.base}/api/v1/cohorts`, { headers: await bearerFor("reviewer") })).status).toBe(
      200,
    );
    expect((await ingest(on.base, await bearerFor("ingest"))).status).toBe(202);
  });
});

describe("the app without an api section", () => {
  it("turns the review API off and keeps HTTP ingest open as before", async () => {
    const r = await fetch(`${off.base}/api/v1/cohorts`, { headers: await bearerFor("admin") });
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({
      error: "not found",
      details: "the review API is off: configure the api section",
    });
    expect((await ingest(off.base)).status).toBe(202);
    expect((await fetch(`${off.base}/healthz`)).headers.get("content-security-policy")).toMatch(
      /^default-src 'none'/,
    );
  });
});
