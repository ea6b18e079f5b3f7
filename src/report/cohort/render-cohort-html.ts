import type { CohortStoreReport } from "../../contracts/index.js";
import { formatCount, formatPercent } from "../../gates/format-numbers.js";
import { driftGroupsTable } from "../drift-groups-table.js";
import { CHECK_LABEL, OUTCOME_MARK } from "../gate/check-labels.js";
import { gateReasons, REPORT_STYLE, rateCell, reportHead, statusBadge } from "../html-parts.js";
import { html, type SafeHtml } from "../html-template.js";
import { timeOf } from "../html-values.js";
import { latentTable } from "../latent-table.js";
import { PAGE_STYLE } from "../page-style.js";
import { sparkline, trendRates } from "../sparkline.js";
import { waiversTable } from "../waivers-table.js";

/**
 * One cohort's report from the store as a self-contained HTML file, with the pages' tables and
 * look: inline CSS, no script, nothing remote, every stored string escaped. Example pairs are
 * plain ids (a file has no server to link to).
 */
export function renderCohortHtml(r: CohortStoreReport): string {
  const { gate } = r;
  return html`<!doctype html>
<html lang="en">
${reportHead(`Cohort ${r.cohort} · entitlement-diff`, REPORT_STYLE + PAGE_STYLE)}
<body>
<main>
<h1>Cohort ${r.cohort}: ${statusBadge(gate.status)}</h1>
<p class="lead">Stage <strong>${r.stage}</strong>${r.stageSince ? html` since ${timeOf(r.stageSince)}` : ""}. Gate decided at ${timeOf(r.generatedAt)} over ${timeOf(gate.window.since)} to ${timeOf(gate.window.until)} (not recorded).</p>
${gateSection(r)}
<h2>Drift groups</h2>
${r.drift.length === 0 ? html`<p class="empty">No mismatches in the window.</p>` : driftGroupsTable(r.drift)}
${r.driftTruncated ? html`<p class="muted">Only the first ${formatCount(r.drift.length)} groups are listed.</p>` : ""}
${
  r.latent
    ? html`<h2>Latent entitlement drift</h2>
${latentTable(r.latent.entitlements, r.latent.principalsEvaluated)}`
    : ""
}
<h2>Waivers</h2>
${r.waivers.length === 0 ? html`<p class="empty">No waivers.</p>` : waiversTable(r.waivers, new Date(r.generatedAt))}
</main>
<footer>${r.schema} · policy bundle ${gate.deployed.policyBundleSha256.slice(0, 12)} · legacy rules ${gate.deployed.legacyRulesSha256.slice(0, 12)}</footer>
</body>
</html>
`.value;
}

function gateSection({ gate, trend, cohort }: CohortStoreReport): SafeHtml {
  const { statistics: s, thresholds: t } = gate;
  const chart = sparkline({
    points: trendRates(trend),
    since: new Date(gate.window.since),
    until: new Date(gate.window.until),
    limit: t.maxMismatchRate,
    subject: `mismatch rate of ${cohort} before waivers`,
  });
  return html`<div class="scroll"><table class="cohorts">
<thead><tr><th>Gate</th><th class="num">Pairs</th><th>Mismatch rate</th><th>Unpaired rate</th><th>Trend</th></tr></thead>
<tbody><tr class="${gate.status}">
<td class="reasons">${statusBadge(gate.status)}${gateReasons(gate.status, gate.reasons)}</td>
<td class="num">${formatCount(gate.evidence.pairs)}<div class="muted small">min ${formatCount(t.minPairs)}</div></td>
<td>${rateCell({ ...s, maxMismatchRate: t.maxMismatchRate, confidence: t.confidence })}</td>
<td><strong>${formatPercent(s.unpairedRate)}</strong><div class="muted small">max ${formatPercent(t.maxUnpairedRate)}</div></td>
<td>${chart}</td>
</tr></tbody>
</table></div>
<h2>Checks</h2>
<table class="checks"><tbody>${gate.checks.map(
    (c) =>
      html`<tr><th scope="row">${CHECK_LABEL[c.id]}</th><td>${OUTCOME_MARK[c.outcome]}</td><td>${c.message.split("\n").map((line) => html`${line}<br>`)}</td></tr>`,
  )}</tbody></table>`;
}
