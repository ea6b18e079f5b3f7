import type { CohortReport, Report } from "../contracts/index.js";
import { formatConfidence, formatCount, formatPercent } from "../gates/format-numbers.js";
import { findingCountColumns, summarizeCohort } from "./cohort-summary.js";
import { KIND_LABEL, STATUS_LABEL } from "./display-labels.js";
import { escapeMarkdown as md } from "./escape-markdown.js";
import { type FindingGroup, groupFindings } from "./group-findings.js";
import { latentByCohort, latentMarkdown, latentSummary } from "./latent-table.js";

/** GitHub caps a job summary at 1 MiB; beyond these the HTML and JSON reports have the rest. */
export const MARKDOWN_MAX_GROUPS = 50;
export const MARKDOWN_MAX_REJECTED = 20;

const STATUS_ICON = { pass: "✅", fail: "❌", insufficient_evidence: "⚠️" } as const;

/** The report as GitHub-flavoured Markdown, for CI job summaries and pull-request comments. */
export function renderMarkdown(report: Report): string {
  return [
    "# Entitlement parity report",
    "",
    ...provenance(report),
    "",
    "## Totals",
    "",
    ...totals(report),
    "",
    "## Cohorts",
    "",
    ...cohorts(report.cohorts),
    "",
    ...latent(report),
    "## Mismatch groups",
    "",
    ...mismatchGroups(report),
    "",
    "## Rejected lines",
    "",
    ...rejected(report),
    "",
  ].join("\n");
}

/** Modelled differences of the replayed principals, per cohort that has any (docs/latent.md). */
function latent(r: Report): string[] {
  if (!r.latent) return [];
  return [
    "## Latent entitlement drift",
    "",
    latentSummary(r.latent),
    "",
    ...latentByCohort(r.latent).flatMap((c) => [
      `### ${md(c.cohort)}`,
      "",
      ...latentMarkdown(c.entitlements, c.principalsEvaluated),
      "",
    ]),
  ];
}

function provenance(r: Report): string[] {
  return [
    `- Generated at: ${md(r.generatedAt)}`,
    `- Inputs: ${r.inputs.length === 0 ? "none" : r.inputs.map(md).join(", ")}`,
    `- Policy bundle sha256: ${md(r.provenance.policyBundleSha256)} (entrypoint ${md(r.provenance.entrypoint)})`,
    `- Legacy rules sha256: ${md(r.provenance.legacyRulesSha256)}`,
  ];
}

function totals(r: Report): string[] {
  const t = r.totals;
  return table(
    ["Events", "Duplicates", "Rejected", "Pairs", "Unpaired", "Mismatches"],
    [[t.events, t.duplicates, t.rejected, t.pairs, t.unpaired, t.mismatches].map(formatCount)],
    "right",
  );
}

function cohorts(list: readonly CohortReport[]): string[] {
  if (list.length === 0) return ["No cohort saw traffic."];
  const rows = list
    .map(summarizeCohort)
    .map((c) => [
      md(c.id),
      `${STATUS_ICON[c.status]} ${STATUS_LABEL[c.status]}`,
      formatCount(c.pairs),
      formatCount(c.mismatchedPairs),
      `${formatPercent(c.mismatchRate)} (${formatConfidence(c.confidence)} upper bound ${formatPercent(c.mismatchRateUpperBound)}; max ${formatPercent(c.maxMismatchRate)})`,
      ...findingCountColumns(c).map(formatCount),
      c.reasons.map(md).join("<br>"),
    ]);
  return table(
    [
      "Cohort",
      "Gate",
      "Pairs",
      "Mismatched",
      "Mismatch rate",
      "Over",
      "Under",
      "Subject",
      "Invalid",
      "Policy error",
      "Unpaired",
      "Drift",
      "Reasons",
    ],
    rows,
  );
}

function mismatchGroups(r: Report): string[] {
  const groups = groupFindings(r.mismatches);
  if (groups.length === 0) return ["No mismatches."];
  const shown = groups.slice(0, MARKDOWN_MAX_GROUPS);
  const lines = table(
    ["Severity", "Kind", "Action", "Resource", "Legacy rule", "New reasons", "Count", "Cohorts", "Examples"],
    shown.map(groupRow),
  );
  if (groups.length > shown.length) {
    lines.push(
      "",
      `${formatCount(groups.length - shown.length)} more groups are in the HTML and JSON reports.`,
    );
  }
  if (r.mismatchesTruncated) {
    lines.push(
      "",
      `> Groups cover the ${formatCount(r.mismatches.length)} findings listed in the report (of ${formatCount(r.totals.mismatches)}); per-cohort counts above are complete.`,
    );
  }
  return lines;
}

function groupRow(g: FindingGroup): string[] {
  return [
    g.severity,
    KIND_LABEL[g.kind],
    md(g.action),
    md(g.resourceType),
    g.legacyRuleId === null ? "–" : md(g.legacyRuleId),
    g.newReasons.length === 0 ? "–" : g.newReasons.map(md).join("; "),
    formatCount(g.count),
    g.cohorts.map(md).join(", "),
    g.exampleCorrelationIds.map(md).join(", "),
  ];
}

function rejected(r: Report): string[] {
  if (r.totals.rejected === 0) return ["No rejected lines."];
  const shown = r.rejected.slice(0, MARKDOWN_MAX_REJECTED);
  const lines = [
    `${formatCount(r.totals.rejected)} ${r.totals.rejected === 1 ? "line was" : "lines were"} rejected.`,
    "",
    ...table(
      ["File", "Line", "Reason"],
      shown.map((x) => [md(x.file), formatCount(x.line), md(x.reason)]),
    ),
  ];
  if (r.totals.rejected > shown.length) {
    lines.push("", `${formatCount(r.totals.rejected - shown.length)} more are not listed here.`);
  }
  return lines;
}

/** Cells must already be escaped. Numeric columns are right-aligned. */
function table(
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  align: "right" | "auto" = "auto",
): string[] {
  const numeric = header.map(
    (_, i) => align === "right" || rows.every((row) => /^[\d,]+$/.test(row[i] ?? "")),
  );
  return [
    `| ${header.join(" | ")} |`,
    `|${numeric.map((n) => (n ? "---:" : "---")).join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ];
}
