import { createReadStream } from "node:fs";

export type NumberedLine =
  | { line: number; text: string; bytesRead: number }
  /** The line was longer than the limit; its content was skipped, not buffered. */
  | { line: number; tooLong: true; bytesRead: number };

export const DEFAULT_MAX_LINE_BYTES = 1 << 20;
const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Streams a file line by line in bounded memory, one batch of lines per read chunk (batches keep the
 * per-line cost of async iteration out of the hot path): a line longer than `maxLineBytes` is reported and
 * skipped instead of buffered, so a corrupt file without newlines cannot exhaust memory. Blank lines
 * are skipped but counted, so line numbers match an editor; a trailing CR (CRLF files) is dropped.
 */
export async function* readNdjsonBatches(
  path: string,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
): AsyncGenerator<NumberedLine[]> {
  let line = 0;
  let bytesRead = 0;
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let overlong = false;
  const emit = (buf: Buffer): NumberedLine | undefined => {
    line++;
    if (overlong) return { line, tooLong: true, bytesRead };
    const end = buf.length > 0 && buf[buf.length - 1] === CR ? buf.length - 1 : buf.length;
    const text = buf.toString("utf8", 0, end);
    return text.trim() === "" ? undefined : { line, text, bytesRead };
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    bytesRead += chunk.length;
    const batch: NumberedLine[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, nl);
      const whole = carryBytes > 0 ? Buffer.concat([...carry, piece]) : piece;
      if (carryBytes + piece.length > maxLineBytes) overlong = true;
      const out = emit(whole);
      if (out) batch.push(out);
      carry = [];
      carryBytes = 0;
      overlong = false;
      start = nl + 1;
    }
    if (batch.length > 0) yield batch;
    const rest = chunk.subarray(start);
    if (rest.length === 0) continue;
    if (overlong || carryBytes + rest.length > maxLineBytes) {
      overlong = true;
      carry = [];
      carryBytes = 0;
    } else {
      carry.push(Buffer.from(rest));
      carryBytes += rest.length;
    }
  }
  if (carryBytes > 0 || overlong) {
    const out = emit(Buffer.concat(carry));
    if (out) yield [out];
  }
}
