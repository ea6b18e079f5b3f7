import type { Waiver, WaiverScope } from "../contracts/index.js";
import { KIND_LABEL } from "./display-labels.js";
import { html, type SafeHtml } from "./html-template.js";
import { timeOf } from "./html-values.js";

/** Waivers as a table, expired ones marked; shared by the waivers page and the cohort report. */
export function waiversTable(waivers: readonly Waiver[], now: Date): SafeHtml {
  return html`<div class="scroll"><table class="waivers">
<thead><tr><th>Owner</th><th>Reason</th><th>Ticket</th><th>Scope</th><th>Over-permission</th><th>Expires</th><th>Created</th></tr></thead>
<tbody>${waivers.map((w) => waiverRow(w, now))}</tbody>
</table></div>`;
}

function waiverRow(w: Waiver, now: Date): SafeHtml {
  const expired = Date.parse(w.expiresAt) <= now.getTime();
  return html`<tr${expired ? html` class="expired"` : ""}>
<td class="nowrap">${w.owner}</td>
<td>${w.reason}</td>
<td><code>${w.ticket}</code></td>
<td>${scopeList(w.scope)}</td>
<td>${w.allowOverPermission ? html`<span class="badge danger">waives over-permission</span>` : html`<span class="muted">not waived</span>`}</td>
<td class="nowrap">${timeOf(w.expiresAt)}${expired ? html` <span class="badge expired">expired</span>` : ""}</td>
<td>${w.createdBy}<div class="muted small nowrap">${timeOf(w.createdAt)}</div></td>
</tr>`;
}

/** Only the fields the waiver narrows to; an absent field matches any value. */
function scopeList(scope: WaiverScope): SafeHtml {
  const fields: Array<[string, string | undefined]> = [
    ["cohort", scope.cohort],
    ["kind", scope.kind && KIND_LABEL[scope.kind]],
    ["action", scope.action],
    ["resource type", scope.resourceType],
    ["legacy rule", scope.legacyRuleId],
    ["policy reason", scope.policyReason],
  ];
  return html`<dl class="scope">${fields
    .filter(([, value]) => value !== undefined)
    .map(([label, value]) => html`<dt>${label}</dt><dd><code>${value}</code></dd>`)}</dl>`;
}
