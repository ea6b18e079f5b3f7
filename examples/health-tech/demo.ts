#!/usr/bin/env node
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { loadConfig } from "../../src/config/load-config.js";
import { EntitlementDiffError } from "../../src/errors/errors.js";
import { runReplay } from "../../src/replay/run-replay.js";
import { renderHtml } from "../../src/report/render-html.js";
import { renderText } from "../../src/report/render-text.js";
import { loadRuntime } from "../../src/runtime/load-runtime.js";
import { DEMO_LEGACY_JWT_SECRET, demoLegacySecret, LEGACY_JWT_SECRET_ENV } from "./demo-secrets.js";
import { DEMO_DEFAULTS } from "./generator/traffic.js";
import { writeDemoFiles } from "./generator/write-demo-files.js";
import { DEMO_CONFIG_FILE, DEMO_EVENTS_FILE, DEMO_EXPECTED_FILE, HEALTH_TECH_DIR } from "./paths.js";

/**
 * `npm run demo`: generates the demo traffic if missing, replays it through the whole core, prints
 * the per-cohort summary and writes the HTML report to out/demo-report.html.
 */
async function demo(): Promise<void> {
  const env = { ...process.env, [LEGACY_JWT_SECRET_ENV]: demoLegacySecret() };
  if (env[LEGACY_JWT_SECRET_ENV] === DEMO_LEGACY_JWT_SECRET) {
    process.stderr.write(
      `demo: using the public demo HS256 secret for the legacy issuer (${LEGACY_JWT_SECRET_ENV})\n`,
    );
  }
  if (!existsSync(DEMO_EVENTS_FILE)) {
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
    const report = await runReplay(runtime, { inputs: [DEMO_EVENTS_FILE] });
    const outDir = join(HEALTH_TECH_DIR, "..", "..", "out");
    mkdirSync(outDir, { recursive: true });
    const htmlFile = join(outDir, "demo-report.html");
    writeFileSync(htmlFile, renderHtml(report));
    writeFileSync(join(outDir, "demo-report.json"), `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(renderText(report, { color: process.stdout.isTTY }));
    process.stdout.write(`\nHTML report: ${relative(process.cwd(), htmlFile)}  (JSON beside it)\n`);
  } finally {
    runtime.close();
  }
}

try {
  await demo();
} catch (err) {
  process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = err instanceof EntitlementDiffError ? err.exitCode : 70;
}
