import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type NumberedLine, readNdjsonBatches } from "./ndjson-lines.js";

async function collect(content: string | Buffer, max?: number): Promise<NumberedLine[]> {
  const file = join(mkdtempSync(join(tmpdir(), "ndjson-")), "in.ndjson");
  writeFileSync(file, content);
  const out: NumberedLine[] = [];
  for await (const batch of readNdjsonBatches(file, max)) out.push(...batch);
  return out;
}

const view = (l: NumberedLine) => ("text" in l ? [l.line, l.text] : [l.line, "TOO LONG"]);

describe("readNdjsonLines", () => {
  it("numbers lines like an editor, skipping blank lines and CRs", async () => {
    const lines = await collect('{"a":1}\r\n\n  \n{"b":2}\n{"c":3}');
    expect(lines.map(view)).toEqual([
      [1, '{"a":1}'],
      [4, '{"b":2}'],
      [5, '{"c":3}'],
    ]);
  });

  it("keeps multi-byte characters split across read chunks intact", async () => {
    const long = `{"x":"${"é".repeat(700_000)}"}`; // > 1 MiB of bytes: spans chunks
    const lines = await collect(`${long}\n{"y":"ü"}\n`, 4 << 20);
    expect(lines.map((l) => ("text" in l ? l.text.length : -1))).toEqual([long.length, 9]);
  });

  it("reports an over-long line without buffering it and goes on with the next", async () => {
    const lines = await collect(`${"x".repeat(5_000)}\n{"ok":true}\n${"y".repeat(3_000)}`, 1_000);
    expect(lines.map(view)).toEqual([
      [1, "TOO LONG"],
      [2, '{"ok":true}'],
      [3, "TOO LONG"],
    ]);
  });
});
