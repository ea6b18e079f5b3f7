import { appendFileSync, writeFileSync } from "node:fs";
import { Command, Option } from "commander";
import { loadConfig } from "../config/load-config.js";
import { UsageError, Verdict } from "../errors/errors.js";
import { actorFromEnv } from "../promotion/actor.js";
import { deployedVersions } from "../promotion/deployed-versions.js";
import { evaluateCohortGate } from "../promotion/evaluate-cohort-gate.js";
import { renderGateMarkdown } from "../report/gate/render-gate-markdown.js";
import { configuredCohort } from "./cohort-flag.js";
import { withConfiguredStore } from "./configured-store.js";
import { GATE_EXIT_CODE, GATE_FORMATS, type GateFormat, renderGate } from "./gate-formats.js";
import { timeFlag } from "./time-flags.js";

interface GateFlags {
  config: string;
  cohort: string;
  format: GateFormat;
  out?: string;
  since?: Date;
  until?: Date;
  allVersions?: boolean;
  actor?: string;
}

export function gateCommand(): Command {
  const now = new Date();
  return new Command("gate")
    .description(
      "decide a cohort's parity gate from the store and record it; exit 0 pass, 1 fail, 2 insufficient evidence",
    )
    .requiredOption("-c, --config <file>", "configuration file (YAML)")
    .requiredOption("--cohort <id>", "the cohort to gate")
    .addOption(new Option("-f, --format <format>", "output format").choices(GATE_FORMATS).default("text"))
    .option("-o, --out <file>", "write the output to this file instead of stdout")
    .option(
      "--since <time>",
      "start of the evidence window: RFC 3339 time or duration before now (7d)",
      timeFlag(() => now),
    )
    .option(
      "--until <time>",
      "end of the evidence window (default: now)",
      timeFlag(() => now),
    )
    .option("--all-versions", "count outcomes of every policy and rules version, not only the deployed ones")
    .option("--actor <name>", "who runs the gate, for the audit trail (default: from CI variables or $USER)")
    .action(async (flags: GateFlags) => {
      const loaded = loadConfig(flags.config);
      const cohort = configuredCohort(loaded.config, flags.cohort);
      if (flags.since && flags.since.getTime() >= (flags.until ?? now).getTime())
        throw new UsageError("--since must be before --until (default: now)");
      const deployed = deployedVersions(loaded);
      const evaluation = await withConfiguredStore(loaded, (store) =>
        evaluateCohortGate(store, loaded.config, deployed, {
          cohort,
          ...(flags.since ? { since: flags.since } : {}),
          ...(flags.until ? { until: flags.until } : {}),
          allVersions: flags.allVersions === true,
          evaluatedBy: actorFromEnv(flags.actor, process.env),
          now,
        }),
      );
      const text = renderGate(evaluation, flags.format);
      if (flags.out) writeFileSync(flags.out, text);
      else process.stdout.write(text);
      const summary = process.env.GITHUB_STEP_SUMMARY;
      if (summary) appendFileSync(summary, `${renderGateMarkdown(evaluation)}\n`);
      const code = GATE_EXIT_CODE[evaluation.status];
      if (code !== 0)
        throw new Verdict(code, `gate ${cohort}: ${evaluation.status}: ${evaluation.reasons[0] ?? ""}`);
    });
}
