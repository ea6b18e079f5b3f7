/** Number formatting shared by gate reasons and the report renderers, so both read the same. */

const COUNT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const MAX_DECIMALS = 6;

/** 2850 → "2,850". */
export function formatCount(n: number): string {
  return COUNT.format(n);
}

/**
 * 0.0042 → "0.42%". Two decimals, but small non-zero rates keep two significant digits
 * (0.000026 → "0.0026%") so that a real difference never prints as "0.00%".
 */
export function formatPercent(rate: number, minDecimals = 2): string {
  const percent = rate * 100;
  let decimals = minDecimals;
  if (percent > 0 && percent < 0.1) decimals = Math.max(decimals, 1 - Math.floor(Math.log10(percent)));
  return `${percent.toFixed(Math.min(decimals, MAX_DECIMALS))}%`;
}

/**
 * Formats two rates that are compared in one sentence with enough decimals to tell them apart,
 * so a reason never reads "upper bound 0.50% > max 0.50%".
 */
export function formatPercentPair(a: number, b: number): [string, string] {
  for (let decimals = 2; decimals < MAX_DECIMALS; decimals++) {
    const pair: [string, string] = [formatPercent(a, decimals), formatPercent(b, decimals)];
    if (a === b || pair[0] !== pair[1]) return pair;
  }
  return [formatPercent(a, MAX_DECIMALS), formatPercent(b, MAX_DECIMALS)];
}

/** 0.95 → "95%", 0.975 → "97.5%". */
export function formatConfidence(confidence: number): string {
  return `${Number((confidence * 100).toPrecision(12))}%`;
}

/** 1 → "1 pair", 2850 → "2,850 pairs". */
export function countOf(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? "" : "s"}`;
}
