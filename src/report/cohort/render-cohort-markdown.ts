import type { CohortStoreReport } from "../../contracts/index.js";
import { formatCount } from "../../gates/format-numbers.js";
import { causeLabel, KIND_LABEL } from "../display-labels.js";
import { escapeMarkdown as md } from "../escape-markdown.js";
import { renderGateMarkdown } from "../gate/render-gate-markdown.js";
import { latentMarkdown } from "../latent-table.js";

/** The cohort report as Markdown: its stage, the gate summary, then drift groups and waivers. */
export function renderCohortMarkdown(r: CohortStoreReport): string {
  const out = [
    `## Cohort \`${md(r.cohort)}\`: ${r.stage}${r.stageSince ? ` since ${r.stageSince}` : ""}`,
    "",
    renderGateMarkdown(r.gate),
    "### Drift groups",
    "",
  ];
  if (r.drift.length === 0) out.push("No mismatches in the window.");
  else {
    out.push(
      "| kind | severity | action | resource | legacy rule | policy reasons | cause | pairs | first seen | last seen |",
      "| --- | --- | --- | --- | --- | --- | --- | ---: | --- | --- |",
      ...r.drift.map(
        (g) =>
          `| ${KIND_LABEL[g.kind]} | ${g.severity} | ${md(g.action)} | ${md(g.resourceType)} | ${md(g.legacyRuleId ?? "(none)")} | ${g.policyReasons.map(md).join("; ")} | ${causeLabel(g.cause)} | ${formatCount(g.pairs)} | ${g.firstSeen} | ${g.lastSeen} |`,
      ),
    );
    if (r.driftTruncated) out.push("", `Only the first ${formatCount(r.drift.length)} groups are listed.`);
  }
  if (r.latent) {
    out.push("", "### Latent entitlement drift", "");
    out.push(...latentMarkdown(r.latent.entitlements, r.latent.principalsEvaluated));
  }
  out.push("", "### Waivers", "");
  if (r.waivers.length === 0) out.push("No waivers.");
  else
    out.push(
      "| id | owner | ticket | reason | expires | over-permission |",
      "| --- | --- | --- | --- | --- | --- |",
      ...r.waivers.map(
        (w) =>
          `| ${md(w.id)} | ${md(w.owner)} | ${md(w.ticket)} | ${md(w.reason)} | ${w.expiresAt}${Date.parse(w.expiresAt) <= Date.parse(r.generatedAt) ? " (expired)" : ""} | ${w.allowOverPermission ? "waivable" : "never"} |`,
      ),
    );
  out.push("");
  return out.join("\n");
}
