import { Command } from "commander";
import { loadConfig } from "../config/load-config.js";
import { createLogger } from "../logging/logger.js";
import { httpOnlyParts } from "../service/http-only-parts.js";
import { kafkajsParts } from "../service/kafkajs-parts.js";
import { startService } from "../service/run-service.js";

export function serveCommand(): Command {
  return new Command("serve")
    .description(
      "consume mirrored events from Kafka (and POST /api/v1/events), diff each pair, store outcomes",
    )
    .requiredOption("-c, --config <file>", "configuration file (YAML)")
    .option("--port <n>", "HTTP port (overrides server.port)", (v) => Number.parseInt(v, 10))
    .option("--no-kafka", "take events over HTTP only (POST /api/v1/events): no Kafka consumer")
    .action(async (flags: { config: string; port?: number; kafka: boolean }) => {
      const loaded = loadConfig(flags.config);
      const log = createLogger(loaded.config.logging.level);
      const service = await startService({
        loaded,
        env: process.env,
        log,
        kafka: flags.kafka
          ? (topics) => kafkajsParts(loaded.config.kafka, topics, process.env, log)
          : async () => httpOnlyParts(),
        port: flags.port,
      });
      const shutdown = (signal: string) => {
        log.info({ signal }, "shutting down: stop fetching, flush, commit");
        void service.stop();
      };
      process.once("SIGTERM", () => shutdown("SIGTERM"));
      process.once("SIGINT", () => shutdown("SIGINT"));
      const code = await service.stopped;
      // Everything is committed and closed (or given up) by now: a handle still open (a Kafka
      // client reconnecting for a send given up) must not keep the process past its grace period.
      setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
      if (code !== 0) throw new ServiceFailed(code);
    });
}

/** After a stop, how long the process may take to exit by itself before it is made to. */
const EXIT_GRACE_MS = 2_000;

class ServiceFailed extends Error {
  constructor(readonly code: number) {
    super(`the service stopped with code ${code}`);
  }
}
