import { Command } from "commander";
import { loadConfig } from "../config/load-config.js";
import { EntitlementDiffError } from "../errors/errors.js";
import { createLogger } from "../logging/logger.js";
import { httpOnlyParts } from "../service/http-only-parts.js";
import { kafkajsParts } from "../service/kafkajs-parts.js";
import { startService } from "../service/run-service.js";
import { EXIT_GRACE_MS } from "../service/stop-waits.js";

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
      if (code !== 0) throw new ServiceFailed(code, service.fatalError);
    });
}

/** The service stopped with a non-zero code: the process exits with it (not as an internal error). */
class ServiceFailed extends EntitlementDiffError {
  constructor(
    readonly exitCode: number,
    fatal: string | undefined,
  ) {
    super(`the service stopped with code ${exitCode}${fatal ? `: ${fatal.split("\n")[0]}` : ""}`);
  }
}
