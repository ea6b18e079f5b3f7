import express, { type RequestHandler } from "express";
import { errors } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiRole } from "../../contracts/index.js";
import { ApiVerifier } from "./api-verifier.js";
import { type AuthTestKit, authTestKit, listenLocally, TEST_API_CONFIG } from "./auth-test-kit.fixture.js";
import { TOKEN_COOKIE } from "./presented-token.js";
import { authenticate, requireRole } from "./require-role.js";

let kit: AuthTestKit;
let server: Awaited<ReturnType<typeof listenLocally>>;
const tokens = new Map<ApiRole | "none", string>();

const whoAmI: RequestHandler = (_req, res) => {
  res.json({ subject: res.locals.principal?.subject });
};

beforeAll(async () => {
  kit = await authTestKit();
  for (const role of ["reviewer", "approver", "gate", "admin", "ingest"] as const)
    tokens.set(role, await kit.token({ roles: [role] }));
  tokens.set("none", await kit.token());
  const app = express();
  const auth = authenticate(kit.verifier);
  app.get("/read", auth, requireRole("reviewer"), whoAmI);
  app.post("/waivers", auth, requireRole("approver"), whoAmI);
  app.post("/promote", auth, requireRole("gate"), whoAmI);
  app.post("/settings", auth, requireRole("admin"), whoAmI);
  app.get("/unauthenticated", requireRole("reviewer"), whoAmI);
  const down = new ApiVerifier(TEST_API_CONFIG, async () => {
    throw new errors.JWKSTimeout();
  });
  app.get("/keys-down", authenticate(down), requireRole("reviewer"), whoAmI);
  server = await listenLocally(app);
});

afterAll(() => server.close());

const call = (method: string, path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.base}${path}`, { method, headers });
const bearer = (role: ApiRole | "none") => ({ authorization: `Bearer ${tokens.get(role)}` });

const ROUTES = [
  ["GET", "/read"],
  ["POST", "/waivers"],
  ["POST", "/promote"],
  ["POST", "/settings"],
] as const;

/** Expected status per role, in ROUTES order: reviewer, approver, gate and admin routes. */
const EXPECTED: Record<ApiRole | "none", readonly number[]> = {
  reviewer: [200, 403, 403, 403],
  approver: [403, 200, 403, 403],
  gate: [403, 403, 200, 403],
  admin: [200, 200, 200, 200],
  ingest: [403, 403, 403, 403],
  none: [403, 403, 403, 403],
};

describe("authenticate and requireRole", () => {
  it.each(Object.entries(EXPECTED))(
    "a %s token gets %j on the reviewer, approver, gate, admin routes",
    async (role, want) => {
      const got = [];
      for (const [method, path] of ROUTES)
        got.push((await call(method, path, bearer(role as ApiRole))).status);
      expect(got).toEqual(want);
    },
  );

  it("names the roles needed and the roles held in a 403", async () => {
    const r = await call("POST", "/promote", bearer("reviewer"));
    expect(await r.json()).toEqual({
      error: "forbidden",
      details: "needs role gate or admin; token has reviewer",
    });
    const none = await call("POST", "/promote", bearer("none"));
    expect(await none.json()).toMatchObject({ details: "needs role gate or admin; token has none" });
  });

  it("puts the principal on res.locals", async () => {
    expect(await (await call("GET", "/read", bearer("reviewer"))).json()).toEqual({ subject: "alice" });
  });

  it("answers 401 with a Bearer challenge without a token, and invalid_token for a bad one", async () => {
    const missing = await call("GET", "/read");
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="entitlement-diff"');
    expect(await missing.json()).toEqual({
      error: "unauthorized",
      details: "no token: send Authorization: Bearer <jwt>",
    });
    const expired = await call("GET", "/read", {
      authorization: `Bearer ${await kit.token({ roles: ["reviewer"], exp: 1_000 })}`,
    });
    expect(expired.status).toBe(401);
    expect(expired.headers.get("www-authenticate")).toBe(
      'Bearer error="invalid_token", error_description="the token has expired"',
    );
    expect(await expired.json()).toEqual({ error: "unauthorized", details: "the token has expired" });
    const basic = await call("GET", "/read", { authorization: "Basic YWxpY2U6c2VjcmV0" });
    expect(basic.status).toBe(401);
    expect(await basic.json()).toMatchObject({ details: "the Authorization header is not `Bearer <jwt>`" });
    expect(basic.headers.get("www-authenticate")).toMatch(
      /^Bearer error="invalid_token", error_description="the Authorization/,
    );
  });

  it("refuses a role check that no authentication ran before (deny by default)", async () => {
    expect((await call("GET", "/unauthenticated", bearer("admin"))).status).toBe(401);
  });

  it("answers 503 with Retry-After when the key set cannot be fetched", async () => {
    const r = await call("GET", "/keys-down", bearer("reviewer"));
    expect(r.status).toBe(503);
    expect(r.headers.get("retry-after")).toBe("5");
  });

  describe("the ed_token cookie", () => {
    const cookie = (role: ApiRole) => `theme=dark; ${TOKEN_COOKIE}=${tokens.get(role)}`;

    it("authenticates reads, and the Authorization header wins over it", async () => {
      expect((await call("GET", "/read", { cookie: cookie("reviewer") })).status).toBe(200);
      expect((await call("GET", "/read", { cookie: cookie("reviewer"), ...bearer("gate") })).status).toBe(
        403,
      );
    });

    it("authenticates writes from our own pages only (no cross-site request forgery)", async () => {
      const post = (headers: Record<string, string>) =>
        call("POST", "/waivers", { cookie: cookie("approver"), ...headers });
      expect((await post({ "sec-fetch-site": "same-origin" })).status).toBe(200);
      expect((await post({ origin: server.base })).status).toBe(200);
      const forged = await post({ "sec-fetch-site": "cross-site" });
      expect(forged.status).toBe(403);
      expect(await forged.json()).toMatchObject({ error: "forbidden" });
      expect((await post({ origin: "https://evil.example" })).status).toBe(403);
      expect((await post({ origin: "null" })).status).toBe(403);
      // A bearer token cannot be attached by another site, so it needs no such check.
      expect(
        (await call("POST", "/waivers", { ...bearer("approver"), origin: "https://evil.example" })).status,
      ).toBe(200);
    });
  });
});
