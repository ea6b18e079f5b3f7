import type { Waiver, WaiverScope } from "../../contracts/index.js";
import { KIND_LABEL } from "../../report/display-labels.js";
import { html, type SafeHtml } from "../../report/html-template.js";
import { layout } from "./layout.js";
import { timeOf } from "./page-parts.js";

/** GET /waivers: every accepted difference, who accepted it and until when. */
export function renderWaivers(waivers: readonly Waiver[], now: Date, subject: string): string {
  const body =
    waivers.length === 0
      ? html`<p class="empty">No waivers: every difference counts against its cohort's gate.</p>`
      : html`<div class="scroll"><table class="waivers">
<thead><tr><th>Owner</th><th>Reason</th><th>Ticket</th><th>Scope</th><th>Over-permission</th><th>Expires</th><th>Created</th></tr></thead>
<tbody>${waivers.map((w) => waiverRow(w, now))}</tbody>
</table></div>`;
  return layout({
    title: "Waivers",
    section: "waivers",
    subject,
    body: html`<h1>Waivers</h1>
<p class="lead">Accepted differences, oldest first. A waiver is never changed: it stops applying when it expires, and its findings count against the gate again.</p>
${body}`,
  });
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
