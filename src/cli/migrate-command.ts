import { Command } from "commander";
import { loadConfig } from "../config/load-config.js";
import { withConfiguredStore } from "./configured-store.js";

export function migrateCommand(): Command {
  return new Command("migrate")
    .description("apply pending store schema migrations (serve applies them at start too)")
    .requiredOption("-c, --config <file>", "configuration file (YAML)")
    .action(async (flags: { config: string }) => {
      await withConfiguredStore(loadConfig(flags.config), async (store) => {
        process.stdout.write(`${JSON.stringify(store.migration, null, 2)}\n`);
      });
    });
}
