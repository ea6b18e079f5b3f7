import type { MismatchDetail } from "../../contracts/index.js";
import { causeLabel, KIND_LABEL } from "../../report/display-labels.js";
import { decision, reasonsList, severityBadge } from "../../report/html-parts.js";
import { html, type SafeHtml } from "../../report/html-template.js";
import { codeOrNone, timeOf } from "../../report/html-values.js";
import { layout } from "./layout.js";

/** GET /mismatches/:pairId: one pair, both decisions side by side, ids only as pseudonyms. */
export function renderMismatch(m: MismatchDetail, subject: string): string {
  return layout({
    title: `Pair ${m.pairId}`,
    subject,
    body: html`<h1>Pair <code>${m.pairId}</code></h1>
<p class="lead"><code>${m.action}</code> on <code>${m.resourceType}</code> in cohort <strong>${m.cohort}</strong> at ${timeOf(m.eventTime)}${pairing(m)}</p>
<div class="sides">
<section class="side legacy" aria-label="Legacy decision"><h2>Legacy CIAM (role rules)</h2>
${decision(m.legacy.allow)}
<p>rule ${codeOrNone(m.legacy.ruleId)}</p></section>
<section class="side new" aria-label="New decision"><h2>New CIAM (OPA policy)</h2>
${decision(
  m.new.allow,
  m.findings.some((f) => f.kind === "policy_error"),
)}
<p>policy reasons${m.new.reasons.length === 0 ? html` <span class="muted">none</span>` : reasonsList(m.new.reasons)}</p></section>
</div>
<h2>Findings</h2>
${findingsTable(m)}
<dl class="provenance">
<div><dt>Correlation id</dt><dd><code>${m.correlationId}</code></dd></div>
<div><dt>Legacy subject (pseudonym)</dt><dd>${codeOrNone(m.subjects.legacyPseudonym)}</dd></div>
<div><dt>New subject (pseudonym)</dt><dd>${codeOrNone(m.subjects.newPseudonym)}</dd></div>
<div><dt>Resource (pseudonym)</dt><dd>${codeOrNone(m.resourcePseudonym)}</dd></div>
<div><dt>Event time</dt><dd>${timeOf(m.eventTime)}</dd></div>
<div><dt>Policy bundle sha256</dt><dd><code>${m.policyBundleSha256}</code></dd></div>
<div><dt>Legacy rules sha256</dt><dd><code>${m.legacyRulesSha256}</code></dd></div>
</dl>`,
  });
}

function pairing(m: MismatchDetail): SafeHtml | string {
  if (m.paired) return "";
  return html`; <strong>unpaired</strong>: only the ${m.onlySide ?? "unknown"} side was seen`;
}

function findingsTable(m: MismatchDetail): SafeHtml {
  if (m.findings.length === 0)
    return html`<p class="empty">No findings: both systems agreed on this pair.</p>`;
  return html`<div class="scroll"><table class="findings">
<thead><tr><th>Severity</th><th>Kind</th><th>Side</th><th>Cause</th><th>Detail</th></tr></thead>
<tbody>${m.findings.map(
    (f) =>
      html`<tr><td>${severityBadge(f.severity)}</td><td>${KIND_LABEL[f.kind]}</td><td>${f.side ?? html`<span class="muted">both</span>`}</td><td>${causeLabel(f.cause)}</td><td>${f.detail}</td></tr>`,
  )}</tbody>
</table></div>`;
}
