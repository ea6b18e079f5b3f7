import { toJsonEachRow } from "./driver.js";
import type { OutcomeRows } from "./outcome-rows.js";

/**
 * OutcomeRows as JSONEachRow text, one string per table ("" when it has no row). Encoded where
 * the outcome is made (a differ worker thread), so the thread that feeds the store only joins
 * strings: no row objects to build, copy between threads, or stringify there.
 */
export interface EncodedRows {
  outcome: string;
  findings: string;
  latent: string;
  replay: string;
  uses: string;
  facts: string;
}

export type EncodedTable = keyof EncodedRows;

/** The tables of an outcome's details: written before its outcome row (store/write-rows.ts). */
export const DETAIL_TABLES: readonly Exclude<EncodedTable, "outcome">[] = [
  "latent",
  "replay",
  "facts",
  "uses",
  "findings",
];

export function encodeRows(rows: OutcomeRows): EncodedRows {
  return {
    outcome: rows.outcome ? `${JSON.stringify(rows.outcome)}\n` : "",
    findings: toJsonEachRow(rows.findings),
    latent: toJsonEachRow(rows.latent),
    replay: toJsonEachRow(rows.replay),
    uses: toJsonEachRow(rows.uses),
    facts: toJsonEachRow(rows.facts),
  };
}

/** The rows of one table again, as objects (tests, and readers of a batch). */
export function decodeRows<T>(text: string): T[] {
  return text
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as T);
}
