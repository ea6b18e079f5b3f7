import type { GateEvaluation } from "../../contracts/index.js";
import { formatConfidence, formatCount, formatPercent } from "../../gates/format-numbers.js";
import { replaceControlCharacters } from "../control-characters.js";
import { STATUS_LABEL } from "../display-labels.js";
import { CHECK_LABEL, OUTCOME_MARK } from "./check-labels.js";

/**
 * The gate as a person reads it in a CI log: the verdict first, then why, then each check.
 * Stored strings (waiver owners, reasons) are stripped of control characters.
 */
export function renderGateText(e: GateEvaluation): string {
  const clean = (text: string) => replaceControlCharacters(text);
  const s = e.statistics;
  const lines = [
    `gate ${clean(e.cohort)}: ${STATUS_LABEL[e.status].toUpperCase()}`,
    `  window ${e.window.since} .. ${e.window.until} (${e.window.source === "config" ? "configured" : "given"})`,
    `  ${formatCount(e.evidence.pairs)} pairs, ${formatCount(e.evidence.mismatchedPairs)} mismatched, ${formatCount(e.evidence.overPermission)} over-permission, ${formatCount(e.evidence.unpaired)} unpaired`,
    `  mismatch rate ${formatPercent(s.mismatchRate)}, ${formatConfidence(e.thresholds.confidence)} upper bound ${formatPercent(s.mismatchRateUpperBound)} (max ${formatPercent(e.thresholds.maxMismatchRate)})`,
    "",
    "why:",
    ...e.reasons.map((r) => `  - ${clean(r)}`),
    "",
    "checks:",
    ...e.checks.map(
      (c) =>
        `  [${OUTCOME_MARK[c.outcome].padEnd(7)}] ${CHECK_LABEL[c.id]}: ${c.message.split("\n").map(clean).join("; ")}`,
    ),
    "",
    `evaluation ${e.id} by ${clean(e.evaluatedBy)} at ${e.evaluatedAt}; policy ${e.deployed.policyBundleSha256.slice(0, 12)}, rules ${e.deployed.legacyRulesSha256.slice(0, 12)}`,
  ];
  return `${lines.join("\n")}\n`;
}
