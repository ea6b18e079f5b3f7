import {
  type Dashboard,
  FILES,
  loadDashboards,
  loadDatasources,
  loadGrafanaAlerting,
  loadPrometheusAlerts,
  panelsOf,
} from "./monitoring-files.js";

/** One PromQL query of the dashboards or the alert files, ready to send to a real Prometheus. */
export interface PromQlQuery {
  /** The file it comes from, relative to the repository. */
  file: string;
  /** Where in the file: `<dashboard> / <panel title> / <refId>`, or the alert's name. */
  source: string;
  /** The expression as written, Grafana variables included. */
  raw: string;
  /** The expression with Grafana variables substituted (see substituteGrafanaVariables). */
  expr: string;
}

/**
 * What Grafana's built-in variables stand for when a query runs outside Grafana. Any other
 * built-in in a query is an error, so that a new one cannot slip through unsubstituted.
 */
export const BUILT_IN_VALUES: Readonly<Record<string, string>> = {
  __rate_interval: "1m",
  __interval: "1m",
  __range: "1h",
};

/** `$name`, `${name}`, `${name:format}` and `[[name]]`, the ways Grafana writes a variable. */
const VARIABLE = /\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)/g;

/** The names of the variables a query uses, built-ins (`__...`) included. */
export function variablesIn(text: string): string[] {
  return [...text.matchAll(VARIABLE)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
}

/**
 * Substitutes Grafana's variables in a PromQL expression: built-ins by BUILT_IN_VALUES
 * (`$__rate_interval` -> `1m`), and dashboard variables, which must be inside a regex matcher's
 * value (`cohort=~"$cohort"`), by a regex that matches everything (`cohort=~".*"`), as
 * "All" does. A variable anywhere else throws: `.*` would not be valid PromQL there.
 */
export function substituteGrafanaVariables(expr: string): string {
  const builtIns = expr.replace(VARIABLE, (whole, a?: string, b?: string, c?: string) => {
    const name = a ?? b ?? c ?? "";
    if (!name.startsWith("__")) return whole;
    const value = BUILT_IN_VALUES[name];
    if (value === undefined) throw new Error(`no value for Grafana's built-in $${name} in: ${expr}`);
    return value;
  });
  const matchers = builtIns.replace(/([=!]~\s*)"((?:[^"\\]|\\.)*)"/g, (_whole, op: string, value: string) => {
    return `${op}"${value.replace(VARIABLE, ".*")}"`;
  });
  const left = variablesIn(matchers);
  if (left.length > 0) {
    throw new Error(`variable(s) ${left.map((n) => `$${n}`).join(", ")} outside a regex matcher in: ${expr}`);
  }
  return matchers;
}

function dashboardQueries(dashboard: Dashboard, prometheusUids: Set<string>, defaultUid?: string) {
  return panelsOf(dashboard).flatMap((panel) =>
    panel.targets.flatMap((target) => {
      const uid = target.datasource?.uid ?? panel.datasource?.uid ?? defaultUid;
      if (target.expr === undefined || uid === undefined || !prometheusUids.has(uid)) return [];
      return [
        {
          file: dashboard.file,
          source: `${dashboard.title} / ${panel.title} / ${target.refId}`,
          raw: target.expr,
          expr: substituteGrafanaVariables(target.expr),
        },
      ];
    }),
  );
}

/**
 * Every PromQL query of the Grafana dashboards (panel targets on a Prometheus data source; not the
 * template variables' `label_values(...)`), of deploy/prometheus/alerts.yml and of the
 * Grafana-managed alert rules, in file order.
 */
export function listPromQlQueries(): PromQlQuery[] {
  const datasources = loadDatasources();
  const prometheusUids = new Set(datasources.filter((d) => d.type === "prometheus").map((d) => d.uid));
  const defaultUid = datasources.find((d) => d.type === "prometheus")?.uid;
  const fromDashboards = loadDashboards().flatMap((d) => dashboardQueries(d, prometheusUids, defaultUid));
  const fromPrometheus = loadPrometheusAlerts().map((rule) => ({
    file: FILES.prometheusAlerts,
    source: rule.alert,
    raw: rule.expr,
    expr: substituteGrafanaVariables(rule.expr),
  }));
  const fromGrafana = loadGrafanaAlerting().groups.flatMap((group) =>
    group.rules.flatMap((rule) =>
      rule.data.flatMap((query) =>
        prometheusUids.has(query.datasourceUid) && query.model.expr !== undefined
          ? [
              {
                file: FILES.grafanaAlerts,
                source: `${rule.title} / ${query.refId}`,
                raw: query.model.expr,
                expr: substituteGrafanaVariables(query.model.expr),
              },
            ]
          : [],
      ),
    ),
  );
  return [...fromDashboards, ...fromPrometheus, ...fromGrafana];
}

/** The entitlement_diff_* metric names an expression uses, histogram suffixes kept. */
export function metricNamesIn(expr: string): string[] {
  return [...new Set(expr.match(/\bentitlement_diff_[a-z0-9_]+/g) ?? [])];
}
