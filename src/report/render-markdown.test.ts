import { describe, expect, it } from "vitest";
import { MARKDOWN_MAX_GROUPS, MARKDOWN_MAX_REJECTED, renderMarkdown } from "./render-markdown.js";
import { finding, hostileReport, sampleReport, sampleReportWithLatent } from "./sample-report.fixture.js";

/** Splits a table row on unescaped pipes, the way a GFM parser does. */
function cells(row: string): string[] {
  const out: string[] = [];
  let current = "";
  for (let i = 0; i < row.length; i++) {
    const c = row[i];
    if (c === "\\") {
      current += c + (row[i + 1] ?? "");
      i++;
    } else if (c === "|") {
      out.push(current.trim());
      current = "";
    } else current += c;
  }
  return out.slice(1); // before the first border
}

function section(markdown: string, title: string): string[] {
  const lines = markdown.split("\n");
  const start = lines.indexOf(`## ${title}`);
  const end = lines.findIndex((l, i) => i > start && l.startsWith("## "));
  return lines.slice(start + 1, end === -1 ? undefined : end).filter((l) => l !== "");
}

describe("renderMarkdown", () => {
  const markdown = renderMarkdown(sampleReport());

  it("states the provenance", () => {
    expect(markdown).toContain("- Generated at: 2025-03-02T08:30:00.000Z");
    expect(markdown).toContain("- Inputs: traffic/2025-03-01.ndjson, traffic/2025-03-02.ndjson");
    expect(markdown).toMatch(/- Policy bundle sha256: 9f2c1e7a\w+ \(entrypoint authz\/decision\)/);
    expect(markdown).toMatch(/- Legacy rules sha256: 0a1b2c3d\w+/);
  });

  it("lists the totals", () => {
    const [header, , row] = section(markdown, "Totals");
    expect(cells(header ?? "")).toEqual([
      "Events",
      "Duplicates",
      "Rejected",
      "Pairs",
      "Unpaired",
      "Mismatches",
    ]);
    expect(cells(row ?? "")).toEqual(["12,551", "7", "2", "6,250", "65", "49"]);
  });

  it("has one row per cohort with gate status, counts, rate with upper bound and reasons", () => {
    const rows = section(markdown, "Cohorts").slice(2).map(cells);
    expect(rows.map((r) => [r[0], r[1]])).toEqual([
      ["clinicians", "❌ fail"],
      ["patients", "✅ pass"],
      ["service-accounts", "⚠️ insufficient evidence"],
    ]);
    const clinicians = rows[0] ?? [];
    expect(clinicians.slice(2, 12)).toEqual([
      "2,850",
      "18",
      "0.63% (95% upper bound 0.93%; max 0.50%)",
      "2",
      "9",
      "4",
      "3",
      "1",
      "35",
      "1",
    ]);
    expect(clinicians[12]?.split("<br>")[0]).toBe("2 over-permissions &gt; allowed 0");
    expect(clinicians[12]?.split("<br>")).toHaveLength(5);
  });

  it("groups mismatches with counts and example ids, most severe first", () => {
    const rows = section(markdown, "Mismatch groups").slice(2).map(cells);
    expect(rows[0]).toEqual([
      "critical",
      "over-permission",
      "read",
      "patient\\_record",
      "–",
      "clinician on care team",
      "2",
      "clinicians",
      "c-101, c-102",
    ]);
    expect(rows.map((r) => r[0])).toEqual(["critical", "high", "high", "high", "high", "medium", "medium"]);
  });

  it("summarises rejected lines", () => {
    const lines = section(markdown, "Rejected lines");
    expect(lines[0]).toBe("2 lines were rejected.");
    expect(cells(lines[3] ?? "")).toEqual([
      "traffic/2025-03-01.ndjson",
      "17",
      "not JSON: Unexpected token } at position 41",
    ]);
  });

  it("keeps hostile strings inert: no raw tags, no extra columns, no line breaks inside rows", () => {
    const hostile = renderMarkdown(hostileReport());
    expect(hostile).not.toMatch(/<script|<img/i);
    expect(hostile).not.toContain("\u001b");
    const cohortRows = section(hostile, "Cohorts").slice(2);
    expect(cohortRows).toHaveLength(3);
    for (const row of cohortRows) expect(cells(row)).toHaveLength(13);
    const groupRows = section(hostile, "Mismatch groups").slice(2);
    for (const row of groupRows) expect(cells(row)).toHaveLength(9);
    expect(groupRows[0]).toContain("&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; 'q' \\| \\[l\\](u)");
  });

  it("says so when there is nothing to list", () => {
    const r = { ...sampleReport(), cohorts: [], mismatches: [], rejected: [] };
    r.totals = { ...r.totals, rejected: 0 };
    const empty = renderMarkdown(r);
    expect(section(empty, "Cohorts")).toEqual(["No cohort saw traffic."]);
    expect(section(empty, "Mismatch groups")).toEqual(["No mismatches."]);
    expect(section(empty, "Rejected lines")).toEqual(["No rejected lines."]);
  });

  it("caps long lists and notes what is left out or truncated", () => {
    const r = sampleReport();
    r.mismatches = Array.from({ length: MARKDOWN_MAX_GROUPS + 5 }, (_, i) =>
      finding({ correlationId: `c${i}`, kind: "under_permission", action: `action-${i}` }),
    );
    r.mismatchesTruncated = true;
    r.totals = { ...r.totals, mismatches: 9_999, rejected: 1_234 };
    r.rejected = Array.from({ length: MARKDOWN_MAX_REJECTED + 1 }, (_, i) => ({
      file: "f",
      line: i + 1,
      reason: "bad",
    }));
    r.rejectedTruncated = true;
    const capped = renderMarkdown(r);
    const groups = section(capped, "Mismatch groups");
    expect(groups.filter((l) => l.startsWith("| high"))).toHaveLength(MARKDOWN_MAX_GROUPS);
    expect(groups).toContain("5 more groups are in the HTML and JSON reports.");
    expect(groups).toContain(
      `> Groups cover the ${MARKDOWN_MAX_GROUPS + 5} findings listed in the report (of 9,999); per-cohort counts above are complete.`,
    );
    const rejected = section(capped, "Rejected lines");
    expect(rejected[0]).toBe("1,234 lines were rejected.");
    expect(rejected.filter((l) => l.startsWith("| f |"))).toHaveLength(MARKDOWN_MAX_REJECTED);
    expect(rejected.at(-1)).toBe("1,214 more are not listed here.");
  });
});

describe("renderMarkdown: latent drift", () => {
  it("has a section per cohort with modelled differences, latent ones marked, after the cohorts", () => {
    const text = renderMarkdown(sampleReportWithLatent());
    expect(text).toContain("## Latent entitlement drift");
    expect(text.indexOf("## Latent entitlement drift")).toBeGreaterThan(text.indexOf("## Cohorts"));
    expect(text).toContain(
      "259 principals evaluated in 2 cohorts; modelled differences in 2; 1 latent over-permission.",
    );
    const nurses = text.split("\n").find((l) => l.includes("lab\\_result") || l.includes("lab_result"));
    expect(nurses).toMatch(
      /over-permission .*write .*219 of 219 .*latent \(0 pairs on this path, none differing\)/,
    );
    expect(text).toMatch(/### billing[\s\S]*exercised \(60 of 120 pairs\)/);
    expect(renderMarkdown(sampleReport())).not.toContain("Latent entitlement drift");
  });
});
