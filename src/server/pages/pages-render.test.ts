import { describe, expect, it } from "vitest";
import { sampleGateEvaluation } from "../../report/gate/gate-evaluation.fixture.js";
import { sparkline } from "../../report/sparkline.js";
import { type DriftForm, driftHref, parseDriftFilters } from "./drift-filters.js";
import { pager, renderDrift } from "./drift-page.js";
import { NO_ICON } from "./layout.js";
import { renderLogin } from "./login-page.js";
import { renderMismatch } from "./mismatch-page.js";
import { renderOverview } from "./overview-page.js";
import { cohortOverview, driftGroup, HOSTILE, mismatchDetail, NOW, waiver } from "./page-data.fixture.js";
import { renderWaivers } from "./waivers-page.js";

const EMPTY_FORM: DriftForm = {
  cohort: "",
  kind: "",
  severity: "",
  cause: "",
  since: "",
  until: "",
  cursor: "",
};
const WINDOW = { since: new Date(NOW.getTime() - 3_600_000), until: NOW };

/**
 * Hostile text reaches a page only as text: no tag or attribute of its own, no link off the site,
 * and nothing the CSP would have to stop.
 */
function expectInert(rendered: string): void {
  // The one <link> is ours: an empty data: icon, so browsers do not ask for /favicon.ico.
  const page = rendered.replace(NO_ICON.value, "");
  expect(page).not.toMatch(/<script|<img|<iframe|<object|<embed|<base|<link/i);
  expect(page).not.toMatch(/https?:\/\/|url\(|@import/i);
  for (const [tag] of page.matchAll(/<[a-z][^>]*>/gi)) {
    // Attribute values may quote data; blank them before looking at attribute names.
    expect(tag.replace(/"[^"]*"/g, '""')).not.toMatch(/\s(?:src|srcset|on\w+)\s*=/i);
  }
  for (const [, target] of page.matchAll(/(?:href|action)="([^"]*)"/g)) expect(target).toMatch(/^\/(?!\/)/);
}

describe("the overview page", () => {
  const statuses = ["pass", "fail", "insufficient_evidence"] as const;
  const page = renderOverview(
    statuses.map((status) =>
      cohortOverview({
        cohort: `c-${status}`,
        gate: sampleGateEvaluation({ cohort: `c-${status}`, status }),
      }),
    ),
    HOSTILE,
  );

  it("colours each cohort's gate badge by its status", () => {
    expect(page).toContain('<span class="badge pass">pass</span>');
    expect(page).toContain('<span class="badge fail">fail</span>');
    expect(page).toContain('<span class="badge insufficient_evidence">insufficient evidence</span>');
    expect(page.match(/<svg class="spark"/g)).toHaveLength(3);
  });

  it("shows the rate with its upper bound against the maximum, the unpaired rate and the stage", () => {
    expect(page).toContain("<strong>0.42%</strong>");
    expect(page).toContain("95% upper bound 0.68%");
    expect(page).toContain("max 0.50%");
    expect(page).toMatch(/<strong>0\.10%<\/strong><div class="muted small">max 2\.00%/);
    expect(page).toContain("<strong>canary</strong>");
    expect(page).toContain('<a href="/drift?cohort=c-fail">c-fail</a>');
  });

  it("keeps hostile reasons and subjects inert", () => {
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page).toContain("signed in as <strong>&lt;script&gt;");
    expectInert(page);
  });
});

describe("the sparkline", () => {
  const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000);
  const draw = (points: Array<{ at: Date; rate: number }>) =>
    sparkline({ points, ...WINDOW, limit: 0.05, subject: "mismatch rate of <nurses>" }).value;

  it("with no points draws the axis and the limit, and says there is nothing yet", () => {
    const svg = draw([]);
    expect(svg).toContain('role="img"');
    expect(svg).toContain(
      "<title>Mismatch rate of &lt;nurses&gt;: no pairs in the gate window yet (max 5.00%)</title>",
    );
    expect(svg).toContain('class="limit"');
    expect(svg).not.toMatch(/<polyline|<circle/);
  });

  it("with one point draws a dot where in the window it was measured", () => {
    const svg = draw([{ at: at(30), rate: 0.01 }]);
    expect(svg).not.toContain("<polyline");
    expect(svg).toContain('<circle class="dot" cx="80.0"');
    expect(svg).toContain("over 1 step, ranging 1.00% to 1.00%, latest 1.00% (max 5.00%)");
  });

  it("with many points draws the line in time order, ending in a dot at the latest", () => {
    const svg = draw([
      { at: at(60), rate: 0 },
      { at: at(30), rate: 0.02 },
      { at: at(0), rate: 0.1 },
    ]);
    const points = /<polyline class="line" points="([^"]+)"/.exec(svg)?.[1]?.split(" ") ?? [];
    expect(points.map((p) => p.split(",")[0])).toEqual(["3.0", "80.0", "157.0"]);
    // The highest rate touches the top padding band; zero sits on the axis.
    expect(points[0]?.split(",")[1]).toBe("33.0");
    expect(svg).toContain('<circle class="dot" cx="157.0"');
    expect(svg).toContain("over 3 steps, ranging 0.00% to 10.00%, latest 10.00%");
  });
});

describe("the drift page", () => {
  const cohortIds = ["nurses", "unassigned"];

  it("lists groups with links to their example pairs, hostile strings inert", () => {
    const group = driftGroup({
      action: HOSTILE,
      legacyRuleId: HOSTILE,
      policyReasons: [HOSTILE],
      examplePairIds: ["p-1", "a/b?c"],
    });
    const page = renderDrift({
      subject: "alice",
      cohortIds,
      form: EMPTY_FORM,
      page: { groups: [group], nextCursor: null },
    });
    expect(page).toContain('<span class="sev critical">critical</span>');
    expect(page).toContain('<td class="nowrap">over-permission</td>');
    expect(page).toContain('href="/mismatches/p-1"');
    expect(page).toContain('href="/mismatches/a%2Fb%3Fc"');
    expect(page).toContain("1,204");
    expect(page).not.toContain("Next page");
    expectInert(page);
  });

  it("links the next page with the same filters, and the first page once paged", () => {
    const form = { ...EMPTY_FORM, kind: "over_permission", cohort: "nurses" };
    const first = pager({ groups: [driftGroup()], nextCursor: "abc" }, form).toString();
    expect(first).toContain('rel="next" href="/drift?cohort=nurses&amp;kind=over_permission&amp;cursor=abc"');
    expect(first).not.toContain("First page");
    const later = pager({ groups: [driftGroup()], nextCursor: null }, { ...form, cursor: "abc" }).toString();
    expect(later).toContain('href="/drift?cohort=nurses&amp;kind=over_permission">First page');
    expect(later).not.toContain("Next page");
    expect(pager({ groups: [], nextCursor: null }, EMPTY_FORM)).toBe("");
  });

  it("keeps the chosen filters in the form and shows what was wrong with them", () => {
    const filters = parseDriftFilters({ kind: HOSTILE, severity: "high", since: "2030-02-31" }, cohortIds);
    expect(filters.ok).toBe(false);
    const problems = filters.ok ? [] : filters.problems;
    const page = renderDrift({ subject: "alice", cohortIds, form: filters.form, problems });
    expect(page).toContain('<option value="high" selected>high</option>');
    expect(page).toContain('role="alert"');
    expect(page).toContain("since &quot;2030-02-31&quot; is not a date (YYYY-MM-DD)");
    expect(page).not.toContain("<table");
    expectInert(page);
  });
});

describe("the drift filters", () => {
  const ids = ["nurses"];

  it("turns the form into a query: UTC days, until inclusive", () => {
    const filters = parseDriftFilters(
      {
        cohort: "nurses",
        kind: "under_permission",
        severity: "high",
        cause: "claim_mapping",
        since: "2030-01-01",
        until: "2030-01-02",
      },
      ids,
    );
    expect(filters).toMatchObject({
      ok: true,
      query: {
        cohort: "nurses",
        kind: "under_permission",
        severity: "high",
        cause: "claim_mapping",
        since: new Date("2030-01-01T00:00:00Z"),
        until: new Date("2030-01-03T00:00:00Z"),
      },
    });
    expect(parseDriftFilters({}, ids)).toEqual({ ok: true, form: EMPTY_FORM, query: {} });
    expect(parseDriftFilters({ cause: "luck" }, ids)).toMatchObject({
      ok: false,
      problems: ['unknown cause "luck"; choose one of policy_logic, claim_mapping, both'],
    });
  });

  it("names every unusable value instead of failing", () => {
    const filters = parseDriftFilters(
      {
        cohort: "pilots",
        kind: "unpaired",
        severity: ["high", "low"],
        since: "2030-01-05",
        until: "2030-01-04",
      },
      ids,
    );
    expect(filters.ok ? [] : filters.problems).toEqual([
      "severity is given more than once",
      'unknown cohort "pilots"; choose one of the list',
      'unknown kind "unpaired"; choose one of over_permission, under_permission, subject_mismatch, token_invalid, policy_error, observed_drift, lifetime_drift, session_drift, claim_drift',
      "since is after until",
    ]);
  });

  it("builds links that carry only the filters given", () => {
    expect(driftHref(EMPTY_FORM)).toBe("/drift");
    expect(driftHref({ ...EMPTY_FORM, since: "2030-01-01", cursor: "old" }, "next")).toBe(
      "/drift?since=2030-01-01&cursor=next",
    );
  });
});

describe("the mismatch page", () => {
  it("puts both decisions side by side with the findings and the pseudonymized ids", () => {
    const page = renderMismatch(mismatchDetail(), "alice");
    const legacy = page.slice(page.indexOf('class="side legacy"'), page.indexOf('class="side new"'));
    expect(legacy).toContain('<span class="decision deny">deny</span>');
    expect(legacy).toContain("<code>nurse-no-prescribe</code>");
    const next = page.slice(page.indexOf('class="side new"'));
    expect(next).toContain('<span class="decision allow">allow</span>');
    expect(next).toContain("<li>role nurse maps to prescriber</li>");
    for (const text of ["ps_legacy_1", "ps_new_1", "ps_res_1", "a".repeat(64), "b".repeat(64)])
      expect(page).toContain(`<code>${text}</code>`);
    expect(page).toContain('<time datetime="2026-12-01T09:30:00.000Z">2026-12-01 09:30:00 UTC</time>');
    expect(page).toContain("new allows, legacy denies");
  });

  it("says which side was seen for an unpaired request, and keeps hostile details inert", () => {
    const page = renderMismatch(
      mismatchDetail({
        paired: false,
        onlySide: "new",
        legacy: { allow: null, ruleId: null },
        findings: [{ kind: "token_invalid", severity: "high", side: "new", cause: null, detail: HOSTILE }],
      }),
      "alice",
    );
    expect(page).toContain("only the new side was seen");
    expect(page).toContain('<span class="decision none">not evaluated</span>');
    expectInert(page);
  });

  it("says the new policy could not decide a pair with a policy error, not that it was not asked", () => {
    const detail = "the new policy could not decide this request: policy authz/decision failed: conflict";
    const page = renderMismatch(
      mismatchDetail({
        new: { allow: null, reasons: [] },
        findings: [{ kind: "policy_error", severity: "high", side: "new", cause: null, detail }],
      }),
      "alice",
    );
    expect(page).toContain('<span class="decision none">could not decide</span>');
    expect(page).not.toContain("not evaluated");
    expect(page).toContain(detail);
  });
});

describe("the waivers page", () => {
  it("marks expired waivers and the ones that waive over-permissions", () => {
    const page = renderWaivers(
      [
        waiver(),
        waiver({
          id: "w-2",
          expiresAt: "2026-11-30T00:00:00.000Z",
          allowOverPermission: true,
          owner: HOSTILE,
        }),
      ],
      NOW,
      "alice",
    );
    const [current, expired] = page.split("<tr").slice(2);
    expect(current).not.toContain("expired");
    expect(current).toContain("<dt>kind</dt><dd><code>under-permission</code></dd>");
    expect(current).not.toContain("<dt>resource type</dt>");
    expect(expired).toContain('<span class="badge expired">expired</span>');
    expect(expired).toContain('<span class="badge danger">waives over-permission</span>');
    expectInert(page);
  });

  it("says so when there are none", () => {
    expect(renderWaivers([], NOW, "alice")).toContain("No waivers");
  });
});

describe("the login page", () => {
  it("is a form that posts the token here, showing the reason of a refusal as text", () => {
    const page = renderLogin({ problem: HOSTILE });
    expect(page).toContain('<form method="post" action="/login">');
    expect(page).toContain('<textarea id="token" name="token"');
    expect(page).not.toContain("Logout");
    expect(page).toContain('<p class="problem" role="alert">&lt;script&gt;');
    expectInert(page);
  });
});
