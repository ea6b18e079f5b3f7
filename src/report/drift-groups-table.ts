import type { DriftGroup } from "../contracts/index.js";
import { formatCount } from "../gates/format-numbers.js";
import { causeLabel, KIND_LABEL } from "./display-labels.js";
import { reasonsList, severityBadge } from "./html-parts.js";
import { html, type SafeHtml } from "./html-template.js";
import { codeOrNone, shortId, timeOf } from "./html-values.js";

/**
 * Drift groups as a table, shared by the drift page and the cohort report. `exampleHref` links the
 * example pairs (the pages); without it they are plain ids (a file has nowhere to link to).
 */
export function driftGroupsTable(
  groups: readonly DriftGroup[],
  exampleHref?: (pairId: string) => string,
): SafeHtml {
  return html`<div class="scroll"><table class="groups">
<thead><tr><th>Kind</th><th>Severity</th><th>Cohort</th><th>Action</th><th>Resource type</th><th>Legacy rule</th><th>New policy reasons</th><th>Cause</th><th class="num">Findings</th><th class="num">Pairs</th><th>First / last seen</th><th>Examples</th></tr></thead>
<tbody>${groups.map((g) => groupRow(g, exampleHref))}</tbody>
</table></div>`;
}

function groupRow(g: DriftGroup, exampleHref?: (pairId: string) => string): SafeHtml {
  return html`<tr>
<td class="nowrap">${KIND_LABEL[g.kind]}</td>
<td>${severityBadge(g.severity)}</td>
<td>${g.cohort}</td>
<td><code>${g.action}</code></td>
<td><code>${g.resourceType}</code></td>
<td>${codeOrNone(g.legacyRuleId)}</td>
<td>${g.policyReasons.length === 0 ? html`<span class="muted">none</span>` : reasonsList(g.policyReasons)}</td>
<td>${g.cause ? causeLabel(g.cause) : html`<span class="muted">n/a</span>`}</td>
<td class="num">${formatCount(g.findings)}</td>
<td class="num">${formatCount(g.pairs)}</td>
<td class="small seen"><span>first</span> ${timeOf(g.firstSeen)}<br><span>last</span> ${timeOf(g.lastSeen)}</td>
<td>${g.examplePairIds.map((id) => example(id, exampleHref))}</td>
</tr>`;
}

function example(id: string, href: ((pairId: string) => string) | undefined): SafeHtml {
  const code = html`<code class="id" title="pair ${id}">${shortId(id)}</code>`;
  return href ? html`<a class="example" href="${href(id)}" title="pair ${id}">${code}</a> ` : html`${code} `;
}
