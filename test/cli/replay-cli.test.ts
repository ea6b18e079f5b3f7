import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DEMO_LEGACY_JWT_SECRET, LEGACY_JWT_SECRET_ENV } from "../../examples/health-tech/demo-secrets.js";
import { writeDemoFiles } from "../../examples/health-tech/generator/write-demo-files.js";
import { DEMO_CONFIG_FILE } from "../../examples/health-tech/paths.js";
import { reportSchema } from "../../src/contracts/index.js";
import { runCli } from "./cli-harness.js";

const ROOT = resolve(import.meta.dirname, "../..");
let dir: string;
let events: string;

const cli = runCli;

beforeAll(async () => {
  process.env[LEGACY_JWT_SECRET_ENV] = DEMO_LEGACY_JWT_SECRET;
  dir = mkdtempSync(join(tmpdir(), "replay-cli-"));
  events = join(dir, "events.ndjson");
  await writeDemoFiles(
    { events: 2_000, legacySecret: DEMO_LEGACY_JWT_SECRET },
    events,
    join(dir, "expected.json"),
  );
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("entitlement-diff replay", () => {
  it("writes a JSON report that satisfies the report contract", async () => {
    const r = await cli("replay", "--config", DEMO_CONFIG_FILE, events);
    expect(r.code).toBe(0);
    const report = reportSchema.parse(JSON.parse(r.stdout));
    expect(report.totals.pairs).toBeGreaterThan(900);
    expect(report.cohorts.map((c) => c.id)).toContain("clinicians");
  });

  it("keeps evaluating valid lines around malformed ones and names file and line", async () => {
    const mixed = join(dir, "mixed.ndjson");
    const lines = readFileSync(events, "utf8").split("\n").filter(Boolean).slice(0, 400);
    lines.splice(10, 0, "{not json", '{"schema":"entitlement-diff.authz.v1"}');
    writeFileSync(mixed, `${lines.join("\n")}\n`);
    const r = await cli("replay", "--config", DEMO_CONFIG_FILE, mixed, "--format", "json");
    const report = reportSchema.parse(JSON.parse(r.stdout));
    const bad = report.rejected.filter((x) => x.line === 11 || x.line === 12);
    expect(bad.map((x) => [x.file, x.line])).toEqual([
      [mixed, 11],
      [mixed, 12],
    ]);
    expect(bad[0]?.reason).toMatch(/^not JSON/);
    expect(bad[1]?.reason).toMatch(/side|correlationId/);
    expect(report.totals.events + report.totals.rejected).toBeGreaterThanOrEqual(400);
    expect(report.totals.pairs).toBeGreaterThan(150);
  });

  it("writes markdown and HTML reports to files chosen by extension", async () => {
    const html = join(dir, "r.html");
    const md = join(dir, "r.md");
    expect((await cli("replay", "-c", DEMO_CONFIG_FILE, events, "--out", html)).code).toBe(0);
    expect((await cli("replay", "-c", DEMO_CONFIG_FILE, events, "--out", md)).code).toBe(0);
    expect(readFileSync(html, "utf8")).toMatch(/^<!doctype html>/i);
    expect(readFileSync(md, "utf8")).toContain("| clinicians");
  });

  it("exits 78 with file, line and path when the config is wrong", async () => {
    const bad = join(dir, "bad.yaml");
    const text = readFileSync(DEMO_CONFIG_FILE, "utf8").replace(/windowSeconds: \d+/, "windowSeconds: -5");
    writeFileSync(bad, text);
    const r = await cli("replay", "--config", bad, events);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(
      new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+ \\(at pairing\\.windowSeconds\\)`),
    );
  });

  it("exits 78 when the legacy HMAC secret variable is not set, naming it", async () => {
    delete process.env[LEGACY_JWT_SECRET_ENV];
    try {
      const r = await cli("replay", "--config", DEMO_CONFIG_FILE, events);
      expect(r.code).toBe(78);
      expect(r.stderr).toContain(LEGACY_JWT_SECRET_ENV);
    } finally {
      process.env[LEGACY_JWT_SECRET_ENV] = DEMO_LEGACY_JWT_SECRET;
    }
  });

  it("exits 64 on usage errors and 66 on a missing input file", async () => {
    expect((await cli("replay", events)).code).toBe(64); // no --config
    expect((await cli("replay", "-c", DEMO_CONFIG_FILE, events, "--format", "pdf")).code).toBe(64);
    expect((await cli("replay", "-c", DEMO_CONFIG_FILE, events, "--max-findings", "0")).code).toBe(64);
    const missing = await cli("replay", "-c", DEMO_CONFIG_FILE, join(dir, "nope.ndjson"));
    expect(missing.code).toBe(66);
    expect(missing.stderr).toContain("nope.ndjson");
  });

  it("runs as the installed bin from the compiled output", () => {
    const bin = join(ROOT, "bin", "entitlement-diff.js");
    expect(
      existsSync(join(ROOT, "dist", "src", "cli", "entry.js")),
      "dist/ is built by npm install (prepare)",
    ).toBe(true);
    const copy = join(dir, "bin-events.ndjson");
    copyFileSync(events, copy);
    const r = spawnSync(process.execPath, [bin, "replay", "-c", DEMO_CONFIG_FILE, copy, "-f", "text"], {
      encoding: "utf8",
      env: { ...process.env, [LEGACY_JWT_SECRET_ENV]: DEMO_LEGACY_JWT_SECRET },
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/clinicians\s+\d/);
  });
});
