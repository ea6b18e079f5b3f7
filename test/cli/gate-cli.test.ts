import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { XMLValidator } from "fast-xml-parser";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { cohortStoreReportSchema, gateEvaluationSchema } from "../../src/contracts/index.js";
import { listGateEvaluations } from "../../src/store/gate-evaluations.js";
import { openStore } from "../../src/store/open-store.js";
import { runCli } from "./cli-harness.js";
import { editedConfig, gateFixture } from "./gate-fixture.js";

let config: string;

beforeAll(async () => {
  ({ config } = await gateFixture());
}, 60_000);

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("entitlement-diff gate", () => {
  it("passes a clean cohort with exit 0 and a text verdict a person reads", async () => {
    const r = await runCli("gate", "--config", config, "--cohort", "clinicians", "--actor", "ci-bot");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("gate clinicians: PASS");
    expect(r.stdout).toContain("300 pairs, 0 mismatched");
    expect(r.stdout).toMatch(/evaluation [0-9a-f-]{36} by ci-bot/);
  });

  it("fails a drifting cohort with exit 1, as JUnit with the failing check", async () => {
    const r = await runCli("gate", "--config", config, "--cohort", "nurses", "--format", "junit");
    expect(r.code).toBe(1);
    expect(XMLValidator.validate(r.stdout)).toBe(true);
    expect(r.stdout).toContain('<testsuite name="gate nurses: fail"');
    expect(r.stdout).toMatch(/name="mismatch rate bound">\s*<failure type="fail"/);
    expect(r.stdout).toMatch(/name="latent over-permission budget">\s*<failure type="fail"/);
    expect(r.stdout).toContain("never exercised by traffic: write lab_result (care-team, 3 principals)");
    expect(r.stderr).toMatch(/^entitlement-diff: gate nurses: fail: mismatch rate 10\.00% \(30\/300\)/);
  });

  it("answers insufficient evidence with exit 2 for a cohort without traffic", async () => {
    const r = await runCli("gate", "--config", config, "--cohort", "patients", "--format", "json");
    expect(r.code).toBe(2);
    const evaluation = gateEvaluationSchema.parse(JSON.parse(r.stdout));
    expect(evaluation.status).toBe("insufficient_evidence");
    expect(evaluation.evidence.pairs).toBe(0);
  });

  it("appends the Markdown summary to $GITHUB_STEP_SUMMARY", async () => {
    const summary = join(mkdtempSync(join(tmpdir(), "gate-summary-")), "summary.md");
    vi.stubEnv("GITHUB_STEP_SUMMARY", summary);
    await runCli("gate", "--config", config, "--cohort", "clinicians");
    await runCli("gate", "--config", config, "--cohort", "nurses");
    const text = readFileSync(summary, "utf8");
    expect(text).toContain("### ✅ Parity gate `clinicians`: pass");
    expect(text).toContain("### ❌ Parity gate `nurses`: fail");
  });

  it("uses --since/--until instead of the configured window", async () => {
    const r = await runCli(
      "gate",
      "--config",
      config,
      "--cohort",
      "clinicians",
      "--since",
      "30m",
      "--format",
      "json",
    );
    const evaluation = gateEvaluationSchema.parse(JSON.parse(r.stdout));
    expect(evaluation.window.source).toBe("flags");
    // Traffic runs from an hour ago for five minutes: none of it in the last 30 minutes.
    expect(evaluation.evidence.pairs).toBe(0);
    expect(r.code).toBe(2);
  });

  it("records every evaluation, with who ran it", async () => {
    const r = await runCli(
      "gate",
      "--config",
      config,
      "--cohort",
      "clinicians",
      "--format",
      "json",
      "--actor",
      "auditor",
    );
    const evaluation = gateEvaluationSchema.parse(JSON.parse(r.stdout));
    const loaded = loadConfig(config);
    const store = await openStore(loaded.config.store, { baseDir: dirname(resolve(config)) });
    try {
      const [latest] = await listGateEvaluations(store, { cohort: "clinicians", limit: 1 });
      expect(latest).toEqual(evaluation);
      expect(latest?.evaluatedBy).toBe("auditor");
    } finally {
      await store.close();
    }
  });

  it("refuses usage errors with exit 64: unknown cohort, bad time, empty window", async () => {
    const unknown = await runCli("gate", "--config", config, "--cohort", "clinician");
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toMatch(/unknown cohort "clinician"; the config defines: break-glass, /);
    expect(
      (await runCli("gate", "--config", config, "--cohort", "nurses", "--since", "yesterday")).code,
    ).toBe(64);
    const noSuchDay = await runCli("gate", "--config", config, "--cohort", "nurses", "--since", "2026-02-30");
    expect(noSuchDay.code).toBe(64);
    const empty = await runCli("gate", "--config", config, "--cohort", "nurses", "--since", "2030-01-01");
    expect(empty.code).toBe(64);
    expect((await runCli("gate", "--config", config)).code).toBe(64);
  });

  it("exits 78 on a config error, naming the path", async () => {
    const bad = editedConfig(config, (doc) => {
      (doc.gates as Record<string, unknown>).window = "a week";
    });
    const r = await runCli("gate", "--config", bad, "--cohort", "nurses");
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/gates\.window/);
  });

  it("exits 69, never 0, when the store is unreachable", async () => {
    const server = editedConfig(config, (doc) => {
      doc.store = { driver: "clickhouse" };
    });
    vi.stubEnv("CLICKHOUSE_URL", "http://127.0.0.1:9");
    const r = await runCli("gate", "--config", server, "--cohort", "clinicians");
    expect(r.code).toBe(69);
    expect(r.stdout).toBe("");
  });
});

describe("entitlement-diff status", () => {
  it("lists every cohort with its stage and its gate now", async () => {
    const r = await runCli("status", "--config", config, "--format", "json");
    expect(r.code).toBe(0);
    const statuses = JSON.parse(r.stdout) as Array<{
      cohort: string;
      stage: string;
      gate: { status: string };
    }>;
    const byCohort = Object.fromEntries(statuses.map((s) => [s.cohort, [s.stage, s.gate.status]]));
    expect(byCohort.clinicians).toEqual(["shadow", "pass"]);
    expect(byCohort.nurses).toEqual(["shadow", "fail"]);
    expect(byCohort.unassigned).toEqual(["shadow", "insufficient_evidence"]);
    const text = await runCli("status", "--config", config);
    expect(text.stdout.split("\n")[0]).toMatch(/^cohort\s+stage\s+gate\s+pairs/);
  });
});

describe("entitlement-diff report --cohort", () => {
  it("writes the cohort's report from the store as JSON: gate, trend, drift groups, waivers", async () => {
    const r = await runCli("report", "--config", config, "--cohort", "nurses", "--format", "json");
    expect(r.code).toBe(0);
    const report = cohortStoreReportSchema.parse(JSON.parse(r.stdout));
    expect(report).toMatchObject({ cohort: "nurses", stage: "shadow", driftTruncated: false, waivers: [] });
    expect(report.gate.status).toBe("fail");
    expect(report.drift.map((g) => [g.kind, g.pairs])).toEqual([["under_permission", 30]]);
    expect(report.trend.reduce((sum, p) => sum + p.pairs, 0)).toBe(300);
    expect(report.gate.latent?.overPermissions.map((e) => [e.action, e.resourceType, e.principals])).toEqual([
      ["write", "lab_result", 3],
    ]);
    expect(report.latent?.principalsEvaluated).toBe(3);
    expect(report.latent?.entitlements.map((e) => [e.direction, e.latent])).toEqual([
      ["over_permission", true],
    ]);
  });

  it("writes Markdown with the gate summary and the drift table, to a file when asked", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "cohort-report-")), "nurses.md");
    const r = await runCli("report", "--config", config, "--cohort", "nurses", "--out", out);
    expect(r.code).toBe(0);
    const md = readFileSync(out, "utf8");
    expect(md).toMatch(/^## Cohort `nurses`: shadow/);
    expect(md).toContain("### ❌ Parity gate `nurses`: fail");
    expect(md).toMatch(/\| under-permission \| high \| read \| patient\\_record \|/);
    expect(md).toContain("### Latent entitlement drift");
    expect(md).toMatch(
      /\| over-permission \| write \| lab\\_result \| care-team \| \(none\) \| nurse\.care\\_team\\_write \| 3 of 3 \| latent \(0 pairs/,
    );
    expect((await runCli("report", "--config", config, "--cohort", "nobody")).code).toBe(64);
  });
});

describe("entitlement-diff report --cohort as HTML", () => {
  it("writes a self-contained page with the gate, its checks and the drift groups", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "cohort-report-")), "nurses.html");
    expect((await runCli("report", "--config", config, "--cohort", "nurses", "--out", out)).code).toBe(0);
    const page = readFileSync(out, "utf8");
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain("<h1>Cohort nurses: ");
    expect(page).toContain("mismatch rate bound");
    expect(page).toMatch(/<table class="groups">[\s\S]*under-permission[\s\S]*<code>patient_record<\/code>/);
    expect(page).toMatch(
      /<h2>Latent entitlement drift<\/h2>[\s\S]*<tr class="latent">[\s\S]*<code>lab_result<\/code>/,
    );
    expect(page).not.toMatch(/<script|<link rel="stylesheet"|src="http/);
  });
});
