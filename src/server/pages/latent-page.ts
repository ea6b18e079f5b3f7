import type { LatentReport } from "../../contracts/index.js";
import { html } from "../../report/html-template.js";
import { latentByCohort, latentSummary, latentTable } from "../../report/latent-table.js";
import { layout } from "./layout.js";

export interface LatentView {
  subject: string;
  cohortIds: readonly string[];
  /** The cohort asked for ("" for all), as sent. */
  cohort: string;
  /** null: the config has no latent section. */
  report?: LatentReport | null;
  problems?: readonly string[];
}

/** GET /latent: modelled entitlement differences under the deployed versions, latent ones first. */
export function renderLatent(v: LatentView): string {
  const options = ["", ...v.cohortIds].map(
    (id) =>
      html`<option value="${id}"${id === v.cohort ? html` selected` : ""}>${id === "" ? "every cohort" : id}</option>`,
  );
  const form = html`<form method="get" action="/latent" class="filters">
<label>Cohort <select name="cohort">${options}</select></label>
<button type="submit">Show</button>
</form>`;
  return layout({
    title: "Latent drift",
    section: "latent",
    subject: v.subject,
    body: html`<h1>Latent entitlement drift</h1>
<p class="lead">What each principal seen may do under either model over the entitlement matrix, where the two differ. Latent: no request of the cohort on that path differed that way, so shadow traffic never showed it.</p>
${form}
${body(v)}`,
  });
}

function body(v: LatentView) {
  if (v.problems && v.problems.length > 0)
    return html`<ul class="problems" role="alert">${v.problems.map((p) => html`<li>${p}</li>`)}</ul>`;
  if (v.report === null)
    return html`<p class="empty">Latent drift is off: the configuration has no <code>latent</code> section (docs/latent.md).</p>`;
  if (v.report === undefined) return html``;
  const report = v.report;
  const cohorts = latentByCohort(report);
  return html`<p class="muted">${latentSummary(report)} Window ${report.since} to ${report.until}, policy bundle <code>${report.policyBundleSha256.slice(0, 12)}</code>.</p>
${
  cohorts.length === 0
    ? html`<p class="empty">The two models grant the same over the matrix for every principal evaluated.</p>`
    : cohorts.map((c) => html`<h2>${c.cohort}</h2>${latentTable(c.entitlements, c.principalsEvaluated)}`)
}`;
}
