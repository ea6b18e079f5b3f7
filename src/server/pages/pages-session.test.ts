import express from "express";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { LatentReport } from "../../contracts/index.js";
import { BadCursorError } from "../../store/drift-groups.js";
import { type AuthTestKit, authTestKit, listenLocally } from "../auth/auth-test-kit.fixture.js";
import { securityHeaders } from "../auth/security-headers.js";
import { cohortOverview } from "./page-data.fixture.js";
import { createPagesRouter, type PagesDependencies } from "./pages-router.js";

let kit: AuthTestKit;
let server: Awaited<ReturnType<typeof listenLocally>>;
const log = { error: vi.fn() };
let storeDown = false;
let latentOff = false;
const latentAsked: string[] = [];
const latentReport: LatentReport = {
  since: "2026-11-24T00:00:00.000Z",
  until: "2026-12-01T00:00:00.000Z",
  policyBundleSha256: "a".repeat(64),
  legacyRulesSha256: "b".repeat(64),
  principalsEvaluated: { caregivers: 12 },
  entitlements: [
    {
      action: "write",
      resourceType: "appointment",
      scenario: "proxy-record",
      direction: "over_permission",
      legacyRuleId: null,
      newReasons: ["allow.proxy"],
      cohort: "caregivers",
      principals: 3,
      principalsEvaluated: 12,
      observedPairs: 0,
      observedFindings: 0,
      latent: true,
    },
  ],
};

const review: PagesDependencies["review"] = {
  cohortIds: () => ["caregivers", "unassigned"],
  cohorts: async () => {
    if (storeDown) throw new Error("connection refused");
    return [cohortOverview()];
  },
  drift: async (query) => {
    if (query.cursor === "forged") throw new BadCursorError("cursor is not one this API issued");
    return { groups: [], nextCursor: null };
  },
  mismatch: async () => null,
  waivers: async () => [],
  latent: async (q) => {
    latentAsked.push(q.cohort ?? "");
    return latentOff ? null : latentReport;
  },
};

beforeAll(async () => {
  kit = await authTestKit();
  const app = express();
  // As behind a TLS-terminating proxy, so X-Forwarded-Proto decides whether the cookie is Secure.
  app.set("trust proxy", "loopback");
  app.use(securityHeaders());
  app.use(createPagesRouter({ review, verifier: kit.verifier, log }));
  app.use((_req, res) => {
    res.status(404).json({ error: "not found" });
  });
  server = await listenLocally(app);
});

afterAll(() => server.close());

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.base}${path}`, { headers, redirect: "manual" });
const postForm = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${server.base}${path}`, {
    method: "POST",
    body,
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    redirect: "manual",
  });
const login = (token: string, headers: Record<string, string> = {}) =>
  postForm("/login", new URLSearchParams({ token }).toString(), headers);

describe("logging in to the pages", () => {
  it("keeps a reviewer's token in a strict HttpOnly cookie until it expires and goes to the overview", async () => {
    const token = await kit.token({ roles: ["reviewer"] });
    const res = await login(`Bearer ${token}`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toContain(`ed_token=${token};`);
    expect(cookie).toMatch(/Max-Age=(59\d|600);/);
    expect(cookie).toMatch(/; Path=\/;.*HttpOnly/);
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).not.toContain("Secure");
    const overview = await get("/", { cookie: `ed_token=${token}` });
    expect(overview.status).toBe(200);
    expect(overview.headers.get("content-type")).toMatch(/^text\/html/);
    expect(overview.headers.get("cache-control")).toBe("no-store");
    expect(await overview.text()).toContain("signed in as <strong>alice</strong>");
  });

  it("marks the cookie Secure when the request came over https", async () => {
    const res = await login(await kit.token({ roles: ["admin"] }), { "x-forwarded-proto": "https" });
    expect(res.status).toBe(303);
    expect(res.headers.get("set-cookie")).toContain("; Secure");
  });

  it("refuses a bad token or one without a page role, saying why", async () => {
    const forged = await login(await kit.forged({ roles: ["reviewer"] }));
    expect(forged.status).toBe(401);
    expect(forged.headers.get("set-cookie")).toBeNull();
    expect(await forged.text()).toContain("signature does not verify");
    const ingest = await login(await kit.token({ roles: ["ingest"] }));
    expect(ingest.status).toBe(403);
    expect(await ingest.text()).toContain("needs the role reviewer or admin and has ingest");
    const empty = await postForm("/login", "token=");
    expect(empty.status).toBe(401);
    expect(await empty.text()).toContain("Paste a token first.");
  });

  it("refuses forms from other sites and bodies too large to be a token", async () => {
    const token = await kit.token({ roles: ["reviewer"] });
    const crossSite = await login(token, { "sec-fetch-site": "cross-site" });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.get("set-cookie")).toBeNull();
    const huge = await postForm("/login", `token=${"a".repeat(20_000)}`);
    expect(huge.status).toBe(413);
    expect(await huge.text()).toContain("too large to be a token");
  });

  it("logs out by clearing the cookie", async () => {
    const res = await postForm("/logout", "", { "sec-fetch-site": "same-origin" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login");
    expect(res.headers.get("set-cookie")).toMatch(/^ed_token=; Path=\/; Expires=Thu, 01 Jan 1970/);
  });
});

describe("the pages without a session", () => {
  it("send everyone without a valid token to the login form", async () => {
    for (const path of ["/", "/drift", "/latent", "/waivers", "/mismatches/p-1"]) {
      const res = await get(path);
      expect(res.status, path).toBe(303);
      expect(res.headers.get("location")).toBe("/login");
    }
    const expired = await kit.token({ roles: ["reviewer"], exp: Math.floor(Date.now() / 1000) - 120 });
    const stale = await get("/", { cookie: `ed_token=${expired}` });
    expect(stale.headers.get("location")).toBe("/login?session=ended");
    expect(await (await get("/login?session=ended")).text()).toContain("Your session ended");
  });

  it("tell a signed-in caller without the reviewer role it is not allowed", async () => {
    const res = await get("/waivers", { authorization: `Bearer ${await kit.token({ roles: ["ingest"] })}` });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("the token has ingest");
  });

  it("leave every other path to the app", async () => {
    const res = await get("/api/v1/cohorts");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "not found" });
  });
});

describe("a page that fails", () => {
  it("answers as a page and logs the cause", async () => {
    storeDown = true;
    try {
      const res = await get("/", { cookie: `ed_token=${await kit.token({ roles: ["reviewer"] })}` });
      expect(res.status).toBe(500);
      const page = await res.text();
      expect(page).toContain("the store may be unavailable");
      expect(page).not.toContain("connection refused");
      expect(log.error).toHaveBeenCalledOnce();
    } finally {
      storeDown = false;
    }
  });

  it("explains a drift page link that is not valid", async () => {
    const cookie = `ed_token=${await kit.token({ roles: ["reviewer"] })}`;
    const res = await get("/drift?kind=over_permission&cursor=forged", { cookie });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain("the page link is not valid; start from the first page");
    expect(page).toContain('<option value="over_permission" selected>');
  });

  it("shows an unknown pair as not found", async () => {
    const cookie = `ed_token=${await kit.token({ roles: ["reviewer"] })}`;
    const res = await get("/mismatches/nope", { cookie });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("No pair nope in the store");
    const odd = await get("/mismatches/%3Cb%3Ehi", { cookie });
    expect(await odd.text()).toContain("No such pair in the store");
  });

  it("shows latent drift per cohort, filters by a known cohort, and refuses an unknown one", async () => {
    const cookie = `ed_token=${await kit.token({ roles: ["reviewer"] })}`;
    const all = await get("/latent", { cookie });
    expect(all.status).toBe(200);
    const page = await all.text();
    expect(page).toContain("<h1>Latent entitlement drift</h1>");
    expect(page).toMatch(/<h2>caregivers<\/h2>[\s\S]*<tr class="latent">[\s\S]*<code>appointment<\/code>/);
    expect(page).toContain('aria-current="page">Latent</a>');
    const one = await get("/latent?cohort=caregivers", { cookie });
    expect(one.status).toBe(200);
    expect(await one.text()).toContain('<option value="caregivers" selected>');
    expect(latentAsked.slice(-2)).toEqual(["", "caregivers"]);
    const bad = await get("/latent?cohort=%3Cscript%3E", { cookie });
    expect(bad.status).toBe(400);
    const badPage = await bad.text();
    expect(badPage).toContain("unknown cohort; choose one of the list");
    expect(badPage).not.toContain("<script>");
    expect(latentAsked).toHaveLength(2);
  });

  it("says latent drift is off without a latent section", async () => {
    latentOff = true;
    try {
      const res = await get("/latent", { cookie: `ed_token=${await kit.token({ roles: ["reviewer"] })}` });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("Latent drift is off");
    } finally {
      latentOff = false;
    }
  });
});
