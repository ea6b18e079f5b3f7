import { REPORT_STYLE } from "../../report/html-parts.js";
import { html, SafeHtml } from "../../report/html-template.js";
import { PAGE_STYLE } from "../../report/page-style.js";

export type Section = "overview" | "drift" | "latent" | "waivers";

const NAV: ReadonlyArray<readonly [Section, string, string]> = [
  ["overview", "/", "Overview"],
  ["drift", "/drift", "Drift"],
  ["latent", "/latent", "Latent"],
  ["waivers", "/waivers", "Waivers"],
];

export interface PageFrame {
  title: string;
  /** The nav entry to mark as current; none for pages outside the nav (a mismatch, an error). */
  section?: Section;
  /** Who is signed in; without one (the login page) there is no nav to show. */
  subject?: string;
  body: SafeHtml;
}

/**
 * An empty inline icon: without one, browsers fetch /favicon.ico, which is not ours to answer
 * (the app's JSON 404), and log the failure on every page.
 */
export const NO_ICON = new SafeHtml('<link rel="icon" href="data:,">');

/** One full document around a page's body: the site bar, the report's look, nothing external. */
export function layout(frame: PageFrame): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${frame.title} · entitlement-diff</title>
${NO_ICON}
<style>${new SafeHtml(REPORT_STYLE + PAGE_STYLE)}</style>
</head>
<body>
${siteBar(frame)}
<main>
${frame.body}
</main>
<footer>entitlement-diff · legacy CIAM vs new CIAM parity review</footer>
</body>
</html>
`.value;
}

function siteBar(frame: PageFrame): SafeHtml {
  if (frame.subject === undefined)
    return html`<div class="site"><div class="bar"><span class="brand">entitlement-diff</span></div></div>`;
  const links = NAV.map(
    ([section, href, label]) =>
      html`<li><a href="${href}"${section === frame.section ? new SafeHtml(' aria-current="page"') : ""}>${label}</a></li>`,
  );
  // Logout is a POST so no other page can log anyone out with a link; a form needs no script.
  return html`<div class="site"><div class="bar">
<a class="brand" href="/">entitlement-diff</a>
<nav aria-label="Main"><ul>${links}<li><form method="post" action="/logout"><button type="submit" class="link">Logout</button></form></li></ul></nav>
<div class="who">signed in as <strong>${frame.subject}</strong></div>
</div></div>`;
}
