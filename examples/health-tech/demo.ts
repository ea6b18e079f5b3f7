#!/usr/bin/env node
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../../src/config/load-config.js";
import { EntitlementDiffError, UsageError } from "../../src/errors/errors.js";
import { createLogger } from "../../src/logging/logger.js";
import { runReplay } from "../../src/replay/run-replay.js";
import { renderHtml } from "../../src/report/render-html.js";
import { renderStatusTable } from "../../src/report/render-status-table.js";
import { renderText } from "../../src/report/render-text.js";
import { loadRuntime } from "../../src/runtime/load-runtime.js";
import { DEMO_LEGACY_JWT_SECRET, demoLegacySecret, LEGACY_JWT_SECRET_ENV } from "./demo-secrets.js";
import { demoStoreDir, startDemoService } from "./demo-service.js";
import { DEMO_DEFAULTS } from "./generator/traffic.js";
import { writeDemoFiles } from "./generator/write-demo-files.js";
import {
  DEMO_CONFIG_FILE,
  DEMO_EVENTS_FILE,
  DEMO_EXPECTED_FILE,
  DEMO_TOKENS_FILE,
  HEALTH_TECH_DIR,
} from "./paths.js";

interface DemoFlags {
  /** Feed the service, print what it stored, stop: for tests and CI. */
  once: boolean;
  /** Only the file replay and its report, no service. */
  replayOnly: boolean;
  port: number;
  rate: number;
  duration: number;
}

function demoFlags(argv: string[]): DemoFlags {
  const { values } = parseArgs({
    args: argv,
    options: {
      once: { type: "boolean", default: false },
      "replay-only": { type: "boolean", default: false },
      port: { type: "string", default: process.env.DEMO_PORT ?? "8080" },
      rate: { type: "string", default: "400" },
      duration: { type: "string", default: "60" },
    },
  });
  const number = (name: string, text: string, min: number) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min)
      throw new UsageError(`--${name} must be a whole number >= ${min}, got ${text}`);
    return n;
  };
  return {
    once: values.once,
    replayOnly: values["replay-only"],
    port: number("port", values.port, 0),
    rate: number("rate", values.rate, 1),
    duration: number("duration", values.duration, 1),
  };
}

/**
 * `npm run demo`: generates the demo traffic if missing, replays it through the whole core, prints
 * the per-cohort summary and writes the HTML report to out/demo-report.html; then runs the service
 * on the embedded store, fed over HTTP by the simulator, with the review pages on
 * http://127.0.0.1:8080 and a reviewer token printed to log in with.
 */
async function demo(flags: DemoFlags): Promise<void> {
  const env = { ...process.env, [LEGACY_JWT_SECRET_ENV]: demoLegacySecret() };
  if (env[LEGACY_JWT_SECRET_ENV] === DEMO_LEGACY_JWT_SECRET) {
    process.stderr.write(
      `demo: using the public demo HS256 secret for the legacy issuer (${LEGACY_JWT_SECRET_ENV})\n`,
    );
  }
  if (!existsSync(DEMO_EVENTS_FILE) || !existsSync(DEMO_TOKENS_FILE)) {
    process.stderr.write(
      `demo: generating ${DEMO_DEFAULTS.events.toLocaleString("en-US")} mirrored events…\n`,
    );
    await writeDemoFiles(
      { events: DEMO_DEFAULTS.events, legacySecret: env[LEGACY_JWT_SECRET_ENV] },
      DEMO_EVENTS_FILE,
      DEMO_EXPECTED_FILE,
    );
  }
  const runtime = await loadRuntime(loadConfig(DEMO_CONFIG_FILE), env);
  try {
    const report = await runReplay(runtime, { inputs: [DEMO_EVENTS_FILE, DEMO_TOKENS_FILE], env });
    const htmlFile = join(outDir(), "demo-report.html");
    writeFileSync(htmlFile, renderHtml(report));
    writeFileSync(join(outDir(), "demo-report.json"), `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(renderText(report, { color: process.stdout.isTTY }));
    process.stdout.write(`\nHTML report: ${relative(process.cwd(), htmlFile)}  (JSON beside it)\n`);
  } finally {
    runtime.close();
  }
  if (!flags.replayOnly) await serveDemo(flags, env, outDir());
}

function outDir(): string {
  const dir = join(HEALTH_TECH_DIR, "..", "..", "out");
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The service part: pages and API on the embedded store, the simulator posting live traffic. */
async function serveDemo(
  flags: DemoFlags,
  env: Record<string, string | undefined>,
  out: string,
): Promise<void> {
  const stop = new AbortController();
  const demoService = await startDemoService({
    loaded: loadConfig(DEMO_CONFIG_FILE),
    env,
    log: createLogger("warn"),
    storeDir: demoStoreDir(out),
    host: "127.0.0.1",
    port: flags.port,
    eventsPerSecond: flags.rate,
    durationSeconds: flags.duration,
    legacySecret: env[LEGACY_JWT_SECRET_ENV] ?? DEMO_LEGACY_JWT_SECRET,
    signal: stop.signal,
  });
  const { service, url } = demoService;
  process.stdout.write(
    [
      "",
      `The service runs on the embedded store (${relative(process.cwd(), demoStoreDir(out))}), fed over HTTP by the simulator`,
      `(${flags.rate} events/s for ${flags.duration} s).`,
      `Review pages: ${url}/login   (API: ${url}/api/v1/openapi.json)`,
      "Reviewer token (paste it on the login page, or send it as Authorization: Bearer):",
      demoService.reviewerToken,
      "",
    ].join("\n"),
  );
  const ended = new Promise<void>((resolve) => {
    const onSignal = () => {
      stop.abort();
      resolve();
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });
  const traffic = await demoService.traffic;
  await service.writer.flush();
  process.stdout.write(
    `demo: the simulator posted ${traffic.sent.toLocaleString("en-US")} events at ${Math.round(traffic.achievedRate)}/s; the store now says:\n`,
  );
  process.stdout.write(renderStatusTable(await demoService.status()));
  if (!flags.once) {
    process.stdout.write("demo: the pages stay up; Ctrl-C stops the service\n");
    await ended;
  }
  await service.stop();
}

try {
  await demo(demoFlags(process.argv.slice(2)));
} catch (err) {
  process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = err instanceof EntitlementDiffError ? err.exitCode : 70;
}
