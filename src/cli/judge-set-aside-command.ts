import { resolve } from "node:path";
import { Command } from "commander";
import { loadConfig } from "../config/load-config.js";
import { Verdict } from "../errors/errors.js";
import { deployedVersions } from "../promotion/deployed-versions.js";
import { isSetAsideLetter, judgeSetAside, type SetAsideJudgement } from "../replay/judge-set-aside.js";
import { createWorkerPool } from "../runtime/worker-pool.js";
import { kafkajsDeadLetterSource } from "../service/kafkajs-parts.js";
import { pseudonymizerFromEnv } from "../store/pseudonymize.js";
import { unjudgedSetAside } from "../store/set-aside-pairs.js";
import { storeSink } from "../store/write-rows.js";
import { withConfiguredStore } from "./configured-store.js";
import { timeFlag } from "./time-flags.js";

/** Exit code when set-aside requests remain unjudged (their dead letters gone, or failing again). */
export const SET_ASIDE_REMAIN_EXIT = 1;

export function judgeSetAsideCommand(): Command {
  return new Command("judge-set-aside")
    .description(
      "judge the requests serve set aside unjudged from their dead letters (read from the dead-letter topic), into the store",
    )
    .requiredOption(
      "-c, --config <file>",
      "configuration file (YAML): the Kafka, store, rules and policy serve runs with",
    )
    .option(
      "--since <time>",
      "only requests set aside with an event time from then on (RFC 3339, a date, or 7d); default: all the store keeps",
      timeFlag(() => new Date()),
    )
    .action(async (flags: { config: string; since?: Date }) => {
      const loaded = loadConfig(flags.config);
      const { config } = loaded;
      const env = process.env;
      pseudonymizerFromEnv(config.store.pseudonymKeyEnv, env); // a missing key fails before anything runs
      const outcome = await withConfiguredStore(loaded, async (store) => {
        // By default every set-aside the store still keeps (its retention bounds them), up to a day ahead.
        const open = await unjudgedSetAside(store, {
          since: flags.since ?? new Date(0),
          until: new Date(Date.now() + 86_400_000),
        });
        if (open.length === 0) return undefined;
        const letters = await kafkajsDeadLetterSource(config.kafka, env).read(isSetAsideLetter);
        // serve's own evaluator: a judgement that never ends is caught by the pool's watchdog.
        const pool = await createWorkerPool({
          workers: 1,
          configFile: resolve(loaded.file),
          env: { ...(env as Record<string, string>) },
          expected: deployedVersions(loaded),
          answerTimeoutMs: config.evaluation.workerTimeoutSeconds * 1000,
          onWorkerProblem: (message) => process.stderr.write(`${message}\n`),
        });
        try {
          return {
            open: open.length,
            result: await judgeSetAside({ open, letters, evaluator: pool, sink: storeSink(store) }),
          };
        } finally {
          await pool.close();
        }
      });
      if (!outcome) {
        process.stdout.write("no request is set aside unjudged: nothing to do\n");
        return;
      }
      process.stdout.write(renderJudgement(outcome.open, outcome.result));
      const remain = outcome.result.missing.length + outcome.result.failed.length;
      if (remain > 0)
        throw new Verdict(
          SET_ASIDE_REMAIN_EXIT,
          `${remain} of ${outcome.open} set-aside requests remain unjudged`,
        );
    });
}

/** Plain text, one fact a line: what was judged, what was not and why. */
export function renderJudgement(open: number, r: SetAsideJudgement): string {
  const lines = [`judged and stored ${r.judged.length} of ${open} requests set aside unjudged`];
  for (const id of r.judged) lines.push(`  judged: ${id}`);
  for (const m of r.missing)
    lines.push(`  not in the dead-letter topic: ${m.correlationId} (${m.sides.join(" and ")})`);
  for (const f of r.failed) lines.push(`  failed again: ${f.correlationId}: ${f.error}`);
  lines.push(
    `ignored: ${r.ignored} set-aside dead letters of no open request (judged since, sent twice, or another source)`,
  );
  return `${lines.join("\n")}\n`;
}
