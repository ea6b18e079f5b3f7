import type { GateStatus, Report } from "../contracts/index.js";
import { formatCount } from "../gates/format-numbers.js";
import { type CohortSummary, countStatuses, findingCountColumns, summarizeCohort } from "./cohort-summary.js";
import { replaceControlCharacters } from "./control-characters.js";
import { STATUS_LABEL } from "./display-labels.js";
import { latentSummary } from "./latent-table.js";

export interface TextOptions {
  /** ANSI colours for the gate status; only when writing to a terminal. */
  color?: boolean;
}

const ANSI: Readonly<Record<GateStatus, string>> = {
  pass: "\u001b[32m",
  fail: "\u001b[31m",
  insufficient_evidence: "\u001b[33m",
};
const RESET = "\u001b[0m";

const NUMERIC_COLUMNS = [
  "pairs",
  "mismatched",
  "over",
  "under",
  "subject",
  "invalid",
  "policy err",
  "unpaired",
  "drift",
] as const;

/**
 * The compact terminal summary: one row per cohort, a totals row, then why each cohort that did
 * not pass did not. Report strings are stripped of control characters so data cannot drive the terminal.
 */
export function renderText(report: Report, options: TextOptions = {}): string {
  const cohorts = report.cohorts.map(summarizeCohort);
  const rows = cohorts.map((c) => ({
    cells: [plain(c.id), ...counts(c), STATUS_LABEL[c.status]],
    status: c.status,
  }));
  const totalsRow = [
    "total",
    ...NUMERIC_COLUMNS.map((_, i) => formatCount(cohorts.reduce((n, c) => n + (countValues(c)[i] ?? 0), 0))),
    statusTally(report),
  ];
  const header = ["cohort", ...NUMERIC_COLUMNS, "gate"];
  const widths = header.map((h, i) =>
    Math.max(h.length, totalsRow[i]?.length ?? 0, ...rows.map((r) => r.cells[i]?.length ?? 0)),
  );
  const line = (cells: readonly string[], status?: GateStatus) =>
    layout(cells, widths, status, options.color === true);

  const t = report.totals;
  return [
    line(header),
    ...rows.map((r) => line(r.cells, r.status)),
    line(totalsRow),
    "",
    `events ${formatCount(t.events)} · duplicates ${formatCount(t.duplicates)} · rejected ${formatCount(t.rejected)} · ` +
      `pairs ${formatCount(t.pairs)} · unpaired ${formatCount(t.unpaired)} · findings ${formatCount(t.mismatches)}`,
    ...cohorts
      .filter((c) => c.status !== "pass")
      .map((c) => `${plain(c.id)}: ${STATUS_LABEL[c.status]}: ${plain(c.reasons[0] ?? "")}`),
    ...latentLines(report),
    "",
  ].join("\n");
}

function countValues(c: CohortSummary): number[] {
  return [c.pairs, c.mismatchedPairs, ...findingCountColumns(c)];
}

function counts(c: CohortSummary): string[] {
  return countValues(c).map(formatCount);
}

function statusTally(report: Report): string {
  const n = countStatuses(report);
  return (["pass", "fail", "insufficient_evidence"] as const)
    .filter((s) => n[s] > 0)
    .map((s) => `${n[s]} ${STATUS_LABEL[s]}`)
    .join(", ");
}

/** First column left-aligned, counts right-aligned, the gate last and unpadded. */
function layout(
  cells: readonly string[],
  widths: readonly number[],
  status: GateStatus | undefined,
  color: boolean,
): string {
  const last = cells.length - 1;
  return cells
    .map((cell, i) => {
      if (i === last) return color && status ? `${ANSI[status]}${cell}${RESET}` : cell;
      const width = widths[i] ?? 0;
      return i === 0 ? cell.padEnd(width) : cell.padStart(width);
    })
    .join("  ")
    .trimEnd();
}

function plain(text: string): string {
  return replaceControlCharacters(text, "?");
}

/** Each latent over-permission on a line of its own: the breach nobody committed yet. */
function latentLines(report: Report): string[] {
  if (!report.latent) return [];
  const over = report.latent.entitlements.filter((e) => e.latent && e.direction === "over_permission");
  return [
    "",
    plain(latentSummary(report.latent)),
    ...over.map(
      (e) =>
        `latent over-permission: ${plain(e.cohort)} ${plain(e.action)} ${plain(e.resourceType)} (${plain(e.scenario)}, ${formatCount(e.principals)} of ${formatCount(e.principalsEvaluated)} principals)`,
    ),
  ];
}
