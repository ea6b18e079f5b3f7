import type { Waiver } from "../../contracts/index.js";
import { html } from "../../report/html-template.js";
import { waiversTable } from "../../report/waivers-table.js";
import { layout } from "./layout.js";

/** GET /waivers: every accepted difference, who accepted it and until when. */
export function renderWaivers(waivers: readonly Waiver[], now: Date, subject: string): string {
  const body =
    waivers.length === 0
      ? html`<p class="empty">No waivers: every difference counts against its cohort's gate.</p>`
      : waiversTable(waivers, now);
  return layout({
    title: "Waivers",
    section: "waivers",
    subject,
    body: html`<h1>Waivers</h1>
<p class="lead">Accepted differences, oldest first. A waiver is never changed: it stops applying when it expires, and its findings count against the gate again.</p>
${body}`,
  });
}
