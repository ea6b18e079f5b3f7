import { formatCount, formatPercent } from "../../gates/format-numbers.js";
import { gateReasons, rateCell, statusBadge } from "../../report/html-parts.js";
import { html, type SafeHtml } from "../../report/html-template.js";
import { timeOf } from "../../report/html-values.js";
import { sparkline, trendRates } from "../../report/sparkline.js";
import type { CohortOverview } from "../../review/review-service.js";
import { layout } from "./layout.js";

/** GET /: every cohort's stage and its gate decided now on the configured window. */
export function renderOverview(cohorts: readonly CohortOverview[], subject: string): string {
  const window = cohorts[0]?.gate.window;
  const lead = window
    ? html`<p class="lead">Gates decided now over the window ${timeOf(window.since)} to ${timeOf(window.until)}; viewing this page records nothing.</p>`
    : "";
  return layout({
    title: "Overview",
    section: "overview",
    subject,
    body: html`<h1>Cohorts</h1>${lead}
<div class="scroll"><table class="cohorts">
<thead><tr><th>Cohort</th><th>Stage</th><th>Gate</th><th class="num">Pairs</th><th>Mismatch rate</th><th>Unpaired rate</th><th>Mismatch rate trend</th></tr></thead>
<tbody>${cohorts.map(cohortRow)}</tbody>
</table></div>
<p class="muted small">Trend: the mismatch rate per step of the gate window, before waivers; the dashed line is the gate's maximum. A step holds few pairs, so one above the line is no verdict: the gate column decides.</p>`,
  });
}

function cohortRow(c: CohortOverview): SafeHtml {
  const { gate } = c;
  const { statistics: s, thresholds: t } = gate;
  return html`<tr class="${gate.status}">
<th scope="row"><a href="/drift?cohort=${encodeURIComponent(c.cohort)}">${c.cohort}</a></th>
<td>${stageCell(c)}</td>
<td class="reasons">${statusBadge(gate.status)}${gateReasons(gate.status, gate.reasons)}</td>
<td class="num">${formatCount(gate.evidence.pairs)}<div class="muted small">min ${formatCount(t.minPairs)}</div></td>
<td>${rateCell({ ...s, maxMismatchRate: t.maxMismatchRate, confidence: t.confidence })}</td>
<td><strong${s.unpairedRate > t.maxUnpairedRate ? html` class="over-limit"` : ""}>${formatPercent(s.unpairedRate)}</strong><div class="muted small">max ${formatPercent(t.maxUnpairedRate)}</div></td>
<td>${trendCell(c)}</td>
</tr>`;
}

/** The counters behind the trend are raw: waivers apply to whole windows, not to steps. */
function trendCell(c: CohortOverview): SafeHtml {
  const points = trendRates(c.trend);
  const last = points.at(-1);
  const chart = sparkline({
    points,
    since: new Date(c.gate.window.since),
    until: new Date(c.gate.window.until),
    limit: c.gate.thresholds.maxMismatchRate,
    subject: `mismatch rate of ${c.cohort} before waivers`,
  });
  const caption = last ? `latest ${formatPercent(last.rate)}` : "no pairs yet";
  return html`${chart}<div class="muted small">${caption}</div>`;
}

function stageCell(c: CohortOverview): SafeHtml {
  const since =
    c.stageSince === null ? "" : html`<div class="muted small">since ${timeOf(c.stageSince)}</div>`;
  const last = c.lastRecorded;
  const recorded = last
    ? html`<div class="muted small">last recorded gate: ${last.status} at ${timeOf(last.evaluatedAt)} by ${last.evaluatedBy}</div>`
    : "";
  return html`<strong>${c.stage}</strong>${since}${recorded}`;
}
