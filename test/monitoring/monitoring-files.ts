import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { REPO_ROOT } from "../compose/compose-file.js";

/** The monitoring files, relative to the repository. */
export const FILES = {
  datasources: "grafana/provisioning/datasources/datasources.yml",
  dashboardProvider: "grafana/provisioning/dashboards/dashboards.yml",
  dashboardsDir: "grafana/provisioning/dashboards/json",
  grafanaAlerts: "grafana/provisioning/alerting/alerts.yml",
  prometheusConfig: "deploy/prometheus/prometheus.yml",
  prometheusAlerts: "deploy/prometheus/alerts.yml",
  prometheusAlertTests: "deploy/prometheus/alerts.test.yml",
  runbooks: "docs/runbooks.md",
  metrics: "docs/metrics.md",
} as const;

export const fromRepo = (file: string): string => path.join(REPO_ROOT, file);
const readText = (file: string): string => readFileSync(fromRepo(file), "utf8");
const readYaml = (file: string): unknown => parse(readText(file));

// --- Grafana data sources ---------------------------------------------------------------------

const datasourcesSchema = z.object({
  datasources: z.array(z.object({ name: z.string(), uid: z.string(), type: z.string() })),
});
export type Datasource = z.infer<typeof datasourcesSchema>["datasources"][number];

export function loadDatasources(): Datasource[] {
  return datasourcesSchema.parse(readYaml(FILES.datasources)).datasources;
}

// --- Grafana dashboards -----------------------------------------------------------------------

const datasourceRefSchema = z.object({ type: z.string().optional(), uid: z.string() });
export type DatasourceRef = z.infer<typeof datasourceRefSchema>;

const targetSchema = z.object({
  refId: z.string(),
  datasource: datasourceRefSchema.optional(),
  expr: z.string().optional(),
  rawSql: z.string().optional(),
});
export type Target = z.infer<typeof targetSchema>;

export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: DatasourceRef | undefined;
  targets: Target[];
  /** A row's panels (when it is collapsed). */
  panels?: Panel[] | undefined;
}

const panelSchema: z.ZodType<Panel> = z.lazy(() =>
  z.object({
    id: z.number().int(),
    type: z.string(),
    title: z.string(),
    datasource: datasourceRefSchema.optional(),
    targets: z.array(targetSchema).default([]),
    panels: z.array(panelSchema).optional(),
  }),
);

const variableSchema = z.object({
  name: z.string(),
  type: z.string(),
  datasource: datasourceRefSchema.optional(),
  definition: z.string().optional(),
  query: z.union([z.string(), z.object({ query: z.string() })]).optional(),
});
export type Variable = z.infer<typeof variableSchema>;

const dashboardSchema = z.object({
  uid: z.string(),
  title: z.string(),
  panels: z.array(panelSchema),
  templating: z.object({ list: z.array(variableSchema) }).default({ list: [] }),
});
export type Dashboard = z.infer<typeof dashboardSchema> & { file: string };

export function loadDashboards(): Dashboard[] {
  return readdirSync(fromRepo(FILES.dashboardsDir))
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => {
      const file = path.posix.join(FILES.dashboardsDir, name);
      return { ...dashboardSchema.parse(JSON.parse(readText(file))), file };
    });
}

/** Every panel, those inside rows included; rows themselves are not listed. */
export function panelsOf(dashboard: Dashboard): Panel[] {
  const flat = (panels: Panel[]): Panel[] =>
    panels.flatMap((p) => (p.type === "row" ? flat(p.panels ?? []) : [p]));
  return flat(dashboard.panels);
}

/** The query text of a template variable (query variables only; constants have none). */
export function variableQuery(variable: Variable): string | undefined {
  if (variable.type !== "query") return undefined;
  return typeof variable.query === "string" ? variable.query : (variable.query?.query ?? variable.definition);
}

// --- Prometheus alerting rules and their unit tests -------------------------------------------

const prometheusRuleSchema = z.object({
  alert: z.string().optional(),
  record: z.string().optional(),
  expr: z.string(),
  for: z.string().optional(),
  labels: z.record(z.string(), z.string()).default({}),
  annotations: z.record(z.string(), z.string()).default({}),
});
export type PrometheusRule = z.infer<typeof prometheusRuleSchema>;

const prometheusRulesSchema = z.object({
  groups: z.array(z.object({ name: z.string(), rules: z.array(prometheusRuleSchema) })),
});

export interface PrometheusAlert extends PrometheusRule {
  alert: string;
  group: string;
}

export function loadPrometheusAlerts(): PrometheusAlert[] {
  return prometheusRulesSchema
    .parse(readYaml(FILES.prometheusAlerts))
    .groups.flatMap((group) =>
      group.rules.flatMap((rule) => (rule.alert ? [{ ...rule, alert: rule.alert, group: group.name }] : [])),
    );
}

const alertTestsSchema = z.object({
  rule_files: z.array(z.string()),
  tests: z.array(
    z.object({
      name: z.string().optional(),
      alert_rule_test: z
        .array(
          z.object({
            eval_time: z.string(),
            alertname: z.string(),
            exp_alerts: z.array(z.unknown()).nullable().default([]),
          }),
        )
        .default([]),
    }),
  ),
});
export type AlertTests = z.infer<typeof alertTestsSchema>;

export function loadPrometheusAlertTests(): AlertTests {
  return alertTestsSchema.parse(readYaml(FILES.prometheusAlertTests));
}

// --- Grafana-managed alert rules --------------------------------------------------------------

const grafanaQuerySchema = z.object({
  refId: z.string(),
  datasourceUid: z.string(),
  relativeTimeRange: z.object({ from: z.number(), to: z.number() }).optional(),
  model: z.looseObject({
    refId: z.string().optional(),
    expr: z.string().optional(),
    type: z.string().optional(),
    expression: z.string().optional(),
    reducer: z.string().optional(),
    conditions: z
      .array(z.object({ evaluator: z.object({ type: z.string(), params: z.array(z.number()) }) }))
      .optional(),
  }),
});
export type GrafanaQuery = z.infer<typeof grafanaQuerySchema>;

const grafanaRuleSchema = z.object({
  uid: z.string(),
  title: z.string(),
  condition: z.string(),
  data: z.array(grafanaQuerySchema),
  for: z.string().optional(),
  noDataState: z.string().optional(),
  execErrState: z.string().optional(),
  labels: z.record(z.string(), z.string()).default({}),
  annotations: z.record(z.string(), z.string()).default({}),
});
export type GrafanaRule = z.infer<typeof grafanaRuleSchema>;

const grafanaAlertingSchema = z.object({
  apiVersion: z.literal(1),
  groups: z.array(
    z.object({
      orgId: z.number().optional(),
      name: z.string(),
      folder: z.string(),
      interval: z.string(),
      rules: z.array(grafanaRuleSchema),
    }),
  ),
});
export type GrafanaAlerting = z.infer<typeof grafanaAlertingSchema>;

export function loadGrafanaAlerting(): GrafanaAlerting {
  return grafanaAlertingSchema.parse(readYaml(FILES.grafanaAlerts));
}

export function grafanaRules(alerting = loadGrafanaAlerting()): (GrafanaRule & { group: string })[] {
  return alerting.groups.flatMap((g) => g.rules.map((rule) => ({ ...rule, group: g.name })));
}

// --- docs -------------------------------------------------------------------------------------

export interface CatalogEntry {
  type: string;
  labels: string[];
}

/** Metric name -> type and labels, from the table of docs/metrics.md (`| \`name\` | type | labels | meaning |`). */
export function metricCatalog(): Map<string, CatalogEntry> {
  const rows = readText(FILES.metrics).matchAll(
    /^\|\s*`(entitlement_diff_[a-z0-9_]+)`\s*\|\s*(\w+)\s*\|([^|]*)\|/gm,
  );
  return new Map(
    [...rows].map((m) => [
      m[1] ?? "",
      { type: m[2] ?? "", labels: [...(m[3] ?? "").matchAll(/`(\w+)`/g)].map((l) => l[1] ?? "") },
    ]),
  );
}

/** The anchors GitHub gives the headings of a Markdown file (outside code fences). */
export function headingAnchors(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of readText(file).split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!heading?.[1]) continue;
    const slug = heading[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** The duration of a `for:` in seconds (`10m`, `1h30m`, `0s`; absent is 0). */
export function durationSeconds(text: string | undefined): number {
  if (!text) return 0;
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.map((p) => p[0]).join("") !== text) throw new Error(`not a Prometheus duration: "${text}"`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] ?? ""] ?? Number.NaN), 0);
}
