import type { Finding, Report } from "../contracts/index.js";
import { formatCount } from "../gates/format-numbers.js";
import { type CohortSummary, countStatuses, findingCountColumns, summarizeCohort } from "./cohort-summary.js";
import { KIND_LABEL, STATUS_LABEL } from "./display-labels.js";
import { type FindingGroup, groupFindings } from "./group-findings.js";
import {
  decision,
  gateReasons,
  REPORT_STYLE,
  rateCell,
  reasonsList,
  reportHead,
  severityBadge,
  statusBadge,
} from "./html-parts.js";
import { html, type SafeHtml } from "./html-template.js";
import { latentByCohort, latentSummary, latentTable } from "./latent-table.js";

/** Rows listed per group in the details section; the JSON report has every finding. */
export const HTML_MAX_FINDINGS_PER_GROUP = 200;

/**
 * The report as one self-contained HTML page: inline CSS, no script, no external resource,
 * readable offline and safe to attach to a ticket. Every report string is HTML-escaped, and a
 * Content-Security-Policy forbids scripts and remote loads should anything slip through.
 */
export function renderHtml(report: Report): string {
  const groups = groupFindings(report.mismatches);
  const page = html`<!doctype html>
<html lang="en">
${reportHead(`Entitlement parity report · ${report.generatedAt}`, REPORT_STYLE)}
<body>
${header(report)}
<main>
${totals(report)}
${cohortSection(report)}
${latentSection(report)}
${groupSection(report, groups)}
${detailsSection(groups)}
${rejectedSection(report)}
</main>
<footer>${report.schema} · produced by entitlement-diff</footer>
</body>
</html>
`;
  return page.value;
}

function header(r: Report): SafeHtml {
  const statuses = countStatuses(r);
  const verdict = (["fail", "insufficient_evidence", "pass"] as const).map(
    (s) => html`<span class="badge ${s}">${formatCount(statuses[s])} ${STATUS_LABEL[s]}</span> `,
  );
  return html`<header>
<h1>Entitlement parity report</h1>
<p class="verdict">${formatCount(r.cohorts.length)} ${r.cohorts.length === 1 ? "cohort" : "cohorts"}: ${verdict}</p>
<dl class="provenance">
<div><dt>Generated at</dt><dd><time datetime="${r.generatedAt}">${r.generatedAt}</time></dd></div>
<div><dt>Policy bundle sha256</dt><dd><code>${r.provenance.policyBundleSha256}</code></dd></div>
<div><dt>Entrypoint</dt><dd><code>${r.provenance.entrypoint}</code></dd></div>
<div><dt>Legacy rules sha256</dt><dd><code>${r.provenance.legacyRulesSha256}</code></dd></div>
<div class="wide"><dt>Inputs</dt><dd>${r.inputs.length === 0 ? "none" : html`<ul>${r.inputs.map((i) => html`<li><code>${i}</code></li>`)}</ul>`}</dd></div>
</dl>
</header>`;
}

function totals(r: Report): SafeHtml {
  const t = r.totals;
  const cards: Array<[string, number]> = [
    ["events", t.events],
    ["duplicates", t.duplicates],
    ["rejected lines", t.rejected],
    ["pairs", t.pairs],
    ["unpaired", t.unpaired],
    ["findings", t.mismatches],
  ];
  return html`<section class="totals" aria-label="Totals">${cards.map(
    ([label, n]) =>
      html`<div class="card"><span class="n">${formatCount(n)}</span><span class="label">${label}</span></div>`,
  )}</section>`;
}

function latentSection(r: Report): SafeHtml {
  if (!r.latent) return html``;
  const cohorts = latentByCohort(r.latent).map(
    (c) => html`<h3>${c.cohort}</h3>${latentTable(c.entitlements, c.principalsEvaluated)}`,
  );
  return html`<section id="latent"><h2>Latent entitlement drift</h2><p class="muted">${latentSummary(r.latent)} Latent: traffic never showed the difference.</p>${cohorts}</section>`;
}

function cohortSection(r: Report): SafeHtml {
  const rows = r.cohorts.map(summarizeCohort).map(cohortRow);
  const body =
    rows.length === 0
      ? html`<p class="empty">No cohort saw traffic.</p>`
      : html`<div class="scroll"><table class="cohorts">
<thead><tr><th>Cohort</th><th>Gate</th><th class="num">Pairs</th><th class="num">Mismatched</th><th>Mismatch rate</th><th class="num">Over</th><th class="num">Under</th><th class="num">Subject</th><th class="num">Invalid</th><th class="num">Policy error</th><th class="num">Unpaired</th><th class="num">Drift</th><th>Reasons</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`;
  return html`<section id="cohorts"><h2>Cohorts</h2>${body}</section>`;
}

function cohortRow(c: CohortSummary): SafeHtml {
  const counts = findingCountColumns(c);
  return html`<tr class="${c.status}">
<th scope="row">${c.id}</th>
<td>${statusBadge(c.status)}</td>
<td class="num">${formatCount(c.pairs)}</td>
<td class="num">${formatCount(c.mismatchedPairs)}</td>
<td>${rateCell(c)}</td>
${counts.map((n, i) => html`<td class="num${n > 0 ? (i === 0 ? " critical-count" : " nonzero") : ""}">${formatCount(n)}</td>`)}
<td class="reasons">${gateReasons(c.status, c.reasons)}</td>
</tr>`;
}

function groupSection(r: Report, groups: readonly FindingGroup[]): SafeHtml {
  const note = r.mismatchesTruncated
    ? html`<p class="note">Groups cover the ${formatCount(r.mismatches.length)} findings listed in the report, of ${formatCount(r.totals.mismatches)}; the per-cohort counts above are complete.</p>`
    : "";
  const body =
    groups.length === 0
      ? html`<p class="empty">No mismatches: both systems agreed on every pair.</p>`
      : html`<div class="scroll"><table class="groups">
<thead><tr><th>Severity</th><th>Kind</th><th>Request</th><th>Legacy rule</th><th>New policy reasons</th><th class="num">Count</th><th>Cohorts</th><th>Examples</th></tr></thead>
<tbody>${groups.map(groupRow)}</tbody>
</table></div>`;
  return html`<section id="groups"><h2>Mismatch groups</h2><p class="muted">Grouped by kind, action, resource type, legacy rule and new policy reasons; most severe first, then most frequent.</p>${note}${body}</section>`;
}

function groupRow(g: FindingGroup, index: number): SafeHtml {
  return html`<tr>
<td>${severityBadge(g.severity)}</td>
<td><a href="#group-${index + 1}">${KIND_LABEL[g.kind]}</a></td>
<td><code>${g.action}</code> on <code>${g.resourceType}</code></td>
<td>${g.legacyRuleId === null ? html`<span class="muted">none</span>` : html`<code>${g.legacyRuleId}</code>`}</td>
<td>${reasonsList(g.newReasons)}</td>
<td class="num">${formatCount(g.count)}</td>
<td>${g.cohorts.join(", ")}</td>
<td>${g.exampleCorrelationIds.map((id) => html`<code class="id">${id}</code> `)}</td>
</tr>`;
}

function detailsSection(groups: readonly FindingGroup[]): SafeHtml {
  if (groups.length === 0) return html``;
  return html`<section id="details"><h2>Details</h2>${groups.map(groupDetails)}</section>`;
}

function groupDetails(g: FindingGroup, index: number): SafeHtml {
  const shown = g.findings.slice(0, HTML_MAX_FINDINGS_PER_GROUP);
  const more =
    g.findings.length > shown.length
      ? html`<p class="note">${formatCount(g.findings.length - shown.length)} more findings in this group are in the JSON report.</p>`
      : "";
  return html`<details id="group-${index + 1}">
<summary>${severityBadge(g.severity)} <strong>${KIND_LABEL[g.kind]}</strong> · <code>${g.action}</code> on <code>${g.resourceType}</code> · legacy rule ${g.legacyRuleId ?? "none"} · ${formatCount(g.count)} ${g.count === 1 ? "finding" : "findings"}</summary>
<div class="scroll"><table class="findings">
<thead><tr><th>Correlation id</th><th>Cohort</th><th>Side</th><th>Legacy</th><th>New</th><th>Detail</th><th>Observed at</th></tr></thead>
<tbody>${shown.map(findingRow)}</tbody>
</table></div>${more}
</details>`;
}

function findingRow(f: Finding): SafeHtml {
  return html`<tr>
<td><code class="id">${f.correlationId}</code></td>
<td>${f.cohort}</td>
<td>${f.side ?? html`<span class="muted">both</span>`}</td>
<td>${decision(f.legacy.allow)}${f.legacy.ruleId === null ? "" : html` <code>${f.legacy.ruleId}</code>`}</td>
<td>${decision(f.new.allow, f.kind === "policy_error")}${reasonsList(f.new.reasons)}</td>
<td>${f.detail}</td>
<td><time datetime="${f.observedAt}">${f.observedAt}</time></td>
</tr>`;
}

function rejectedSection(r: Report): SafeHtml {
  if (r.totals.rejected === 0) {
    return html`<section id="rejected"><h2>Rejected lines</h2><p class="empty">No rejected lines.</p></section>`;
  }
  const note =
    r.rejected.length < r.totals.rejected
      ? html`<p class="note">Showing ${formatCount(r.rejected.length)} of ${formatCount(r.totals.rejected)} rejected lines.</p>`
      : "";
  return html`<section id="rejected"><h2>Rejected lines</h2>
<p>${formatCount(r.totals.rejected)} ${r.totals.rejected === 1 ? "line was" : "lines were"} not evaluated; every other line was.</p>${note}
<div class="scroll"><table class="rejected">
<thead><tr><th>File</th><th class="num">Line</th><th>Reason</th></tr></thead>
<tbody>${r.rejected.map((x) => html`<tr><td><code>${x.file}</code></td><td class="num">${formatCount(x.line)}</td><td>${x.reason}</td></tr>`)}</tbody>
</table></div></section>`;
}
