import { describe, expect, it } from "vitest";
import { HTML_MAX_FINDINGS_PER_GROUP, renderHtml } from "./render-html.js";
import {
  finding,
  HOSTILE,
  hostileReport,
  sampleReport,
  sampleReportWithLatent,
} from "./sample-report.fixture.js";

/** The text between an element's opening tag with `marker` and the next `</tag>`. */
function element(page: string, marker: string, tag: string): string {
  const start = page.indexOf(marker);
  expect(start, `no ${marker}`).toBeGreaterThanOrEqual(0);
  return page.slice(start, page.indexOf(`</${tag}>`, start));
}

describe("renderHtml", () => {
  const page = renderHtml(sampleReport());

  it("is one complete document with inline CSS only", () => {
    expect(page.startsWith("<!doctype html>")).toBe(true);
    expect(page.trimEnd().endsWith("</html>")).toBe(true);
    expect(page).toContain("<style>");
    expect(page).toContain("default-src 'none'");
  });

  it("loads nothing from anywhere: no scripts, no external URLs, no remote resources", () => {
    for (const p of [page, renderHtml(hostileReport())]) {
      expect(p).not.toMatch(/<script|<link|<img|<iframe|<object|<embed|<base|<form/i);
      expect(p).not.toMatch(/https?:\/\/|url\(|@import/i);
      // Data cannot contain a raw "<" or '"', so every tag and attribute boundary here is markup we wrote;
      // attribute values (which may quote data) are blanked before looking at attribute names.
      for (const [tag] of p.matchAll(/<[a-z][^>]*>/gi)) {
        expect(tag.replace(/"[^"]*"/g, '""')).not.toMatch(/\s(?:src|srcset|action|on\w+)\s*=/i);
      }
      // In-page anchors only.
      for (const [, target] of p.matchAll(/href="([^"]*)"/g)) expect(target).toMatch(/^#group-\d+$/);
    }
  });

  it("shows provenance in the header", () => {
    const header = element(page, "<header>", "header");
    expect(header).toContain("9f2c1e7a5b3d4c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60");
    expect(header).toContain("0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9");
    expect(header).toContain("<code>authz/decision</code>");
    expect(header).toContain('<time datetime="2025-03-02T08:30:00.000Z">');
    expect(header).toContain(
      "<li><code>traffic/2025-03-01.ndjson</code></li><li><code>traffic/2025-03-02.ndjson</code></li>",
    );
    expect(header).toMatch(/3 cohorts:.*1 fail.*1 insufficient evidence.*1 pass/s);
  });

  it("has a cohort row with a coloured status badge, the rate with its upper bound and the reasons", () => {
    const cohorts = element(page, '<section id="cohorts">', "section");
    const rows = cohorts.split('<tr class="').slice(1);
    expect(rows.map((r) => r.slice(0, r.indexOf('"')))).toEqual(["fail", "pass", "insufficient_evidence"]);
    const clinicians = rows[0] ?? "";
    expect(clinicians).toContain('<span class="badge fail">fail</span>');
    expect(clinicians).toContain("<strong>0.63%</strong>");
    expect(clinicians).toContain("95% upper bound 0.93%");
    expect(clinicians).toContain("max 0.50%");
    expect(clinicians).toContain('<p class="decisive">2 over-permissions &gt; allowed 0</p>');
    expect(clinicians).toContain('<td class="num critical-count">2</td>');
    expect(rows[1]).toContain('<span class="badge pass">pass</span>');
    expect(rows[1]).not.toContain("decisive");
    expect(rows[2]).toContain('<span class="badge insufficient_evidence">insufficient evidence</span>');
  });

  it("lists mismatch groups by severity then count, linked to their details", () => {
    const groups = element(page, '<section id="groups">', "section");
    const severities = [...groups.matchAll(/<span class="sev (\w+)">/g)].map((m) => m[1]);
    expect(severities).toEqual(["critical", "high", "high", "high", "high", "medium", "medium"]);
    expect(groups).toContain('<a href="#group-1">over-permission</a>');
    expect(groups).toContain('<td class="num">2</td>');
    expect(groups).toContain('<code class="id">c-101</code> <code class="id">c-102</code>');
  });

  it("has a collapsible details block per group listing each finding", () => {
    const details = element(page, '<section id="details">', "section");
    expect(details.match(/<details id="group-\d+">/g)).toHaveLength(7);
    const first = element(details, '<details id="group-1">', "details");
    expect(first).toContain("<summary>");
    expect(first.match(/<tr>/g)).toHaveLength(3); // header + 2 findings
    expect(first).toContain('<code class="id">c-102</code>');
    expect(first).toContain('<span class="decision deny">deny</span>');
    expect(first).toContain(
      '<span class="decision allow">allow</span><ul class="plain"><li>clinician on care team</li></ul>',
    );
    expect(first).toContain("new allows, legacy denies");
    const invalid = details.slice(details.indexOf("invalid token"));
    expect(invalid).toContain("<td>new</td>");
    expect(invalid).toContain('<span class="decision none">not evaluated</span>');
    expect(invalid).toContain("new token: unexpected &quot;aud&quot; claim value");
  });

  it("lists rejected lines", () => {
    const rejected = element(page, '<section id="rejected">', "section");
    expect(rejected).toContain("2 lines were not evaluated");
    expect(rejected).toContain(
      '<tr><td><code>traffic/2025-03-01.ndjson</code></td><td class="num">17</td><td>not JSON: Unexpected token } at position 41</td></tr>',
    );
  });

  it("escapes every report string", () => {
    const hostile = renderHtml(hostileReport());
    const escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; | [l](u)";
    expect(hostile).not.toContain(HOSTILE);
    expect(hostile).not.toMatch(/<script|<img|onerror=alert\(1\)>/i);
    // Every data field of the fixture shows up, escaped: header, cohorts, groups, details, rejected lines.
    for (const label of [
      "at",
      "input",
      "bundle",
      "rules",
      "entry",
      "clinicians",
      "reason",
      "detail",
      "when",
      "file",
    ]) {
      expect(hostile, label).toContain(`${label}${escaped}`);
    }
  });

  it("notes truncation and caps the findings listed per group", () => {
    const r = sampleReport();
    r.mismatches = Array.from({ length: HTML_MAX_FINDINGS_PER_GROUP + 3 }, (_, i) =>
      finding({ correlationId: `c${i}`, kind: "over_permission" }),
    );
    r.mismatchesTruncated = true;
    r.totals = { ...r.totals, mismatches: 5_000 };
    const capped = renderHtml(r);
    expect(capped).toContain(
      `Groups cover the ${HTML_MAX_FINDINGS_PER_GROUP + 3} findings listed in the report, of 5,000`,
    );
    expect(capped).toContain("3 more findings in this group are in the JSON report.");
    const details = element(capped, '<details id="group-1">', "details");
    expect(details.match(/<code class="id">/g)).toHaveLength(HTML_MAX_FINDINGS_PER_GROUP);
  });

  it("says so when there is nothing to list", () => {
    const r = { ...sampleReport(), cohorts: [], mismatches: [], rejected: [] };
    r.totals = { ...r.totals, rejected: 0 };
    const empty = renderHtml(r);
    expect(empty).toContain("No cohort saw traffic.");
    expect(empty).toContain("No mismatches: both systems agreed on every pair.");
    expect(empty).toContain("No rejected lines.");
    expect(empty).not.toContain('<section id="details">');
  });
});

describe("renderHtml: latent drift", () => {
  it("has a latent section with a table per cohort, latent rows marked", () => {
    const page = renderHtml(sampleReportWithLatent());
    expect(page).toContain('<section id="latent"><h2>Latent entitlement drift</h2>');
    expect(page).toMatch(/<h3>nurses<\/h3>[\s\S]*<tr class="latent">[\s\S]*<code>lab_result<\/code>/);
    expect(page).toMatch(/<h3>billing<\/h3>[\s\S]*<tr class="exercised">/);
    expect(renderHtml(sampleReport())).not.toContain('id="latent"');
  });
});
