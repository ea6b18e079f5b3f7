#!/usr/bin/env node
import { dirname, join } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { demoLegacySecret } from "../demo-secrets.js";
import { DEMO_EVENTS_FILE } from "../paths.js";
import { MIN_DEMO_EVENTS } from "./special-events.js";
import { DEMO_DEFAULTS } from "./traffic.js";
import { writeDemoFiles } from "./write-demo-files.js";

/**
 * Generates the health-tech demo traffic and its ground truth:
 *   node dist/examples/health-tech/generator/main.js --events 20000 --out examples/health-tech/data/events.ndjson
 */
function integer(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number >= ${min}`);
    return n;
  };
}

const program = new Command()
  .name("generate-demo-traffic")
  .description("Deterministic mirrored authorization traffic of the health-tech demo, with planted drift")
  .option("--events <n>", "number of NDJSON lines", integer(MIN_DEMO_EVENTS), DEMO_DEFAULTS.events)
  .option("--out <file>", "events file (NDJSON)", DEMO_EVENTS_FILE)
  .option("--expected <file>", "ground-truth manifest (default: expected.json next to --out)")
  .option("--seed <n>", "PRNG seed", integer(0), DEMO_DEFAULTS.seed)
  .option("--start <time>", "event time of the first request (RFC 3339)", DEMO_DEFAULTS.start)
  .option("--principals <n>", "size of the principal pool", integer(100), DEMO_DEFAULTS.principals)
  .option("--rate <n>", "mean requests per second of event time", integer(1), DEMO_DEFAULTS.requestsPerSecond)
  .showHelpAfterError();

program.parse();
const opts = program.opts<{
  events: number;
  out: string;
  expected?: string;
  seed: number;
  start: string;
  principals: number;
  rate: number;
}>();

const expectedFile = opts.expected ?? join(dirname(opts.out), "expected.json");
try {
  const result = await writeDemoFiles(
    {
      events: opts.events,
      seed: opts.seed,
      start: opts.start,
      principals: opts.principals,
      requestsPerSecond: opts.rate,
      legacySecret: demoLegacySecret(),
    },
    opts.out,
    expectedFile,
  );
  const seconds = result.elapsedMs / 1000;
  const t = result.manifest.totals;
  process.stderr.write(
    `wrote ${result.lines} events (${(result.bytes / 2 ** 20).toFixed(1)} MiB) to ${opts.out} in ${seconds.toFixed(2)} s ` +
      `(${Math.round(result.lines / seconds)} events/s, ${result.tokensSigned} tokens signed)\n` +
      `ground truth: ${expectedFile}: ${t.pairs} pairs, ${t.unpaired} unpaired, ${t.duplicates} duplicates, ` +
      `${t.rejected} rejected, ${t.mismatches} findings\n`,
  );
} catch (err) {
  process.stderr.write(`generate-demo-traffic: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
