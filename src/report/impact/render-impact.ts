import type { ImpactReport } from "../../contracts/index.js";
import { countOf, formatCount, formatPercent } from "../../gates/format-numbers.js";
import { escapeMarkdown as md } from "../escape-markdown.js";

const CHANGE_LABEL = {
  introduced_over_permission: "introduces over-permission",
  introduced_under_permission: "introduces under-permission",
  fixed: "fixes",
} as const;

function verdict(r: ImpactReport): string {
  const over = r.cohorts.reduce((n, c) => n + c.introducedOverPermission, 0);
  return r.ok
    ? "no over-permission introduced"
    : `${countOf(over, "over-permission")} introduced: do not deploy`;
}

/** For a person and a CI log: the verdict first, then one line per cohort, then the changes. */
export function renderImpactText(r: ImpactReport): string {
  const lines = [
    `impact of ${r.candidate.file} (${r.candidate.policyBundleSha256.slice(0, 12)}): ${verdict(r)}`,
    `replayed against the legacy rules ${r.deployed.legacyRulesSha256.slice(0, 12)} on pairs stored under policy ${r.deployed.policyBundleSha256.slice(0, 12)}, ${r.since} to ${r.until}; agreeing pairs sampled at ${formatPercent(r.matchedSampleRate)}`,
    "",
    ...cohortRows(r).map((row) => row.join("  ").trimEnd()),
  ];
  if (r.changes.length > 0) {
    lines.push("");
    for (const c of r.changes)
      lines.push(
        `${c.cohort}: ${CHANGE_LABEL[c.change]} on ${c.action} ${c.resourceType} (legacy rule ${c.legacyRuleId ?? "none"}; candidate ${c.candidateReasons.join(", ") || "no reasons"}): ${countOf(c.pairs, "pair")}`,
      );
  }
  return `${lines.join("\n")}\n`;
}

function cohortRows(r: ImpactReport): string[][] {
  const header = [
    "cohort",
    "mismatches",
    "fixed",
    "sampled",
    "new over",
    "new under",
    "not replayable",
    "errors",
  ];
  const rows = r.cohorts.map((c) => [
    c.cohort,
    formatCount(c.mismatches),
    formatCount(c.fixed),
    formatCount(c.matchedSample),
    formatCount(c.introducedOverPermission),
    formatCount(c.introducedUnderPermission),
    formatCount(c.notReplayable),
    formatCount(c.candidateErrors),
  ]);
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? "").length)));
  return all.map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)));
}

/** For a pull request comment or $GITHUB_STEP_SUMMARY. */
export function renderImpactMarkdown(r: ImpactReport): string {
  const out = [
    `### ${r.status === "pass" ? "✅" : r.status === "fail" ? "❌" : "⏳"} Policy impact: ${verdict(r)}`,
    "",
    `Candidate \`${md(r.candidate.file)}\` (${r.candidate.policyBundleSha256.slice(0, 12)}), replayed on stored pairs from ${r.since} to ${r.until}; the legacy decision is the oracle; agreeing pairs sampled at ${formatPercent(r.matchedSampleRate)}.`,
    "",
    "| cohort | mismatches | fixed | sampled agreeing | introduced over | introduced under | not replayable | candidate errors |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...r.cohorts.map(
      (c) =>
        `| ${md(c.cohort)} | ${formatCount(c.mismatches)} | ${formatCount(c.fixed)} | ${formatCount(c.matchedSample)} | ${formatCount(c.introducedOverPermission)} | ${formatCount(c.introducedUnderPermission)} | ${formatCount(c.notReplayable)} | ${formatCount(c.candidateErrors)} |`,
    ),
  ];
  if (r.changes.length > 0)
    out.push(
      "",
      "| cohort | change | action | resource | legacy rule | candidate reasons | pairs |",
      "| --- | --- | --- | --- | --- | --- | ---: |",
      ...r.changes.map(
        (c) =>
          `| ${md(c.cohort)} | ${CHANGE_LABEL[c.change]} | ${md(c.action)} | ${md(c.resourceType)} | ${md(c.legacyRuleId ?? "(none)")} | ${c.candidateReasons.map(md).join("; ")} | ${formatCount(c.pairs)} |`,
      ),
    );
  return `${out.join("\n")}\n`;
}
