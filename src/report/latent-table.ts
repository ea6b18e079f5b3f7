import type { LatentEntitlement, LatentReport } from "../contracts/index.js";
import { formatCount } from "../gates/format-numbers.js";
import { KIND_LABEL } from "./display-labels.js";
import { escapeMarkdown as md } from "./escape-markdown.js";
import { reasonsList } from "./html-parts.js";
import { html, type SafeHtml } from "./html-template.js";
import { codeOrNone } from "./html-values.js";

/** "latent" when traffic never showed the difference, else how often it did. */
export function exercisedLabel(e: LatentEntitlement): string {
  return e.latent
    ? `latent (${formatCount(e.observedPairs)} pairs on this path, none differing)`
    : `exercised (${formatCount(e.observedFindings)} of ${formatCount(e.observedPairs)} pairs)`;
}

const principalsOf = (e: LatentEntitlement) =>
  `${formatCount(e.principals)} of ${formatCount(e.principalsEvaluated)}`;

export function latentMarkdown(
  entitlements: readonly LatentEntitlement[],
  principalsEvaluated: number,
): string[] {
  if (principalsEvaluated === 0) return ["No principal's entitlement matrix evaluated in the window."];
  if (entitlements.length === 0)
    return [
      `The two models grant the same over the matrix for all ${formatCount(principalsEvaluated)} principals.`,
    ];
  return [
    "| kind | action | resource | scenario | legacy rule | policy reasons | principals | traffic |",
    "| --- | --- | --- | --- | --- | --- | ---: | --- |",
    ...entitlements.map(
      (e) =>
        `| ${KIND_LABEL[e.direction]} | ${md(e.action)} | ${md(e.resourceType)} | ${md(e.scenario)} | ${md(e.legacyRuleId ?? "(none)")} | ${e.newReasons.map(md).join("; ")} | ${principalsOf(e)} | ${exercisedLabel(e)} |`,
    ),
  ];
}

export function latentTable(
  entitlements: readonly LatentEntitlement[],
  principalsEvaluated: number,
): SafeHtml {
  if (principalsEvaluated === 0)
    return html`<p class="empty">No principal's entitlement matrix evaluated in the window.</p>`;
  if (entitlements.length === 0)
    return html`<p class="empty">The two models grant the same over the matrix for all ${formatCount(principalsEvaluated)} principals.</p>`;
  return html`<div class="scroll"><table class="groups latent">
<thead><tr><th>Kind</th><th>Action</th><th>Resource type</th><th>Scenario</th><th>Legacy rule</th><th>New policy reasons</th><th class="num">Principals</th><th>Traffic</th></tr></thead>
<tbody>${entitlements.map(
    (e) => html`<tr class="${e.latent ? "latent" : "exercised"}">
<td class="nowrap">${KIND_LABEL[e.direction]}</td>
<td><code>${e.action}</code></td>
<td><code>${e.resourceType}</code></td>
<td>${e.scenario}</td>
<td>${codeOrNone(e.legacyRuleId)}</td>
<td>${reasonsList(e.newReasons)}</td>
<td class="num">${principalsOf(e)}</td>
<td>${e.latent ? html`<strong>${exercisedLabel(e)}</strong>` : exercisedLabel(e)}</td>
</tr>`,
  )}</tbody>
</table></div>`;
}

/** The cohorts of a latent report that have modelled differences, each with its rows. */
export function latentByCohort(
  report: LatentReport,
): { cohort: string; principalsEvaluated: number; entitlements: LatentEntitlement[] }[] {
  const cohorts = [...new Set(report.entitlements.map((e) => e.cohort))].sort();
  return cohorts.map((cohort) => ({
    cohort,
    principalsEvaluated: report.principalsEvaluated[cohort] ?? 0,
    entitlements: report.entitlements.filter((e) => e.cohort === cohort),
  }));
}

/** "2,013 principals evaluated; the models grant the same over the matrix in 6 of 9 cohorts." */
export function latentSummary(report: LatentReport): string {
  const evaluated = Object.values(report.principalsEvaluated).reduce((n, k) => n + k, 0);
  const cohorts = Object.keys(report.principalsEvaluated).length;
  const differing = new Set(report.entitlements.map((e) => e.cohort)).size;
  const latent = report.entitlements.filter((e) => e.latent && e.direction === "over_permission").length;
  return `${formatCount(evaluated)} principals evaluated in ${formatCount(cohorts)} cohorts; modelled differences in ${formatCount(differing)}; ${formatCount(latent)} latent over-permission${latent === 1 ? "" : "s"}.`;
}
