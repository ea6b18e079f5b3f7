import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadConfig } from "../../src/config/load-config.js";
import { loadLocalSigningKey, localSigningConfig } from "../../src/server/auth/local-signing-key.js";
import { mintApiToken } from "../../src/server/auth/mint-api-token.js";
import type { RunningService } from "../../src/service/run-service.js";
import {
  createMirrorTopics,
  type DemoTraffic,
  demoTraffic,
  produceLines,
  startTestService,
  uniqueTopics,
  waitFor,
  waitUntilDone,
  writeServiceConfig,
} from "../service/service-kit.js";
import { type KafkaBroker, startKafka } from "../support/kafka-broker.js";
import { listPromQlQueries } from "./promql-queries.js";

const ROOT = resolve(import.meta.dirname, "../..");
const { topics, groupId } = uniqueTopics("prom");
let broker: KafkaBroker;
let service: RunningService;
let prometheus: ChildProcess | undefined;
let promUrl: string;
let traffic: DemoTraffic;
const dir = mkdtempSync(join(tmpdir(), "prometheus-e2e-"));

/** Debian's prometheus package (scripts/ensure-prometheus.sh exports PROMETHEUS_BIN in the test run). */
function prometheusBin(): string {
  const fromEnv = process.env.PROMETHEUS_BIN;
  if (fromEnv) return fromEnv;
  const which = spawnSync("which", ["prometheus"], { encoding: "utf8" });
  if (which.status !== 0)
    throw new Error("prometheus not found: run scripts/ensure-prometheus.sh (apt-get install prometheus)");
  return which.stdout.trim();
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function query(expr: string): Promise<{
  status: string;
  error?: string;
  data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return (await res.json()) as Awaited<ReturnType<typeof query>>;
}

async function scalar(expr: string): Promise<number> {
  const r = await query(expr);
  return Number(r.data?.result[0]?.value[1] ?? Number.NaN);
}

beforeAll(async () => {
  broker = await startKafka();
  await createMirrorTopics(broker, topics, 3);
  service = await startTestService({ broker, topics, groupId, gateRefreshSeconds: 5 });

  // The scrape authenticates like a production Prometheus: a reviewer token in a file.
  const loaded = loadConfig(writeServiceConfig({ brokers: broker.brokers, topics, storeDir: dir, groupId }));
  const api = localSigningConfig(loaded);
  const token = await mintApiToken(api, await loadLocalSigningKey(loaded, api), {
    subject: "prometheus",
    roles: ["reviewer"],
    ttlSeconds: 3_600,
  });
  writeFileSync(join(dir, "scrape-token"), token);
  copyFileSync(join(ROOT, "deploy/prometheus/alerts.yml"), join(dir, "alerts.yml"));
  writeFileSync(
    join(dir, "prometheus.yml"),
    stringify({
      global: { scrape_interval: "1s", evaluation_interval: "1s" },
      rule_files: ["alerts.yml"],
      scrape_configs: [
        {
          job_name: "entitlement-diff",
          metrics_path: "/metrics",
          authorization: { type: "Bearer", credentials_file: join(dir, "scrape-token") },
          static_configs: [{ targets: [`127.0.0.1:${service.port}`] }],
        },
      ],
    }),
  );
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  prometheus = spawn(
    prometheusBin(),
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "tsdb")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: "ignore" },
  );
  await waitFor(
    "prometheus to be ready",
    async () => (await fetch(`${promUrl}/-/ready`).catch(() => null))?.ok === true,
    60_000,
  );

  traffic = await demoTraffic(2_000);
  await produceLines(broker, topics, traffic.lines);
  await waitUntilDone(broker, service.store, topics, groupId, traffic.expected);
  const pairs = traffic.expected.totals.pairs;
  await waitFor(
    `prometheus to have scraped all ${pairs} pairs and the gate gauges`,
    async () =>
      (await scalar("sum(entitlement_diff_pairs_evaluated_total)")) === pairs &&
      (await scalar("count(entitlement_diff_gate_status)")) > 0,
    60_000,
  );
  // The gauges are refreshed every 5 s: one refresh may have run before the last pairs were
  // stored. Wait for a refresh that saw every cohort's over-permissions (the test below checks
  // the same from the other side: what fails, and which alerts fire).
  const overPermitted = Object.values(traffic.expected.cohorts).filter((c) => c.overPermission > 0).length;
  await waitFor(
    `a gate refresh after the last pair (${overPermitted} over-permitting cohorts at fail)`,
    async () => (await scalar('count(entitlement_diff_gate_status{status="fail"} == 1)')) >= overPermitted,
    60_000,
  );
}, 300_000);

afterAll(async () => {
  prometheus?.kill("SIGTERM");
  await service?.stop();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("dashboards and alerts against a real Prometheus scraping the service", () => {
  it("runs every PromQL query of the dashboards and alert files without an error", async () => {
    const queries = listPromQlQueries();
    expect(queries.length).toBeGreaterThan(15);
    const failures: string[] = [];
    for (const q of queries) {
      const r = await query(q.expr);
      if (r.status !== "success") failures.push(`${q.file}: ${q.source}: ${r.error}`);
    }
    expect(failures).toEqual([]);
  });

  it("shows the planted drift: over-permissions and pairs per cohort as the ground truth says", async () => {
    const cohorts = traffic.expected.cohorts;
    const overPermission = Object.values(cohorts).reduce((sum, c) => sum + c.overPermission, 0);
    expect(overPermission).toBeGreaterThan(0);
    expect(await scalar('sum(entitlement_diff_findings_total{kind="over_permission"})')).toBe(overPermission);
    const perCohort = await query("sum by (cohort) (entitlement_diff_pairs_evaluated_total)");
    const scraped = Object.fromEntries(
      (perCohort.data?.result ?? []).map((r) => [r.metric.cohort, Number(r.value[1])]),
    );
    const expected = Object.fromEntries(
      Object.entries(cohorts)
        .filter(([, c]) => c.pairs > 0)
        .map(([id, c]) => [id, c.pairs]),
    );
    expect(scraped).toEqual(expected);
    const mismatched = await query(
      'sum by (cohort) (entitlement_diff_pairs_evaluated_total{outcome="mismatch"})',
    );
    for (const r of mismatched.data?.result ?? [])
      expect(Number(r.value[1]), r.metric.cohort).toBe(cohorts[r.metric.cohort ?? ""]?.mismatchedPairs);
  });

  it("holds the gates as the store decides them, and fires no critical alert for cohorts in shadow", async () => {
    const failing = await query('entitlement_diff_gate_status{status="fail"} == 1');
    const failingCohorts = (failing.data?.result ?? []).map((r) => r.metric.cohort).sort();
    const overPermitted = Object.entries(traffic.expected.cohorts)
      .filter(([, c]) => c.overPermission > 0)
      .map(([id]) => id);
    for (const id of overPermitted) expect(failingCohorts).toContain(id);
    const alerts = (await (await fetch(`${promUrl}/api/v1/alerts`)).json()) as {
      data: { alerts: Array<{ labels: Record<string, string>; state: string }> };
    };
    const critical = alerts.data.alerts.filter(
      (a) => a.labels.severity === "critical" && a.state === "firing",
    );
    expect(critical).toEqual([]);
  });
});
