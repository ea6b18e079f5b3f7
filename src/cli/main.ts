import { Command, CommanderError } from "commander";
import { EntitlementDiffError, Verdict } from "../errors/errors.js";
import { apiTokenCommand } from "./api-token-command.js";
import { gateCommand } from "./gate-command.js";
import { impactCommand } from "./impact-command.js";
import { judgeSetAsideCommand } from "./judge-set-aside-command.js";
import { migrateCommand } from "./migrate-command.js";
import { promoteCommand } from "./promote-command.js";
import { replayCommand } from "./replay-command.js";
import { reportCommand } from "./report-command.js";
import { serveCommand } from "./serve-command.js";
import { simulateCommand } from "./simulate-command.js";
import { statusCommand } from "./status-command.js";

const EX_USAGE = 64;
const EX_SOFTWARE = 70;

export function buildProgram(): Command {
  const program = new Command("entitlement-diff")
    .description(
      "Compare a legacy CIAM and a new CIAM request by request, per cohort, and gate promotion on parity.",
    )
    .version("0.1.0")
    .addCommand(replayCommand())
    .addCommand(serveCommand())
    .addCommand(migrateCommand())
    .addCommand(simulateCommand())
    .addCommand(gateCommand())
    .addCommand(promoteCommand())
    .addCommand(statusCommand())
    .addCommand(reportCommand())
    .addCommand(impactCommand())
    .addCommand(judgeSetAsideCommand())
    .addCommand(apiTokenCommand());
  // Commander copies these settings only to sub-commands it creates itself, not to added ones.
  for (const command of [program, ...program.commands]) command.exitOverride();
  return program;
}

/** Runs the CLI and maps every failure to an exit code (see docs/cli.md). */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : EX_USAGE;
    }
    if (err instanceof Verdict) {
      process.stderr.write(`entitlement-diff: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof EntitlementDiffError) {
      process.stderr.write(`entitlement-diff: ${err.name}: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(
      `entitlement-diff: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return EX_SOFTWARE;
  }
}
