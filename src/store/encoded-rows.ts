import { toJsonEachRow } from "./driver.js";
import type { OutcomeRows } from "./outcome-rows.js";

/**
 * OutcomeRows as JSONEachRow text, one per table (empty when it has no row). Encoded where the
 * outcome is made (a differ worker thread), so the thread that feeds the store only joins them:
 * no row objects to build, copy between threads, or stringify there. From a worker the text
 * arrives as UTF-8 bytes in a transferred buffer (packEncodedRows), outside the JavaScript heap.
 */
export interface EncodedRows {
  outcome: EncodedText;
  findings: EncodedText;
  latent: EncodedText;
  replay: EncodedText;
  uses: EncodedText;
  facts: EncodedText;
  setAside: EncodedText;
}

/** JSONEachRow lines, as a string or as their UTF-8 bytes. */
export type EncodedText = string | Uint8Array;

export type EncodedTable = keyof EncodedRows;

/**
 * The tables of an outcome's details, in the stages they are written in before its outcome row
 * (store/write-rows.ts); the tables of one stage side by side. Session facts come before the
 * requests that name their sessions: the session sweep judges requests by their sessions' facts,
 * and a request visible before its session's facts would look one-sided.
 */
export const DETAIL_STAGES: readonly (readonly Exclude<EncodedTable, "outcome">[])[] = [
  ["latent", "replay", "facts", "findings", "setAside"],
  ["uses"],
];

/** The detail tables, in write order. */
export const DETAIL_TABLES: readonly Exclude<EncodedTable, "outcome">[] = DETAIL_STAGES.flat();

export function encodeRows(rows: OutcomeRows): EncodedRows {
  return {
    outcome: rows.outcome ? `${JSON.stringify(rows.outcome)}\n` : "",
    findings: toJsonEachRow(rows.findings),
    latent: toJsonEachRow(rows.latent),
    replay: toJsonEachRow(rows.replay),
    uses: toJsonEachRow(rows.uses),
    facts: toJsonEachRow(rows.facts),
    setAside: toJsonEachRow(rows.setAside),
  };
}

/** The rows of one table again, as objects (tests, and readers of a batch). */
export function decodeRows<T>(text: EncodedText): T[] {
  return textOf(text)
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as T);
}

export function textOf(text: EncodedText): string {
  return typeof text === "string"
    ? text
    : Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString("utf8");
}

/** The lines of many outcomes' rows of one table, as one insert body. */
export function joinEncoded(parts: readonly EncodedText[]): EncodedText {
  if (parts.every((p) => typeof p === "string")) return parts.join("");
  // Most outcomes have no row in most tables: their empty views are left out of the copy.
  const texts = parts.filter((p) => p.length > 0);
  return Buffer.concat(texts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : p)));
}

/**
 * Puts the text of many outcomes' rows into one buffer, each table's text a view on it: sent
 * with the buffer transferred, the rows cross to the main thread without a copy and stay off its
 * heap (they wait there for their batch, long enough to burden its garbage collector as strings).
 */
export function packEncodedRows(all: readonly EncodedRows[]): { packed: EncodedRows[]; buffer: ArrayBuffer } {
  const texts = all.map((rows) => TABLES.map((table) => textOf(rows[table])));
  let bytes = 0;
  for (const row of texts) for (const text of row) bytes += Buffer.byteLength(text, "utf8");
  // Its own ArrayBuffer (not the shared pool): only that can be transferred.
  const buffer = Buffer.allocUnsafeSlow(bytes);
  let at = 0;
  const packed = all.map((rows, i) => {
    const out = { ...rows };
    TABLES.forEach((table, k) => {
      const text = texts[i]?.[k] ?? "";
      if (text.length === 0) return;
      const written = buffer.write(text, at, "utf8");
      out[table] = new Uint8Array(buffer.buffer, buffer.byteOffset + at, written);
      at += written;
    });
    return out;
  });
  return { packed, buffer: buffer.buffer as ArrayBuffer };
}

const TABLES: readonly EncodedTable[] = [...DETAIL_TABLES, "outcome"];
