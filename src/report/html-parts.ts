import type { GateStatus, Severity } from "../contracts/index.js";
import { formatConfidence, formatPercent } from "../gates/format-numbers.js";
import { decisionLabel, STATUS_LABEL } from "./display-labels.js";
import { html, SafeHtml } from "./html-template.js";

/**
 * Pieces of HTML shared by the HTML report and the service's pages, so a badge or a rate reads
 * the same in an attached report and on screen.
 */

/** What a mismatch rate cell shows: the observed rate, its bound and the gate's maximum. */
export interface RateView {
  mismatchRate: number;
  mismatchRateUpperBound: number;
  maxMismatchRate: number;
  confidence: number;
}

export function statusBadge(status: GateStatus): SafeHtml {
  return html`<span class="badge ${status}">${STATUS_LABEL[status]}</span>`;
}

export function severityBadge(severity: Severity): SafeHtml {
  return html`<span class="sev ${severity}">${severity}</span>`;
}

/** `undecided`: the side was asked and could not decide (a policy_error), rather than not asked. */
export function decision(allow: boolean | null, undecided = false): SafeHtml {
  const tone = allow === null ? "none" : allow ? "allow" : "deny";
  return html`<span class="decision ${tone}">${decisionLabel(allow, undecided)}</span>`;
}

export function reasonsList(reasons: readonly string[]): SafeHtml | string {
  if (reasons.length === 0) return "";
  return html`<ul class="plain">${reasons.map((x) => html`<li>${x}</li>`)}</ul>`;
}

/** A gate's reasons: the one that decided a status other than pass stands out above the rest. */
export function gateReasons(status: GateStatus, all: readonly string[]): SafeHtml {
  const [decisive, ...rest] = all;
  // The first reason decided the status; for a pass every reason is merely a check that held.
  const reasons = status === "pass" ? all : rest;
  return html`${status !== "pass" && decisive !== undefined ? html`<p class="decisive">${decisive}</p>` : ""}<ul>${reasons.map((x) => html`<li>${x}</li>`)}</ul>`;
}

/** The observed rate, its upper bound, and a bar drawing the bound against the maximum. */
export function rateCell(c: RateView): SafeHtml {
  const bound = formatPercent(c.mismatchRateUpperBound);
  const max = formatPercent(c.maxMismatchRate);
  return html`<div class="rate"><strong>${formatPercent(c.mismatchRate)}</strong> <span class="muted">${formatConfidence(c.confidence)} upper bound ${bound}</span></div>
${rateMeter(c)}
<div class="muted small">max ${max}</div>`;
}

/** Point estimate as a grey bar, the interval up to the bound green or red, the maximum as a tick. */
function rateMeter(c: RateView): SafeHtml {
  // Scale so the maximum sits at mid-bar unless the bound reaches beyond twice the maximum.
  const scale = Math.max(c.mismatchRateUpperBound, c.maxMismatchRate * 2, Number.MIN_VALUE);
  const at = (rate: number) => Math.min(100, (rate / scale) * 100);
  const point = at(c.mismatchRate);
  const interval = at(c.mismatchRateUpperBound) - point;
  const tone = c.mismatchRateUpperBound <= c.maxMismatchRate ? "ok" : "over";
  const label = `upper bound ${formatPercent(c.mismatchRateUpperBound)}, max ${formatPercent(c.maxMismatchRate)}`;
  return html`<div class="meter" title="${label}" aria-hidden="true"><span class="point" style="width:${point.toFixed(1)}%"></span><span class="bound ${tone}" style="left:${point.toFixed(1)}%;width:${interval.toFixed(1)}%"></span><span class="limit" style="left:${at(c.maxMismatchRate).toFixed(1)}%"></span></div>`;
}

/**
 * The look of the report and the service's pages. Our own constant, so it goes in verbatim (CSS
 * inside <style> is raw text, entities would break it).
 */
export const REPORT_STYLE = `
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

/**
 * The <head> of a self-contained report file: inline CSS only, and a CSP that forbids scripts and
 * remote loads should anything slip through the escaping.
 */
export function reportHead(title: string, style: string): SafeHtml {
  return html`<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${new SafeHtml(style)}</style>
</head>`;
}
