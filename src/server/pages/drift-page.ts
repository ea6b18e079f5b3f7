import type { DriftPage } from "../../contracts/index.js";
import { CAUSE_LABEL, KIND_LABEL } from "../../report/display-labels.js";
import { driftGroupsTable } from "../../report/drift-groups-table.js";
import { html, SafeHtml } from "../../report/html-template.js";
import { CAUSES, DRIFT_KINDS, type DriftForm, driftHref, SEVERITIES } from "./drift-filters.js";
import { layout } from "./layout.js";
import { mismatchHref } from "./page-parts.js";

export interface DriftView {
  subject: string;
  cohortIds: readonly string[];
  form: DriftForm;
  /** Absent when the filters could not be used; `problems` says why. */
  page?: DriftPage;
  problems?: readonly string[];
}

/** GET /drift: mismatches grouped the way a reviewer triages them, filtered by a GET form. */
export function renderDrift(view: DriftView): string {
  const problems = view.problems ?? [];
  const notice =
    problems.length > 0
      ? html`<div class="problem" role="alert"><strong>These filters cannot be used:</strong><ul>${problems.map((p) => html`<li>${p}</li>`)}</ul></div>`
      : "";
  return layout({
    title: "Drift",
    section: "drift",
    subject: view.subject,
    body: html`<h1>Drift</h1>
<p class="lead">Findings grouped by cohort, kind, request, legacy rule and new policy reasons; most severe, then most frequent first. Unpaired requests are counted on the overview.</p>
${filterForm(view)}${notice}${view.page ? groupsTable(view.page, view.form) : ""}`,
  });
}

function filterForm({ cohortIds, form }: DriftView): SafeHtml {
  return html`<form class="filters" method="get" action="/drift" aria-label="Filter drift groups">
<label>Cohort ${select(
    "cohort",
    form.cohort,
    cohortIds.map((id) => [id, id]),
  )}</label>
<label>Kind ${select(
    "kind",
    form.kind,
    DRIFT_KINDS.map((k) => [k, KIND_LABEL[k]]),
  )}</label>
<label>Severity ${select(
    "severity",
    form.severity,
    SEVERITIES.map((s) => [s, s]),
  )}</label>
<label>Cause ${select(
    "cause",
    form.cause,
    CAUSES.map((c) => [c, CAUSE_LABEL[c]]),
  )}</label>
<label>Since (UTC) <input type="date" name="since" value="${form.since}"></label>
<label>Until (UTC, inclusive) <input type="date" name="until" value="${form.until}"></label>
<button type="submit" class="primary">Filter</button>
<a class="button" href="/drift">Clear</a>
</form>`;
}

function select(name: string, chosen: string, options: ReadonlyArray<readonly [string, string]>): SafeHtml {
  const option = (value: string, label: string) =>
    html`<option value="${value}"${value === chosen ? new SafeHtml(" selected") : ""}>${label}</option>`;
  return html`<select name="${name}">${option("", "any")}${options.map(([value, label]) => option(value, label))}</select>`;
}

function groupsTable(page: DriftPage, form: DriftForm): SafeHtml {
  if (page.groups.length === 0)
    return html`<p class="empty">No drift groups${form.cursor === "" ? " match these filters" : " on this page"}.</p>${pager(page, form)}`;
  return html`${driftGroupsTable(page.groups, mismatchHref)}${pager(page, form)}`;
}

/** Paging keeps the filters; the cursor also pins the window's end, so pages do not shift. */
export function pager(page: DriftPage, form: DriftForm): SafeHtml | string {
  const first = form.cursor === "" ? "" : html`<a class="button" href="${driftHref(form)}">First page</a>`;
  const next =
    page.nextCursor === null
      ? ""
      : html`<a class="button" rel="next" href="${driftHref(form, page.nextCursor)}">Next page</a>`;
  if (first === "" && next === "") return "";
  return html`<nav class="pager" aria-label="Pages">${first}${next}</nav>`;
}
