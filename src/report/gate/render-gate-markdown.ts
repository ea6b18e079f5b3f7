import type { GateEvaluation } from "../../contracts/index.js";
import { formatConfidence, formatCount, formatPercent } from "../../gates/format-numbers.js";
import { STATUS_LABEL } from "../display-labels.js";
import { escapeMarkdown } from "../escape-markdown.js";
import { CHECK_LABEL, OUTCOME_MARK } from "./check-labels.js";

const STATUS_ICON = { pass: "✅", fail: "❌", insufficient_evidence: "⏳" } as const;

/** The gate for a CI step summary ($GITHUB_STEP_SUMMARY): verdict, checks table, reasons, waivers. */
export function renderGateMarkdown(e: GateEvaluation): string {
  const s = e.statistics;
  const md = escapeMarkdown;
  const out = [
    `### ${STATUS_ICON[e.status]} Parity gate \`${md(e.cohort)}\`: ${STATUS_LABEL[e.status]}`,
    "",
    `${formatCount(e.evidence.pairs)} pairs from ${e.window.since} to ${e.window.until}; mismatch rate ${formatPercent(s.mismatchRate)}, ${formatConfidence(e.thresholds.confidence)} upper bound ${formatPercent(s.mismatchRateUpperBound)} (max ${formatPercent(e.thresholds.maxMismatchRate)}).`,
    "",
    "| check | result | detail |",
    "| --- | --- | --- |",
    ...e.checks.map(
      (c) =>
        `| ${CHECK_LABEL[c.id]} | ${OUTCOME_MARK[c.outcome]} | ${c.message.split("\n").map(md).join("; ")} |`,
    ),
    "",
    "**Why**",
    "",
    ...e.reasons.map((r) => `- ${md(r)}`),
  ];
  const waivers = e.waivers.applied.filter((w) => w.matchedPairs > 0);
  if (waivers.length > 0 || e.waivers.expired.length > 0) {
    out.push("", "| waiver | ticket | owner | pairs | expires |", "| --- | --- | --- | ---: | --- |");
    for (const w of waivers)
      out.push(
        `| ${md(w.id)} | ${md(w.ticket)} | ${md(w.owner)} | ${formatCount(w.matchedPairs)} | ${w.expiresAt} |`,
      );
    for (const w of e.waivers.expired)
      out.push(
        `| ${md(w.id)} (expired) | ${md(w.ticket)} | ${md(w.owner)} | ${formatCount(w.wouldMatchPairs)} | ${w.expiresAt} |`,
      );
  }
  out.push(
    "",
    `<sub>evaluation ${md(e.id)} by ${md(e.evaluatedBy)}; policy bundle ${e.deployed.policyBundleSha256.slice(0, 12)}, legacy rules ${e.deployed.legacyRulesSha256.slice(0, 12)}</sub>`,
    "",
  );
  return out.join("\n");
}
