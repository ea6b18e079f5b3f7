import type { Finding, GateStatus, Report, Severity } from "../contracts/index.js";
import { formatConfidence, formatCount, formatPercent } from "../gates/format-numbers.js";
import { type CohortSummary, countStatuses, findingCountColumns, summarizeCohort } from "./cohort-summary.js";
import { decisionLabel, KIND_LABEL, STATUS_LABEL } from "./display-labels.js";
import { type FindingGroup, groupFindings } from "./group-findings.js";
import { html, SafeHtml } from "./html-template.js";

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
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Entitlement parity report · ${report.generatedAt}</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body>
${header(report)}
<main>
${totals(report)}
${cohortSection(report)}
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

function cohortSection(r: Report): SafeHtml {
  const rows = r.cohorts.map(summarizeCohort).map(cohortRow);
  const body =
    rows.length === 0
      ? html`<p class="empty">No cohort saw traffic.</p>`
      : html`<div class="scroll"><table class="cohorts">
<thead><tr><th>Cohort</th><th>Gate</th><th class="num">Pairs</th><th class="num">Mismatched</th><th>Mismatch rate</th><th class="num">Over</th><th class="num">Under</th><th class="num">Subject</th><th class="num">Invalid</th><th class="num">Unpaired</th><th class="num">Drift</th><th>Reasons</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`;
  return html`<section id="cohorts"><h2>Cohorts</h2>${body}</section>`;
}

function cohortRow(c: CohortSummary): SafeHtml {
  const counts = findingCountColumns(c);
  const [decisive, ...rest] = c.reasons;
  // The first reason decided the status; for a pass every reason is merely a check that held.
  const reasons = c.status === "pass" ? c.reasons : rest;
  return html`<tr class="${c.status}">
<th scope="row">${c.id}</th>
<td>${statusBadge(c.status)}</td>
<td class="num">${formatCount(c.pairs)}</td>
<td class="num">${formatCount(c.mismatchedPairs)}</td>
<td>${rateCell(c)}</td>
${counts.map((n, i) => html`<td class="num${n > 0 ? (i === 0 ? " critical-count" : " nonzero") : ""}">${formatCount(n)}</td>`)}
<td class="reasons">${c.status !== "pass" && decisive !== undefined ? html`<p class="decisive">${decisive}</p>` : ""}<ul>${reasons.map((x) => html`<li>${x}</li>`)}</ul></td>
</tr>`;
}

/** The observed rate, its upper bound, and a bar drawing the bound against the maximum. */
function rateCell(c: CohortSummary): SafeHtml {
  const bound = formatPercent(c.mismatchRateUpperBound);
  const max = formatPercent(c.maxMismatchRate);
  return html`<div class="rate"><strong>${formatPercent(c.mismatchRate)}</strong> <span class="muted">${formatConfidence(c.confidence)} upper bound ${bound}</span></div>
${rateMeter(c)}
<div class="muted small">max ${max}</div>`;
}

/** Point estimate as a grey bar, the interval up to the bound green or red, the maximum as a tick. */
function rateMeter(c: CohortSummary): SafeHtml {
  // Scale so the maximum sits at mid-bar unless the bound reaches beyond twice the maximum.
  const scale = Math.max(c.mismatchRateUpperBound, c.maxMismatchRate * 2, Number.MIN_VALUE);
  const at = (rate: number) => Math.min(100, (rate / scale) * 100);
  const point = at(c.mismatchRate);
  const interval = at(c.mismatchRateUpperBound) - point;
  const tone = c.mismatchRateUpperBound <= c.maxMismatchRate ? "ok" : "over";
  const label = `upper bound ${formatPercent(c.mismatchRateUpperBound)}, max ${formatPercent(c.maxMismatchRate)}`;
  return html`<div class="meter" title="${label}" aria-hidden="true"><span class="point" style="width:${point.toFixed(1)}%"></span><span class="bound ${tone}" style="left:${point.toFixed(1)}%;width:${interval.toFixed(1)}%"></span><span class="limit" style="left:${at(c.maxMismatchRate).toFixed(1)}%"></span></div>`;
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
<td>${decision(f.new.allow)}${reasonsList(f.new.reasons)}</td>
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

function statusBadge(status: GateStatus): SafeHtml {
  return html`<span class="badge ${status}">${STATUS_LABEL[status]}</span>`;
}

function severityBadge(severity: Severity): SafeHtml {
  return html`<span class="sev ${severity}">${severity}</span>`;
}

function decision(allow: boolean | null): SafeHtml {
  const tone = allow === null ? "none" : allow ? "allow" : "deny";
  return html`<span class="decision ${tone}">${decisionLabel(allow)}</span>`;
}

function reasonsList(reasons: readonly string[]): SafeHtml | string {
  if (reasons.length === 0) return "";
  return html`<ul class="plain">${reasons.map((x) => html`<li>${x}</li>`)}</ul>`;
}

/** Our own constant, so it goes in verbatim (CSS inside <style> is raw text, entities would break it). */
const STYLE = `
:root {
  color-scheme: light dark;
  --bg: #f7f7f5; --panel: #ffffff; --ink: #1d2228; --muted: #5f6b76; --line: #dde1e5;
  --pass: #1f7a3d; --pass-bg: #e3f4e8; --fail: #b42318; --fail-bg: #fde8e6;
  --warn: #8a5a00; --warn-bg: #fdf1d6; --critical: #8f1111; --high: #b54708; --medium: #8a6d00; --low: #52606d;
  --code-bg: #f0f2f4; --bar: #9aa5b1;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #15181c; --panel: #1d2127; --ink: #e6e9ec; --muted: #9aa5b1; --line: #323841;
    --pass: #6fd08c; --pass-bg: #173523; --fail: #ff8a80; --fail-bg: #3d1a18;
    --warn: #f5c451; --warn-bg: #3a2e10; --critical: #ff7b72; --high: #ffa657; --medium: #e3c55c; --low: #a9b4bf;
    --code-bg: #262b33; --bar: #5f6b76;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, main, footer { max-width: 1400px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; }
h1 { font-size: 26px; margin: 0 0 6px; letter-spacing: -0.01em; }
h2 { font-size: 18px; margin: 36px 0 10px; }
code, .id { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--code-bg);
  padding: 1px 5px; border-radius: 4px; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.small { font-size: 12px; }
.verdict { margin: 0 0 18px; font-size: 15px; }
.provenance { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 8px 24px; margin: 0;
  padding: 14px 16px; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; }
.provenance .wide { grid-column: 1 / -1; }
.provenance dt { font-size: 11px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); }
.provenance dd { margin: 2px 0 0; }
.provenance ul { margin: 0; padding-left: 18px; }
.totals { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 12px; margin-top: 20px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card .n { display: block; font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .label { color: var(--muted); font-size: 12px; }
.scroll { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; }
th, td { text-align: left; vertical-align: top; padding: 8px 10px; border-bottom: 1px solid var(--line); }
thead th { font-size: 11px; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); white-space: nowrap; }
tbody tr:last-child > * { border-bottom: 0; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.nonzero { font-weight: 600; }
.critical-count { font-weight: 700; color: var(--critical); }
tr.fail > th { box-shadow: inset 3px 0 0 var(--fail); }
tr.insufficient_evidence > th { box-shadow: inset 3px 0 0 var(--warn); }
tr.pass > th { box-shadow: inset 3px 0 0 var(--pass); }
.badge { display: inline-block; padding: 2px 9px; border-radius: 999px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.badge.pass { color: var(--pass); background: var(--pass-bg); }
.badge.fail { color: var(--fail); background: var(--fail-bg); }
.badge.insufficient_evidence { color: var(--warn); background: var(--warn-bg); }
.sev { display: inline-block; min-width: 64px; text-align: center; padding: 1px 6px; border-radius: 4px; font-size: 11px;
  font-weight: 700; text-transform: uppercase; letter-spacing: 0.04em; border: 1px solid currentColor; }
.sev.critical { color: var(--critical); } .sev.high { color: var(--high); } .sev.medium { color: var(--medium); } .sev.low { color: var(--low); }
.decision { font-weight: 600; }
.decision.allow { color: var(--pass); } .decision.deny { color: var(--fail); } .decision.none { color: var(--muted); font-weight: 400; }
.reasons { min-width: 300px; }
.reasons ul, ul.plain { margin: 0; padding-left: 16px; }
ul.plain { color: var(--muted); }
.decisive { margin: 0 0 4px; font-weight: 600; }
.rate { min-width: 150px; }
.meter { position: relative; height: 6px; width: 160px; margin: 5px 0 2px; background: var(--code-bg); border-radius: 3px; }
.meter span { position: absolute; top: 0; height: 6px; }
.meter .point { left: 0; background: var(--bar); border-radius: 3px 0 0 3px; }
.meter .bound.ok { background: var(--pass); opacity: 0.45; }
.meter .bound.over { background: var(--fail); opacity: 0.45; }
.meter .limit { top: -3px; height: 12px; width: 2px; background: var(--ink); }
details { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; margin: 8px 0; }
details > summary { cursor: pointer; padding: 10px 12px; }
details[open] > summary { border-bottom: 1px solid var(--line); }
details table { border: 0; border-radius: 0; }
.note { padding: 8px 12px; border-left: 3px solid var(--warn); background: var(--warn-bg); border-radius: 4px; }
.empty { color: var(--muted); font-style: italic; }
a { color: inherit; }
footer { color: var(--muted); font-size: 12px; padding-top: 32px; padding-bottom: 32px; }
`;
