import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { loadCompose, parseMount } from "../compose/compose-file.js";
import {
  durationSeconds,
  FILES,
  fromRepo,
  grafanaRules,
  headingAnchors,
  loadDashboards,
  loadDatasources,
  loadGrafanaAlerting,
  loadPrometheusAlerts,
  metricCatalog,
  panelsOf,
  variableQuery,
} from "./monitoring-files.js";
import {
  listPromQlQueries,
  metricNamesIn,
  substituteGrafanaVariables,
  variablesIn,
} from "./promql-queries.js";

const datasources = loadDatasources();
const datasourceByUid = new Map(datasources.map((d) => [d.uid, d]));
const dashboards = loadDashboards();
const prometheusAlerts = loadPrometheusAlerts();
const grafanaAlerting = loadGrafanaAlerting();
const rules = grafanaRules(grafanaAlerting);
const queries = listPromQlQueries();

/** Grafana's own data sources, which no provisioning file declares. */
const BUILT_IN_DATASOURCES = new Set(["-- Grafana --", "grafana", "__expr__"]);
const normalized = (expr: string) => expr.replace(/\s+/g, " ").trim();

function expectKnownDatasource(ref: { type?: string | undefined; uid: string } | undefined, where: string) {
  if (!ref || BUILT_IN_DATASOURCES.has(ref.uid)) return;
  const found = datasourceByUid.get(ref.uid);
  expect(found, `${where}: data source uid "${ref.uid}" is not in ${FILES.datasources}`).toBeDefined();
  if (ref.type !== undefined) expect(ref.type, `${where}: type of data source ${ref.uid}`).toBe(found?.type);
}

describe("Grafana provisioning", () => {
  it("keeps the Prometheus and ClickHouse data sources with fixed uids", () => {
    expect(datasources.map((d) => [d.uid, d.type])).toEqual([
      ["prometheus", "prometheus"],
      ["clickhouse", "grafana-clickhouse-datasource"],
    ]);
  });

  it("has a file provider whose path is where docker-compose.yml mounts the dashboards", () => {
    const provider = z
      .object({
        apiVersion: z.literal(1),
        providers: z.array(
          z.object({ name: z.string(), type: z.literal("file"), options: z.object({ path: z.string() }) }),
        ),
      })
      .parse(parse(readFileSync(fromRepo(FILES.dashboardProvider), "utf8")));
    const grafana = loadCompose().services.grafana;
    const mounts = (grafana?.volumes ?? []).map(parseMount).filter((m) => m.bind);
    for (const { options } of provider.providers) {
      const mount = mounts.find((m) => options.path === m.target || options.path.startsWith(`${m.target}/`));
      expect(mount, `no bind mount of docker-compose.yml's grafana holds ${options.path}`).toBeDefined();
      const hostDir = path.join(mount?.source ?? "", path.posix.relative(mount?.target ?? "", options.path));
      expect(path.normalize(hostDir)).toBe(path.normalize(FILES.dashboardsDir));
      expect(readdirSync(fromRepo(hostDir)).filter((f) => f.endsWith(".json")).length).toBe(
        dashboards.length,
      );
    }
  });

  it("provisions the two dashboards with their uids", () => {
    expect(dashboards.map((d) => [d.uid, d.title]).sort()).toEqual([
      ["ed-parity", "Migration parity"],
      ["ed-pipeline", "Pipeline health"],
    ]);
  });
});

describe.each(dashboards.map((d) => [d.title, d] as const))("dashboard %s", (_title, dashboard) => {
  const panels = panelsOf(dashboard);
  const variables = new Set(dashboard.templating.list.map((v) => v.name));

  it("has unique panel ids", () => {
    const ids = [
      ...panels.map((p) => p.id),
      ...dashboard.panels.filter((p) => p.type === "row").map((p) => p.id),
    ];
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it("has at least one query in every panel", () => {
    for (const panel of panels) {
      const queried = panel.targets.filter((t) => (t.expr ?? t.rawSql ?? "").trim() !== "");
      expect(queried.length, `panel "${panel.title}" has no query (expr or rawSql)`).toBeGreaterThan(0);
    }
  });

  it("refers to data sources by uids that datasources.yml provisions, with their types", () => {
    for (const panel of panels) {
      expectKnownDatasource(panel.datasource, `panel "${panel.title}"`);
      for (const target of panel.targets) {
        expectKnownDatasource(
          target.datasource ?? panel.datasource,
          `panel "${panel.title}" ${target.refId}`,
        );
        const type = datasourceByUid.get((target.datasource ?? panel.datasource)?.uid ?? "")?.type;
        if (target.expr !== undefined)
          expect(type, `${panel.title} ${target.refId}: expr`).toBe("prometheus");
        if (target.rawSql !== undefined)
          expect(type, `${panel.title} ${target.refId}: rawSql`).toBe("grafana-clickhouse-datasource");
      }
    }
    for (const variable of dashboard.templating.list) {
      expectKnownDatasource(variable.datasource, `variable $${variable.name}`);
    }
  });

  it("defines every template variable its queries use", () => {
    const texts = [
      ...panels.flatMap((p) =>
        p.targets.map((t) => ({ where: `panel "${p.title}"`, text: t.expr ?? t.rawSql ?? "" })),
      ),
      ...dashboard.templating.list.map((v) => ({
        where: `variable $${v.name}`,
        text: variableQuery(v) ?? "",
      })),
    ];
    for (const { where, text } of texts) {
      for (const name of variablesIn(text).filter((n) => !n.startsWith("__"))) {
        expect(variables, `${where} uses $${name}`).toContain(name);
      }
    }
  });
});

describe("the migration parity dashboard", () => {
  const parity = dashboards.find((d) => d.uid === "ed-parity");
  const exprs = parity ? panelsOf(parity).flatMap((p) => p.targets.map((t) => t.expr ?? t.rawSql ?? "")) : [];

  it("has a cohort variable from the gate status", () => {
    const cohort = parity?.templating.list.find((v) => v.name === "cohort");
    expect(cohort && variableQuery(cohort)).toBe("label_values(entitlement_diff_gate_status, cohort)");
  });

  it("filters every selector of a metric with a cohort label by $cohort", () => {
    const catalog = metricCatalog();
    for (const panel of parity ? panelsOf(parity) : []) {
      for (const target of panel.targets) {
        for (const [selector, name = ""] of (target.expr ?? "").matchAll(
          /(entitlement_diff_[a-z_]+)(\{[^}]*\})?/g,
        )) {
          if (!catalog.get(name)?.labels.includes("cohort")) continue;
          expect(selector, `${panel.title} ${target.refId}`).toContain('cohort=~"$cohort"');
        }
      }
    }
  });

  it("drills down into the latest over-permission mismatches in ClickHouse", () => {
    const sql = exprs.find((e) => e.includes("mismatch_details")) ?? "";
    expect(sql).toMatch(/FROM entitlement_diff\.mismatch_details\b/);
    expect(sql).toContain("kind = 'over_permission'");
    expect(sql).toMatch(/ORDER BY observed_at DESC\s+LIMIT 100\s*$/);
  });
});

describe("Grafana-managed alert rules", () => {
  const byTitle = new Map(rules.map((r) => [r.title, r]));

  it("are the alerts of deploy/prometheus/alerts.yml, with the same severities and durations", () => {
    expect(rules.map((r) => r.title).sort()).toEqual(prometheusAlerts.map((a) => a.alert).sort());
    for (const alert of prometheusAlerts) {
      const rule = byTitle.get(alert.alert);
      expect(rule?.labels.severity, alert.alert).toBe(alert.labels.severity);
      expect(durationSeconds(rule?.for), `${alert.alert}: for`).toBe(durationSeconds(alert.for));
      expect(rule?.annotations.runbook_url, alert.alert).toBe(alert.annotations.runbook_url);
      expect(rule?.group, `${alert.alert}: group`).toBe(alert.group);
    }
  });

  it("query Prometheus with the same PromQL as the Prometheus rules", () => {
    for (const alert of prometheusAlerts) {
      const query = byTitle.get(alert.alert)?.data.find((d) => d.model.expr !== undefined);
      expect(query?.datasourceUid, alert.alert).toBe("prometheus");
      expect(normalized(query?.model.expr ?? ""), alert.alert).toBe(normalized(alert.expr));
    }
  });

  it("reduce the query and threshold it as their condition, with unique uids in a folder", () => {
    const uids = rules.map((r) => r.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const group of grafanaAlerting.groups) expect(group.folder, group.name).toBeTruthy();
    for (const rule of rules) {
      expect(rule.uid.length, rule.uid).toBeLessThanOrEqual(40);
      for (const query of rule.data) expectKnownDatasource({ uid: query.datasourceUid }, rule.title);
      const byRef = new Map(rule.data.map((d) => [d.refId, d]));
      const condition = byRef.get(rule.condition);
      expect(condition?.model.type, `${rule.title}: the condition is a threshold`).toBe("threshold");
      expect(condition?.model.conditions?.length, rule.title).toBe(1);
      const reduce = byRef.get(condition?.model.expression ?? "");
      expect(reduce?.model.type, `${rule.title}: the threshold reduces`).toBe("reduce");
      const query = byRef.get(reduce?.model.expression ?? "");
      expect(query?.model.expr, `${rule.title}: the reduction reads the Prometheus query`).toBeDefined();
      expect(rule.noDataState, `${rule.title}: no data is the silent state`).toBe("OK");
    }
  });

  it("carry summary and description annotations like the Prometheus rules", () => {
    for (const rule of rules) {
      expect(rule.annotations.summary, rule.title).toBeTruthy();
      expect(rule.annotations.description, rule.title).toBeTruthy();
      // Grafana has $values, not Prometheus' $value.
      expect(`${rule.annotations.summary} ${rule.annotations.description}`, rule.title).not.toMatch(
        /\$value\b/,
      );
    }
  });
});

describe("runbooks", () => {
  const anchors = headingAnchors(FILES.runbooks);
  const urls = [
    ...prometheusAlerts.map((a) => ({
      where: `${FILES.prometheusAlerts} ${a.alert}`,
      url: a.annotations.runbook_url,
    })),
    ...rules.map((r) => ({ where: `${FILES.grafanaAlerts} ${r.title}`, url: r.annotations.runbook_url })),
  ];

  it("has a heading for every runbook_url anchor of both alert files", () => {
    for (const { where, url } of urls) {
      const match = /^docs\/runbooks\.md#([\w-]+)$/.exec(url ?? "");
      expect(match, `${where}: runbook_url "${url}" is not docs/runbooks.md#<anchor>`).not.toBeNull();
      expect(anchors, `${where}: no heading of ${FILES.runbooks} has the anchor #${match?.[1]}`).toContain(
        match?.[1],
      );
    }
    expect(existsSync(fromRepo(FILES.runbooks))).toBe(true);
  });
});

describe("metric names", () => {
  const catalog = metricCatalog();

  /** A histogram's series (`_bucket`, `_sum`, `_count`) are named after it. */
  function catalogName(name: string): string {
    const base = name.replace(/_(bucket|sum|count)$/, "");
    return base !== name && catalog.get(base)?.type === "histogram" ? base : name;
  }

  it("reads the catalog of docs/metrics.md", () => {
    expect(catalog.size).toBeGreaterThan(10);
    expect(catalog.get("entitlement_diff_evaluation_duration_seconds")).toEqual({
      type: "histogram",
      labels: ["stage"],
    });
  });

  it("uses in PromQL only metrics of docs/metrics.md (dashboards, variables, both alert files)", () => {
    const sources = [
      ...queries.map((q) => ({ where: `${q.file}: ${q.source}`, text: q.raw })),
      ...dashboards.flatMap((d) =>
        d.templating.list.map((v) => ({ where: `${d.file}: $${v.name}`, text: variableQuery(v) ?? "" })),
      ),
    ];
    const unknown = sources.flatMap(({ where, text }) =>
      metricNamesIn(text)
        .filter((name) => !catalog.has(catalogName(name)))
        .map((name) => `${where}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it("shows every metric of docs/metrics.md in a dashboard or an alert", () => {
    const used = new Set(queries.flatMap((q) => metricNamesIn(q.raw).map(catalogName)));
    const unused = [...catalog.keys()].filter((name) => !used.has(name));
    expect(unused).toEqual([]);
  });
});

describe("listPromQlQueries", () => {
  it("lists the queries of the dashboards and of both alert files, with where they come from", () => {
    const files = new Set(queries.map((q) => q.file));
    expect([...files].sort()).toEqual(
      [...dashboards.map((d) => d.file), FILES.prometheusAlerts, FILES.grafanaAlerts].sort(),
    );
    expect(queries.filter((q) => q.file === FILES.prometheusAlerts).map((q) => q.source)).toEqual(
      prometheusAlerts.map((a) => a.alert),
    );
    const where = queries.map((q) => `${q.file} ${q.source}`);
    expect(where.filter((w, i) => where.indexOf(w) !== i)).toEqual([]);
    for (const q of queries) expect(q.expr, `${q.file}: ${q.source}`).not.toContain("$");
  });

  it("substitutes Grafana's variables: dashboard ones by .* in matchers, built-ins by durations", () => {
    expect(
      substituteGrafanaVariables(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's ${name:format} syntax, not JavaScript's
        'sum by (cohort) (rate(entitlement_diff_unpaired_total{cohort=~"$cohort", side!~"${side:regex}"}[$__rate_interval]))',
      ),
    ).toBe('sum by (cohort) (rate(entitlement_diff_unpaired_total{cohort=~".*", side!~".*"}[1m]))');
    expect(substituteGrafanaVariables("sum(increase(entitlement_diff_dead_letters_total[$__range]))")).toBe(
      "sum(increase(entitlement_diff_dead_letters_total[1h]))",
    );
    expect(() => substituteGrafanaVariables('x{cohort="$cohort"}')).toThrow(/outside a regex matcher/);
    expect(() => substituteGrafanaVariables("sum by ($label) (x)")).toThrow(/outside a regex matcher/);
    expect(() => substituteGrafanaVariables("x[$__unknown]")).toThrow(/built-in/);
  });
});
