import { describe, expect, it } from "vitest";
import type { SourceItem } from "./file-events.js";
import { mergeByEventTime } from "./merge-by-event-time.js";

const event = (file: string, line: number, t: number): SourceItem =>
  ({
    type: "event",
    observedAtMs: t,
    at: { file, line },
    fingerprint: `${file}${line}`,
    bytesRead: 0,
  }) as SourceItem;
const rejected = (file: string, line: number): SourceItem => ({
  type: "rejected",
  at: { file, line },
  reason: "bad",
  bytesRead: 0,
});

/** A source that yields its items in batches of two, so merging must work across batch ends. */
async function* from(items: SourceItem[]): AsyncGenerator<SourceItem[]> {
  for (let i = 0; i < items.length; i += 2) yield items.slice(i, i + 2);
}

async function merged(...sources: SourceItem[][]): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of mergeByEventTime(sources.map(from))) {
    for (const i of batch) out.push(`${i.type[0]}:${i.at.file}${i.at.line}`);
  }
  return out;
}

describe("mergeByEventTime", () => {
  it("interleaves sources by event time and passes rejected lines through", async () => {
    const legacy = [rejected("L", 1), event("L", 2, 10), event("L", 3, 30)];
    const next = [event("N", 1, 20), rejected("N", 2), event("N", 3, 40)];
    expect(await merged(legacy, next)).toEqual(["r:L1", "e:L2", "e:N1", "r:N2", "e:L3", "e:N3"]);
  });

  it("keeps every item of a single source in order", async () => {
    expect(await merged([event("A", 1, 5), rejected("A", 2), event("A", 3, 1)])).toEqual([
      "e:A1",
      "r:A2",
      "e:A3",
    ]);
  });

  it("merges long sources in event-time order across batch boundaries", async () => {
    const a = [1, 4, 5, 9, 10, 11].map((t, i) => event("A", i, t));
    const b = [2, 3, 6, 7, 8, 12].map((t, i) => event("B", i, t));
    const out: number[] = [];
    for await (const batch of mergeByEventTime([from(a), from(b)])) {
      for (const i of batch) if (i.type === "event") out.push(i.observedAtMs);
    }
    expect(out).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it("does not lose rejected lines at the end of a source", async () => {
    expect(await merged([event("A", 1, 5), rejected("A", 2)], [rejected("B", 1)])).toEqual([
      "r:B1",
      "e:A1",
      "r:A2",
    ]);
  });
});
