import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import express from "express";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../../src/contracts/index.js";
import { createReviewService } from "../../src/review/review-service.js";
import { type AuthTestKit, authTestKit, listenLocally } from "../../src/server/auth/auth-test-kit.fixture.js";
import { securityHeaders } from "../../src/server/auth/security-headers.js";
import { createPagesRouter } from "../../src/server/pages/pages-router.js";
import { openStoreOn } from "../../src/store/open-store.js";
import type { StoredOutcome } from "../../src/store/stored-outcome.js";
import { type FreshDriver, freshEmbedded } from "../store/fresh-store.js";
import { POLICY_A, RULES_A, storedOutcome } from "../store/outcome-fixtures.js";
import { writeOutcomes } from "../store/store-suite.js";

/** CHROMIUM_BIN (set by scripts/test.sh from scripts/ensure-chromium.sh), else chromium on PATH. */
const CHROMIUM = process.env.CHROMIUM_BIN || which("chromium");
/** On CI a missing browser is a failure: skipped browser tests would hide a broken page. */
const MUST_RUN = process.env.CI === "true";
const SHOTS = "test-artifacts/pages";
const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>`;
const HOUR = 3_600_000;
const FAILED_LOAD = "Failed to load resource: the server responded with a status of";

const config = {
  cohorts: configSchema.shape.cohorts.parse([
    { id: "nurses", when: { roles: { contains: "nurse" } } },
    { id: "caregivers", when: { roles: { contains: "caregiver" } } },
  ]),
  gates: configSchema.shape.gates.parse({
    default: { minPairs: 10, maxMismatchRate: 0.2, maxUnpairedRate: 0.1, maxObservedDriftRate: 0.1 },
    window: "1d",
  }),
};

/**
 * A day of traffic ending now (gate windows end now): clean pairs every hour for both cohorts,
 * over-permissions for nurses in the last hours, under-permissions with drift for caregivers.
 */
function traffic(now: number): StoredOutcome[] {
  const clean = (cohort: string) =>
    Array.from({ length: 60 }, (_, i) =>
      storedOutcome({ correlationId: `${cohort}-ok-${i}`, cohort, atMs: now - (i % 20) * HOUR - 60_000 }),
    );
  const over = Array.from({ length: 3 }, (_, i) =>
    storedOutcome({
      correlationId: `nurse-over-${i}`,
      cohort: "nurses",
      action: "write",
      resourceType: "prescription",
      kinds: [{ kind: "over_permission" }],
      legacyAllow: false,
      newAllow: true,
      ruleId: null,
      reasons: ["role nurse maps to prescriber"],
      atMs: now - (i + 1) * HOUR,
      legacySubject: "nurse-7",
      newSubject: "nurse-7",
      resourceId: `rx-${i}`,
    }),
  );
  const under = Array.from({ length: 2 }, (_, i) =>
    storedOutcome({
      correlationId: `care-under-${i}`,
      cohort: "caregivers",
      kinds: [{ kind: "under_permission" }, { kind: "observed_drift", side: "new" }],
      newAllow: false,
      ruleId: "proxy-read",
      reasons: [`no proxy relationship ${HOSTILE}`],
      detail: HOSTILE,
      atMs: now - 30 * 60_000 - i * 60_000,
    }),
  );
  return [...clean("nurses"), ...clean("caregivers"), ...over, ...under];
}

describe("the browser for the pages' tests", () => {
  // A failed test, not a failed hook: the totals line of scripts/test.sh counts tests.
  it.runIf(MUST_RUN)("is there on CI", () => {
    expect(
      CHROMIUM,
      "CI=true but no Chromium: set CHROMIUM_BIN or run bash scripts/ensure-chromium.sh",
    ).toBeTruthy();
  });
});

describe.skipIf(!CHROMIUM)("the drift report pages in Chromium", () => {
  let fresh: FreshDriver;
  let kit: AuthTestKit;
  let server: Awaited<ReturnType<typeof listenLocally>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Console errors (CSP violations are reported there), uncaught errors and dialogs, per URL. */
  const problems: string[] = [];

  beforeAll(async () => {
    fresh = await freshEmbedded();
    const store = await openStoreOn(fresh.driver, { database: fresh.database, retentionDays: 30 });
    await writeOutcomes(store, traffic(Date.now()));
    const review = createReviewService(store, config, {
      policyBundleSha256: POLICY_A,
      legacyRulesSha256: RULES_A,
    });
    await review.createWaiver(
      {
        owner: "sec-team",
        reason: `proxy reads are re-modelled ${HOSTILE}`,
        ticket: "SEC-7",
        scope: { cohort: "caregivers", kind: "under_permission" },
        expiresAt: new Date(Date.now() + 7 * 24 * HOUR).toISOString(),
      },
      "approver-1",
      new Date(),
    );
    kit = await authTestKit();
    const app = express();
    app.use(securityHeaders());
    app.use(createPagesRouter({ review, verifier: kit.verifier }));
    server = await listenLocally(app);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    page.on("console", (m) => {
      // Chromium logs a 4xx document as a failed load; those statuses are the pages' own and asserted.
      const ownStatus = m.location().url === page.url() && m.text().startsWith(FAILED_LOAD);
      if (m.type() === "error" && !ownStatus) problems.push(`${page.url()}: console: ${m.text()}`);
    });
    page.on("pageerror", (err) => problems.push(`${page.url()}: page error: ${err.message}`));
    page.on("dialog", (d) => problems.push(`${page.url()}: dialog: ${d.message()}`));
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await fresh?.dispose();
  });

  const url = (path: string) => `${server.base}${path}`;
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const logIn = async (token: string) => {
    await page.getByLabel("Bearer token").fill(token);
    await page.getByRole("button", { name: "Log in" }).click();
  };

  it("sends a visitor without a session to the login form", async () => {
    await page.goto(url("/"));
    expect(page.url()).toBe(url("/login"));
    await expect.poll(() => page.getByLabel("Bearer token").isVisible()).toBe(true);
    await shot("login");
  });

  it("logs a reviewer in with a pasted token kept in an HttpOnly cookie", async () => {
    await logIn(await kit.token({ sub: "sec-reviewer", roles: ["reviewer"] }));
    await page.waitForURL(url("/"));
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: "ed_token", httpOnly: true, sameSite: "Strict", path: "/" });
    expect(await page.locator(".who").textContent()).toBe("signed in as sec-reviewer");
  });

  it("shows each cohort with its gate status and a trend chart", async () => {
    const rows = page.locator("table.cohorts tbody tr");
    expect(await rows.count()).toBe(3);
    const expected = { nurses: "fail", caregivers: "pass", unassigned: "insufficient evidence" };
    for (const [cohort, status] of Object.entries(expected)) {
      const row = rows.filter({ has: page.getByRole("rowheader", { name: cohort, exact: true }) });
      expect(await row.locator(".badge").textContent()).toBe(status);
      expect(await row.locator("svg.spark").count()).toBe(1);
      expect(await row.locator("svg.spark title").textContent()).toContain(`Mismatch rate of ${cohort}`);
    }
    const nurses = rows.filter({ hasText: "nurses" });
    expect(await nurses.locator("svg polyline").count()).toBe(1);
    expect(await nurses.textContent()).toContain("over-permission");
    await shot("overview");
  });

  it("lists drift groups and narrows them by kind with the filter form", async () => {
    await page.getByRole("link", { name: "Drift", exact: true }).click();
    await page.waitForURL(url("/drift"));
    const rows = page.locator("table.groups tbody tr");
    expect(await rows.count()).toBe(3);
    // The hostile reason is shown as text, never run (a dialog or a CSP error would be recorded).
    expect(await page.locator("table.groups").textContent()).toContain(HOSTILE);
    await shot("drift");
    await page.getByLabel("Kind").selectOption("over_permission");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/\/drift\?/);
    expect(new URL(page.url()).searchParams.get("kind")).toBe("over_permission");
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toMatch(
      /over-permission\s+critical\s+nurses\s+write\s+prescription/,
    );
    expect(await page.getByLabel("Kind").inputValue()).toBe("over_permission");
    await shot("drift-filtered");
  });

  it("explains filter values it cannot use", async () => {
    const response = await page.goto(url("/drift?since=yesterday&kind=everything"));
    expect(response?.status()).toBe(400);
    const alert = page.getByRole("alert");
    expect(await alert.textContent()).toContain('since "yesterday" is not a date');
    expect(await alert.textContent()).toContain('unknown kind "everything"');
  });

  it("opens a group's example pair with both decisions side by side", async () => {
    await page.goto(url("/drift?kind=over_permission"));
    await page.locator("a.example").first().click();
    await page.waitForURL(/\/mismatches\//);
    const legacy = page.getByRole("region", { name: "Legacy decision" });
    const next = page.getByRole("region", { name: "New decision" });
    expect(await legacy.locator(".decision").textContent()).toBe("deny");
    expect(await next.locator(".decision").textContent()).toBe("allow");
    expect(await next.textContent()).toContain("role nurse maps to prescriber");
    const details = await page.locator("dl.provenance").textContent();
    expect(details).toContain(POLICY_A);
    expect(details).not.toContain("nurse-7");
    await shot("mismatch");
  });

  it("opens the latent page from the navigation, which says latent drift is off for this config", async () => {
    await page.getByRole("link", { name: "Latent", exact: true }).click();
    await page.waitForURL(url("/latent"));
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Latent entitlement drift");
    expect(await page.locator("main").textContent()).toContain("Latent drift is off");
    await page.getByRole("combobox", { name: "Cohort" }).selectOption("caregivers");
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForURL(url("/latent?cohort=caregivers"));
    await shot("latent");
  });

  it("lists the waiver filed through the review service", async () => {
    await page.getByRole("link", { name: "Waivers", exact: true }).click();
    await page.waitForURL(url("/waivers"));
    const rows = page.locator("table.waivers tbody tr");
    expect(await rows.count()).toBe(1);
    const row = await rows.first().textContent();
    for (const text of ["sec-team", "SEC-7", "caregivers", "under-permission", "approver-1", HOSTILE])
      expect(row).toContain(text);
    expect(row).not.toContain("expired");
    await shot("waivers");
  });

  it("logs out, after which the pages need a login again", async () => {
    await page.getByRole("button", { name: "Logout" }).click();
    await page.waitForURL(url("/login"));
    expect(await context.cookies()).toEqual([]);
    await page.goto(url("/waivers"));
    expect(page.url()).toBe(url("/login"));
  });

  it("refuses a token it cannot verify, saying why", async () => {
    const refused = page.waitForResponse((r) => r.request().method() === "POST");
    await logIn(await kit.forged({ roles: ["reviewer"] }));
    expect((await refused).status()).toBe(401);
    expect(await page.getByRole("alert").textContent()).toContain("signature does not verify");
    expect(page.url()).toBe(url("/login"));
    await shot("login-refused");
  });

  it("saw no console error, CSP violation, script error or dialog on any page", () => {
    expect(problems).toEqual([]);
  });
});

/** `which`, as a person would look; undefined when it finds nothing. */
function which(name: string): string | undefined {
  try {
    return (
      execFileSync("which", [name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() ||
      undefined
    );
  } catch {
    return undefined;
  }
}
