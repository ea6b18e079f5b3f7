import { accessSync, constants } from "node:fs";
import { Command } from "commander";
import { loadConfig } from "../config/load-config.js";
import { InputError, Verdict } from "../errors/errors.js";
import { judgeSetAside, type SetAsideJudgement } from "../replay/judge-set-aside.js";
import { loadRuntime } from "../runtime/load-runtime.js";
import { pseudonymizerFromEnv } from "../store/pseudonymize.js";
import { unjudgedSetAside } from "../store/set-aside-pairs.js";
import { storeSink } from "../store/write-rows.js";
import { createOutcomeMaker } from "../stream/outcome-maker.js";
import { withConfiguredStore } from "./configured-store.js";

/** Exit code when set-aside requests remain unjudged (not found in the files, or failed again). */
export const SET_ASIDE_REMAIN_EXIT = 1;

export function judgeSetAsideCommand(): Command {
  return new Command("judge-set-aside")
    .description(
      "judge the requests serve set aside unjudged, from their dead letters (NDJSON of the dead-letter topic's values), into the store",
    )
    .argument("<dead-letters...>", "NDJSON files of dead-letter values (other lines in them are ignored)")
    .requiredOption(
      "-c, --config <file>",
      "configuration file (YAML): the store, rules and policy serve runs with",
    )
    .action(async (inputs: string[], flags: { config: string }) => {
      for (const file of inputs) readable(file);
      const loaded = loadConfig(flags.config);
      const pseudonymizer = pseudonymizerFromEnv(loaded.config.store.pseudonymKeyEnv);
      const runtime = await loadRuntime(loaded);
      try {
        const maker = createOutcomeMaker({
          differ: runtime.differ,
          provenance: runtime.provenance,
          pseudonymizer,
        });
        const { open, result } = await withConfiguredStore(loaded, async (store) => {
          // Every set-aside the store still keeps (its retention bounds them), up to a day ahead.
          const open = await unjudgedSetAside(store, {
            since: new Date(0),
            until: new Date(Date.now() + 86_400_000),
          });
          if (open.length === 0) return { open, result: undefined };
          return { open, result: await judgeSetAside({ open, inputs, maker, sink: storeSink(store) }) };
        });
        if (!result) {
          process.stdout.write("no request is set aside unjudged: nothing to do\n");
          return;
        }
        process.stdout.write(renderJudgement(open.length, result));
        const remain = result.missing.length + result.failed.length;
        if (remain > 0)
          throw new Verdict(
            SET_ASIDE_REMAIN_EXIT,
            `${remain} of ${open.length} set-aside requests remain unjudged`,
          );
      } finally {
        runtime.close();
      }
    });
}

/** Before anything is opened: a mistyped path fails even when nothing is left to judge. */
function readable(file: string): void {
  try {
    accessSync(file, constants.R_OK);
  } catch (err) {
    throw new InputError(`cannot read dead letters ${file}: ${(err as Error).message}`);
  }
}

/** Plain text, one fact a line: what was judged, what was not and why. */
export function renderJudgement(open: number, r: SetAsideJudgement): string {
  const lines = [`judged and stored ${r.judged.length} of ${open} requests set aside unjudged`];
  for (const id of r.judged) lines.push(`  judged: ${id}`);
  for (const m of r.missing) lines.push(`  not in the files: ${m.correlationId} (${m.sides.join(" and ")})`);
  for (const f of r.failed) lines.push(`  failed again: ${f.correlationId}: ${f.error}`);
  lines.push(`ignored: ${r.ignored} events of other requests, ${r.notEvents} lines that are not events`);
  return `${lines.join("\n")}\n`;
}
