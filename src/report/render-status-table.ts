import { formatCount, formatPercent } from "../gates/format-numbers.js";
import type { CohortStatus } from "../promotion/cohort-status.js";
import { replaceControlCharacters } from "./control-characters.js";
import { STATUS_LABEL } from "./display-labels.js";

/** `status` as a terminal table: one row per cohort, its stage, its gate now and its last record. */
export function renderStatusTable(statuses: readonly CohortStatus[]): string {
  const header = ["cohort", "stage", "gate", "pairs", "mismatch", "bound", "last recorded"];
  const rows = statuses.map((s) => [
    replaceControlCharacters(s.cohort),
    s.stage,
    STATUS_LABEL[s.gate.status],
    formatCount(s.gate.evidence.pairs),
    formatPercent(s.gate.statistics.mismatchRate),
    formatPercent(s.gate.statistics.mismatchRateUpperBound),
    s.lastRecorded ? `${s.lastRecorded.status} at ${s.lastRecorded.evaluatedAt}` : "never",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join("\n")}\n`;
}
