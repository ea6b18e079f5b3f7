import { Command, Option } from "commander";
import { loadConfig } from "../config/load-config.js";
import { actorFromEnv } from "../promotion/actor.js";
import { cohortStatuses } from "../promotion/cohort-status.js";
import { deployedVersions } from "../promotion/deployed-versions.js";
import { renderStatusTable } from "../report/render-status-table.js";
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
        flags.format === "json" ? `${JSON.stringify(statuses, null, 2)}\n` : renderStatusTable(statuses),
      );
    });
}
