import { Command, Option } from "commander";
import { loadConfig } from "../config/load-config.js";
import { STAGES, type Stage } from "../contracts/index.js";
import { Verdict } from "../errors/errors.js";
import { createKafkaStagePublisher } from "../ingest/kafka/kafka-stage-publisher.js";
import { createLogger } from "../logging/logger.js";
import { actorFromEnv } from "../promotion/actor.js";
import { deployedVersions } from "../promotion/deployed-versions.js";
import { type PromoteOutcome, promoteCohort } from "../promotion/promote-cohort.js";
import { replaceControlCharacters } from "../report/control-characters.js";
import { kafkaBrokers } from "../service/kafka-brokers.js";
import { configuredCohort } from "./cohort-flag.js";
import { withConfiguredStore } from "./configured-store.js";
import { GATE_EXIT_CODE } from "./gate-formats.js";

interface PromoteFlags {
  config: string;
  cohort: string;
  to: Stage;
  actor?: string;
  format: "text" | "json";
}

export function promoteCommand(): Command {
  return new Command("promote")
    .description(
      "move a cohort to a stage (shadow -> canary -> live) if its gate passes now; rollback always allowed",
    )
    .requiredOption("-c, --config <file>", "configuration file (YAML)")
    .requiredOption("--cohort <id>", "the cohort to move")
    .addOption(new Option("--to <stage>", "the stage to move to").choices(STAGES).makeOptionMandatory())
    .option("--actor <name>", "who promotes, for the audit trail (default: from CI variables or $USER)")
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (flags: PromoteFlags) => {
      const loaded = loadConfig(flags.config);
      const { config } = loaded;
      const cohort = configuredCohort(config, flags.cohort);
      const deployed = deployedVersions(loaded);
      const log = createLogger(config.logging.level);
      const publisher = createKafkaStagePublisher({
        brokers: kafkaBrokers(config.kafka, process.env),
        clientId: `${config.kafka.clientId}-promote`,
        logger: log,
        topic: config.kafka.topics.stages,
      });
      try {
        const outcome = await withConfiguredStore(loaded, (store) =>
          promoteCohort(store, config, deployed, publisher, {
            cohort,
            to: flags.to,
            by: actorFromEnv(flags.actor, process.env),
            now: new Date(),
          }),
        );
        process.stdout.write(
          flags.format === "json" ? `${JSON.stringify(outcome, null, 2)}\n` : describe(outcome),
        );
        if (outcome.kind === "refused")
          throw new Verdict(
            GATE_EXIT_CODE[outcome.gate.status],
            `promotion of ${cohort} to ${flags.to} refused: gate ${outcome.gate.status}: ${outcome.gate.reasons[0] ?? ""}`,
          );
      } finally {
        await publisher.close();
      }
    });
}

function describe(o: PromoteOutcome): string {
  switch (o.kind) {
    case "moved": {
      const t = o.transition;
      const gate = o.gate
        ? ` (gate ${o.gate.status}, evaluation ${o.gate.id})`
        : " (rollback: no gate needed)";
      return `${t.cohort}: ${t.from} -> ${t.to}${gate}; transition ${t.id} recorded and published\n`;
    }
    case "refused":
      return `${o.gate.cohort}: stays in ${o.from}; gate ${o.gate.status}:\n${o.gate.reasons.map((r) => `  - ${replaceControlCharacters(r)}\n`).join("")}`;
    case "unchanged":
      return `already in ${o.stage}${o.republished ? `; transition ${o.republished.id} published again` : ""}\n`;
  }
}
