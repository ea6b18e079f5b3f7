import { writeFileSync } from "node:fs";
import { Command, InvalidArgumentError, Option } from "commander";
import { loadConfig } from "../config/load-config.js";
import type { CohortStoreReport } from "../contracts/index.js";
import { deployedVersions } from "../promotion/deployed-versions.js";
import { renderCohortHtml } from "../report/cohort/render-cohort-html.js";
import { renderCohortMarkdown } from "../report/cohort/render-cohort-markdown.js";
import { buildCohortReport } from "../review/cohort-report.js";
import { createReviewService } from "../review/review-service.js";
import { configuredCohort } from "./cohort-flag.js";
import { withConfiguredStore } from "./configured-store.js";
import { formatFromPath } from "./report-formats.js";

export const COHORT_REPORT_FORMATS = ["json", "markdown", "html"] as const;
type CohortReportFormat = (typeof COHORT_REPORT_FORMATS)[number];

interface ReportFlags {
  config: string;
  cohort: string;
  format?: CohortReportFormat;
  out?: string;
  maxGroups: number;
}

export function reportCommand(): Command {
  return new Command("report")
    .description(
      "write one cohort's drift report from the store: stage, gate now, trend, drift groups, waivers",
    )
    .requiredOption("-c, --config <file>", "configuration file (YAML)")
    .requiredOption("--cohort <id>", "the cohort to report on")
    .addOption(
      new Option("-f, --format <format>", "output format (default: from --out, else markdown)").choices(
        COHORT_REPORT_FORMATS,
      ),
    )
    .option("-o, --out <file>", "write the report to this file instead of stdout")
    .option("--max-groups <n>", "most drift groups listed", maxGroups, 200)
    .action(async (flags: ReportFlags) => {
      const loaded = loadConfig(flags.config);
      const cohort = configuredCohort(loaded.config, flags.cohort);
      const deployed = deployedVersions(loaded);
      const report = await withConfiguredStore(loaded, (store) =>
        buildCohortReport(createReviewService(store, loaded.config, deployed), cohort, {
          now: new Date(),
          maxGroups: flags.maxGroups,
        }),
      );
      if (!report) throw new Error(`cohort ${cohort} vanished from the config`);
      const text = render(report, flags.format ?? formatFromOut(flags.out));
      if (flags.out) writeFileSync(flags.out, text);
      else process.stdout.write(text);
    });
}

function render(report: CohortStoreReport, format: CohortReportFormat): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(report, null, 2)}\n`;
    case "markdown":
      return renderCohortMarkdown(report);
    case "html":
      return renderCohortHtml(report);
  }
}

function formatFromOut(out: string | undefined): CohortReportFormat {
  const format = formatFromPath(out);
  return format === "json" || format === "html" ? format : "markdown";
}

function maxGroups(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new InvalidArgumentError("expected 1..10000");
  return n;
}
