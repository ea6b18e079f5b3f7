import { formatPercent } from "../gates/format-numbers.js";
import { html, type SafeHtml } from "./html-template.js";

export interface RatePoint {
  /** Start of the step the rate was measured over. */
  at: Date;
  rate: number;
}

export interface SparklineInput {
  /** In time order; steps without pairs are left out (no rate), so the line skips them. */
  points: readonly RatePoint[];
  since: Date;
  until: Date;
  /** The gate's maximum, drawn as a dashed line so a reader sees the points against it. */
  limit: number;
  /** What the line is of, for the accessible title, e.g. "mismatch rate of nurses before waivers". */
  subject: string;
}

const WIDTH = 160;
const HEIGHT = 36;
const PAD = 3;

/**
 * A rate over a time window as inline SVG: the pages run no script, so a chart is markup. The x
 * axis is time over the whole window, so a lone point sits where it was measured.
 */
export function sparkline(input: SparklineInput): SafeHtml {
  const { points, limit } = input;
  const top = Math.max(limit * 1.25, ...points.map((p) => p.rate * 1.1), Number.MIN_VALUE);
  const span = Math.max(1, input.until.getTime() - input.since.getTime());
  const x = (at: Date) =>
    PAD + Math.min(1, Math.max(0, (at.getTime() - input.since.getTime()) / span)) * (WIDTH - 2 * PAD);
  const y = (rate: number) => HEIGHT - PAD - (Math.min(rate, top) / top) * (HEIGHT - 2 * PAD);
  const xy = points.map((p) => `${x(p.at).toFixed(1)},${y(p.rate).toFixed(1)}`);
  const last = points.at(-1);
  return html`<svg class="spark" role="img" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">
<title>${sparklineTitle(input)}</title>
<line class="base" x1="${PAD}" y1="${y(0).toFixed(1)}" x2="${WIDTH - PAD}" y2="${y(0).toFixed(1)}"/>
<line class="limit" x1="${PAD}" y1="${y(limit).toFixed(1)}" x2="${WIDTH - PAD}" y2="${y(limit).toFixed(1)}"/>
${points.length > 1 ? html`<polyline class="line" points="${xy.join(" ")}"/>` : ""}
${last ? html`<circle class="dot" cx="${x(last.at).toFixed(1)}" cy="${y(last.rate).toFixed(1)}" r="2.5"/>` : ""}
</svg>`;
}

/** The chart in words, for screen readers and hover: what a sighted reader takes from the line. */
export function sparklineTitle({ points, limit, subject }: SparklineInput): string {
  const max = `max ${formatPercent(limit)}`;
  const last = points.at(-1);
  if (!last) return `${capitalized(subject)}: no pairs in the gate window yet (${max})`;
  const rates = points.map((p) => p.rate);
  const range = `ranging ${formatPercent(Math.min(...rates))} to ${formatPercent(Math.max(...rates))}`;
  const steps = points.length === 1 ? "1 step" : `${points.length} steps`;
  return `${capitalized(subject)} over ${steps}, ${range}, latest ${formatPercent(last.rate)} (${max})`;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Steps with pairs only: a step of unpaired traffic alone has no mismatch rate, not a zero one. */
export function trendRates(
  trend: ReadonlyArray<{ at: Date | string; pairs: number; mismatchedPairs: number }>,
): RatePoint[] {
  return trend
    .filter((p) => p.pairs > 0)
    .map((p) => ({ at: new Date(p.at), rate: p.mismatchedPairs / p.pairs }));
}
