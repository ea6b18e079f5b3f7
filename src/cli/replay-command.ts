import { writeFileSync } from "node:fs";
import { Command, InvalidArgumentError, Option } from "commander";
import { loadConfig } from "../config/load-config.js";
import { runReplay } from "../replay/run-replay.js";
import { loadRuntime } from "../runtime/load-runtime.js";
import { terminalProgress } from "./progress.js";
import { formatFromPath, REPORT_FORMATS, type ReportFormat, renderReport } from "./report-formats.js";

interface ReplayFlags {
  config: string;
  format?: ReportFormat;
  out?: string;
  maxFindings: number;
}

export function replayCommand(): Command {
  return new Command("replay")
    .description(
      "pair, verify, evaluate and classify mirrored events from NDJSON files, and write the report",
    )
    .argument("<events...>", "NDJSON files of mirrored events (several files are merged by event time)")
    .requiredOption("-c, --config <file>", "configuration file (YAML)")
    .addOption(
      new Option("-f, --format <format>", "report format (default: from --out, else json)").choices(
        REPORT_FORMATS,
      ),
    )
    .option("-o, --out <file>", "write the report to this file instead of stdout")
    .option(
      "--max-findings <n>",
      "most findings listed in the report (counts stay complete)",
      positiveInt,
      10_000,
    )
    .action(async (inputs: string[], flags: ReplayFlags) => {
      const format = flags.format ?? formatFromPath(flags.out) ?? "json";
      const runtime = await loadRuntime(loadConfig(flags.config));
      const progress = process.stdout.isTTY ? terminalProgress() : undefined;
      try {
        const report = await runReplay(runtime, {
          inputs,
          maxListedFindings: flags.maxFindings,
          onProgress: progress?.update,
        });
        progress?.done();
        const text = renderReport(report, format);
        if (flags.out) {
          writeFileSync(flags.out, text);
          process.stderr.write(`report written to ${flags.out}\n`);
        } else process.stdout.write(text);
      } finally {
        runtime.close();
      }
    });
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive whole number");
  return n;
}
