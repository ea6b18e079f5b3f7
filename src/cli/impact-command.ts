import { writeFileSync } from "node:fs";
import { Command, InvalidArgumentError, Option } from "commander";
import { loadConfig } from "../config/load-config.js";
import { durationMs } from "../contracts/index.js";
import { ConfigError, UsageError, Verdict } from "../errors/errors.js";
import { buildImpactReport } from "../impact/impact-report.js";
import { loadWasmPolicy } from "../policy/wasm-policy.js";
import { deployedVersions } from "../promotion/deployed-versions.js";
import { renderImpactMarkdown, renderImpactText } from "../report/impact/render-impact.js";
import { readReplayFacts } from "../store/replay-facts.js";
import { withConfiguredStore } from "./configured-store.js";
import { timeFlag } from "./time-flags.js";

const FORMATS = ["text", "json", "markdown"] as const;
type ImpactFormat = (typeof FORMATS)[number];

interface ImpactFlags {
  config: string;
  policy: string;
  since?: Date;
  until?: Date;
  cohort?: string;
  format: ImpactFormat;
  out?: string;
  maxPairs: number;
}

/** Exit 1: the candidate introduces an over-permission (or fails); 2: too little evidence to say. */
const IMPACT_EXIT = { pass: 0, fail: 1, insufficient_evidence: 2 } as const;

export function impactCommand(): Command {
  const now = new Date();
  return new Command("impact")
    .description(
      "replay stored mismatches and sampled agreeing pairs against a candidate policy bundle, the legacy decision as the oracle; exit 0 pass, 1 an over-permission introduced, 2 too little evidence",
    )
    .requiredOption("-c, --config <file>", "configuration file (YAML)")
    .requiredOption("--policy <bundle>", "the candidate: an `opa build -t wasm` bundle (.tar.gz) or a .wasm")
    .option(
      "--since <time>",
      "start: RFC 3339 time or duration before now (default: gates.window)",
      timeFlag(() => now),
    )
    .option(
      "--until <time>",
      "end (default: now)",
      timeFlag(() => now),
    )
    .option("--cohort <id>", "only this cohort")
    .addOption(new Option("-f, --format <format>", "output format").choices(FORMATS).default("text"))
    .option("-o, --out <file>", "write the output to this file instead of stdout")
    .addOption(
      new Option("--max-pairs <n>", "most stored pairs replayed").argParser(positiveInteger).default(500_000),
    )
    .action(async (flags: ImpactFlags) => {
      const loaded = loadConfig(flags.config);
      const { config } = loaded;
      if (!config.impact)
        throw new ConfigError([
          {
            file: loaded.file,
            path: "impact",
            message: "impact needs the impact section: serve keeps no replay facts without it",
          },
        ]);
      const until = flags.until ?? now;
      const since = flags.since ?? new Date(until.getTime() - durationMs(config.gates.window));
      if (since.getTime() >= until.getTime())
        throw new UsageError("--since must be before --until (default: now)");
      const deployed = deployedVersions(loaded);
      const candidate = await loadWasmPolicy({
        bundlePath: flags.policy,
        entrypoint: config.policy.entrypoint,
        maxMemoryPages: config.policy.maxMemoryPages,
      });
      try {
        const { facts, truncated } = await withConfiguredStore(loaded, (store) =>
          readReplayFacts(store, {
            since,
            until,
            ...deployed,
            ...(flags.cohort ? { cohort: flags.cohort } : {}),
            limit: flags.maxPairs,
          }),
        );
        const report = buildImpactReport({
          facts,
          candidate,
          candidateFile: flags.policy,
          deployed,
          since,
          until,
          matchedSampleRate: config.impact.matchedSampleRate,
          truncated,
          now,
        });
        const text =
          flags.format === "json"
            ? `${JSON.stringify(report, null, 2)}\n`
            : flags.format === "markdown"
              ? renderImpactMarkdown(report)
              : renderImpactText(report);
        if (flags.out) writeFileSync(flags.out, text);
        else process.stdout.write(text);
        if (report.status !== "pass")
          throw new Verdict(
            IMPACT_EXIT[report.status],
            `impact: ${report.status}: ${report.reasons.join("; ")}`,
          );
      } finally {
        candidate.close();
      }
    });
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError("expected a positive whole number");
  return n;
}
