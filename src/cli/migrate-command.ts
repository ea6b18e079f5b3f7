import { dirname, resolve } from "node:path";
import { Command } from "commander";
import { loadConfig } from "../config/load-config.js";
import { openStore } from "../store/open-store.js";

export function migrateCommand(): Command {
  return new Command("migrate")
    .description("apply pending store schema migrations (serve applies them at start too)")
    .requiredOption("-c, --config <file>", "configuration file (YAML)")
    .action(async (flags: { config: string }) => {
      const { config, file } = loadConfig(flags.config);
      const store = await openStore(config.store, { baseDir: dirname(resolve(file)), env: process.env });
      try {
        process.stdout.write(`${JSON.stringify(store.migration, null, 2)}\n`);
      } finally {
        await store.close();
      }
    });
}
