import { Command, Option } from "commander";
import { loadConfig } from "../config/load-config.js";
import { formatCount, formatPercent } from "../gates/format-numbers.js";
import { actorFromEnv } from "../promotion/actor.js";
import { type CohortStatus, cohortStatuses } from "../promotion/cohort-status.js";
import { deployedVersions } from "../promotion/deployed-versions.js";
import { STATUS_LABEL } from "../report/display-labels.js";
import { withConfiguredStore } from "./configured-store.js";

export function statusCommand(): Command {
  return new Command("status")
    .description("every cohort's stage and its gate now (on the configured window; not recorded)")
    .requiredOption("-c, --config <file>", "configuration file (YAML)")
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (flags: { config: string; format: "text" | "json" }) => {
      const loaded = loadConfig(flags.config);
      const deployed = deployedVersions(loaded);
      const statuses = await withConfiguredStore(loaded, (store) =>
        cohortStatuses(store, loaded.config, deployed, {
          evaluatedBy: actorFromEnv(undefined, process.env),
          now: new Date(),
        }),
      );
      process.stdout.write(
        flags.format === "json" ? `${JSON.stringify(statuses, null, 2)}\n` : statusTable(statuses),
      );
    });
}

function statusTable(statuses: readonly CohortStatus[]): string {
  const header = ["cohort", "stage", "gate", "pairs", "mismatch", "bound", "last recorded"];
  const rows = statuses.map((s) => [
    s.cohort,
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
