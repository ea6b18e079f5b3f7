import { execFileSync, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { z } from "zod";
import { loadCompose, parseMount, REPO_ROOT } from "../compose/compose-file.js";
import { FILES, fromRepo, loadPrometheusAlerts, loadPrometheusAlertTests } from "./monitoring-files.js";
import { listPromQlQueries } from "./promql-queries.js";

/** PROMTOOL_BIN (set by scripts/test.sh from scripts/ensure-prometheus.sh), else promtool on PATH. */
const PROMTOOL = process.env.PROMTOOL_BIN || which("promtool");
/** On CI a missing promtool is a failure: skipped rule tests would hide broken alerts. */
const MUST_RUN = process.env.CI === "true";

function which(command: string): string | undefined {
  try {
    return execFileSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

function promtool(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync(PROMTOOL ?? "promtool", args, { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000 });
  return { status: run.status, output: `${run.stdout ?? ""}${run.stderr ?? ""}${run.error ?? ""}` };
}

const alerts = loadPrometheusAlerts();
const alertTests = loadPrometheusAlertTests();

describe("promtool for the alert rule tests", () => {
  // A failed test, not a failed hook: the totals line of scripts/test.sh counts tests.
  it.runIf(MUST_RUN)("is there on CI", () => {
    expect(
      PROMTOOL,
      "CI=true but no promtool: set PROMTOOL_BIN or run bash scripts/ensure-prometheus.sh",
    ).toBeTruthy();
    expect(promtool("--version").status, `${PROMTOOL} --version`).toBe(0);
  });
});

describe("deploy/prometheus/alerts.yml", () => {
  it("gives every alert a severity, a summary and description, and a runbook_url into docs/runbooks.md", () => {
    expect(alerts.length).toBeGreaterThan(0);
    for (const alert of alerts) {
      expect(["critical", "warning"], `${alert.alert}: severity`).toContain(alert.labels.severity);
      expect(alert.annotations.runbook_url, alert.alert).toBe(
        `docs/runbooks.md#${alert.alert.toLowerCase()}`,
      );
      expect(alert.annotations.summary, alert.alert).toBeTruthy();
      expect(alert.annotations.description, alert.alert).toBeTruthy();
    }
  });

  it("names the cohort in the summary and description of every per-cohort alert", () => {
    const perCohort = alerts.filter((a) => /by \(cohort\)/.test(a.expr));
    expect(perCohort.map((a) => a.alert)).toEqual(
      expect.arrayContaining(["OverPermissionInCanaryOrLive", "MismatchRateOverGate", "UnpairedRateSpike"]),
    );
    for (const alert of perCohort) {
      expect(alert.annotations.summary, alert.alert).toContain("{{ $labels.cohort }}");
      expect(alert.annotations.description, alert.alert).toContain("{{ $labels.cohort }}");
    }
  });

  it("has the alerts the runbooks describe, those of canary and live cohorts critical", () => {
    expect(alerts.map((a) => a.alert)).toEqual(
      expect.arrayContaining([
        "OverPermissionInCanaryOrLive",
        "SessionDriftInCanaryOrLive",
        "MismatchRateOverGate",
        "UnpairedRateSpike",
        "ConsumerLagGrowing",
        "PipelineStalled",
        "VerificationFailuresSpike",
        "StoreWriteFailures",
        "PolicyCannotDecide",
        "PolicyCannotDecideInCanaryOrLive",
        "PairsSetAside",
      ]),
    );
    expect(alerts.find((a) => a.alert === "OverPermissionInCanaryOrLive")?.labels.severity).toBe("critical");
    // Users of a canary or live cohort meet the policy's failures; a shadow cohort's only block it.
    expect(alerts.find((a) => a.alert === "PolicyCannotDecideInCanaryOrLive")?.labels.severity).toBe(
      "critical",
    );
    expect(alerts.find((a) => a.alert === "PolicyCannotDecide")?.labels.severity).toBe("warning");
    expect(alerts.find((a) => a.alert === "MismatchRateOverGate")?.for).toBe("10m");
  });

  it("is tested by alerts.test.yml: every alert fires in one test case and stays silent in another", () => {
    const testFile = fromRepo(FILES.prometheusAlertTests);
    expect(alertTests.rule_files.map((f) => path.resolve(path.dirname(testFile), f))).toEqual([
      fromRepo(FILES.prometheusAlerts),
    ]);
    const cases = alertTests.tests.flatMap((t) => t.alert_rule_test);
    const missing = alerts.flatMap((alert) => {
      const mine = cases.filter((c) => c.alertname === alert.alert);
      return [
        ...(mine.some((c) => (c.exp_alerts ?? []).length > 0)
          ? []
          : [`${alert.alert}: no case where it fires`]),
        ...(mine.some((c) => (c.exp_alerts ?? []).length === 0)
          ? []
          : [`${alert.alert}: no case where it is silent`]),
      ];
    });
    expect(missing).toEqual([]);
    const known = new Set(alerts.map((a) => a.alert));
    expect(cases.map((c) => c.alertname).filter((name) => !known.has(name))).toEqual([]);
  });
});

describe.skipIf(!PROMTOOL)("promtool on the Prometheus files", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("checks the alerting rules", () => {
    const { status, output } = promtool("check", "rules", FILES.prometheusAlerts);
    expect(status, output).toBe(0);
    expect(output).toContain(`SUCCESS: ${alerts.length} rules found`);
  });

  it("passes the unit tests of alerts.test.yml", () => {
    const { status, output } = promtool("test", "rules", FILES.prometheusAlertTests);
    expect(status, output).toBe(0);
    expect(output).toContain("SUCCESS");
  });

  it("checks prometheus.yml laid out as docker-compose.yml mounts it, rule files and token file included", () => {
    // The container's /etc/prometheus, rebuilt from the compose mounts: files copied, directories
    // created empty (the token is gitignored: a dummy one stands in for it).
    const etc = mkdtempSync(path.join(tmpdir(), "ed-prometheus-"));
    dirs.push(etc);
    const mounts = (loadCompose().services.prometheus?.volumes ?? [])
      .map(parseMount)
      .filter((m) => m.bind && m.target.startsWith("/etc/prometheus/"));
    for (const mount of mounts) {
      const target = path.join(etc, path.posix.relative("/etc/prometheus", mount.target));
      if (existsSync(fromRepo(mount.source)) && statSync(fromRepo(mount.source)).isFile()) {
        mkdirSync(path.dirname(target), { recursive: true });
        copyFileSync(fromRepo(mount.source), target);
      } else {
        mkdirSync(target, { recursive: true });
      }
    }
    const configFile = path.join(etc, "prometheus.yml");
    expect(existsSync(configFile), "compose mounts no prometheus.yml at /etc/prometheus/prometheus.yml").toBe(
      true,
    );
    const config = prometheusConfig(readFileSync(configFile, "utf8"));
    for (const file of credentialsFiles(config)) {
      const resolved = path.resolve(etc, file);
      expect(resolved.startsWith(`${etc}${path.sep}`), `${file} is outside /etc/prometheus`).toBe(true);
      expect(existsSync(path.dirname(resolved)), `compose mounts nothing at the directory of ${file}`).toBe(
        true,
      );
      writeFileSync(resolved, "dummy-token-for-promtool\n");
    }

    const { status, output } = promtool("check", "config", configFile);
    expect(status, output).toBe(0);
    expect(output).toContain(`SUCCESS: ${alerts.length} rules found`);
  });

  it("parses every PromQL query of the dashboards and both alert files, variables substituted", () => {
    const queries = listPromQlQueries();
    const dir = mkdtempSync(path.join(tmpdir(), "ed-promql-"));
    dirs.push(dir);
    const file = path.join(dir, "queries.yml");
    const rules = queries.map((q, i) => ({ record: `query_${i}`, expr: q.expr }));
    writeFileSync(file, stringify({ groups: [{ name: "queries", rules }] }));
    // --lint=none: identical queries (the Grafana copies of the alerts) are not duplicate rules here.
    const { status, output } = promtool("check", "rules", "--lint=none", file);
    const listing = queries.map((q, i) => `${i}: ${q.file} ${q.source}`).join("\n");
    expect(status, `${output}\nquery_<n> is:\n${listing}`).toBe(0);
    expect(output).toContain(`SUCCESS: ${queries.length} rules found`);
  });
});

describe("the scrape token", () => {
  it("is read from a file under deploy/prometheus that git ignores", () => {
    const config = prometheusConfig(readFileSync(fromRepo(FILES.prometheusConfig), "utf8"));
    const files = credentialsFiles(config);
    const job = config.scrape_configs.find((j) => j.job_name === "entitlement-diff");
    expect(job?.authorization?.type).toBe("Bearer");
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const inRepo = path.join(path.dirname(FILES.prometheusConfig), file);
      expect(inRepo.startsWith("deploy/prometheus/"), inRepo).toBe(true);
      const ignored = spawnSync("git", ["check-ignore", "-q", "--no-index", inRepo], { cwd: REPO_ROOT });
      expect(ignored.status, `git does not ignore ${inRepo}: a token there could be committed`).toBe(0);
    }
  });
});

const prometheusConfigSchema = z.object({
  rule_files: z.array(z.string()).default([]),
  scrape_configs: z.array(
    z.object({
      job_name: z.string(),
      authorization: z
        .object({ type: z.string().optional(), credentials_file: z.string().optional() })
        .optional(),
    }),
  ),
});
type PrometheusConfig = z.infer<typeof prometheusConfigSchema>;

function prometheusConfig(text: string): PrometheusConfig {
  return prometheusConfigSchema.parse(parse(text));
}

function credentialsFiles(config: PrometheusConfig): string[] {
  return config.scrape_configs.flatMap((j) =>
    j.authorization?.credentials_file ? [j.authorization.credentials_file] : [],
  );
}
