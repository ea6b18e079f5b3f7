import { describe, expect, it } from "vitest";
import type { SourceItem } from "./file-events.js";
import { mergeByEventTime } from "./merge-by-event-time.js";

const event = (file: string, line: number, t: number): SourceItem =>
  ({ type: "event", observedAtMs: t, at: { file, line }, fingerprint: `${file}${line}`, bytesRead: 0 }) as SourceItem;
const rejected = (file: string, line: number): SourceItem => ({ type: "rejected", at: { file, line }, reason: "bad", bytesRead: 0 });

async function* from(items: SourceItem[]): AsyncGenerator<SourceItem> {
  yield* items;
}

async function merged(...sources: SourceItem[][]): Promise<string[]> {
  const out: string[] = [];
  for await (const i of mergeByEventTime(sources.map(from))) out.push(`${i.type[0]}:${i.at.file}${i.at.line}`);
  return out;
}

describe("mergeByEventTime", () => {
  it("interleaves sources by event time and passes rejected lines through", async () => {
    const legacy = [rejected("L", 1), event("L", 2, 10), event("L", 3, 30)];
    const next = [event("N", 1, 20), rejected("N", 2), event("N", 3, 40)];
    expect(await merged(legacy, next)).toEqual(["r:L1", "e:L2", "e:N1", "r:N2", "e:L3", "e:N3"]);
  });

  it("keeps every item of a single source in order", async () => {
    expect(await merged([event("A", 1, 5), rejected("A", 2), event("A", 3, 1)])).toEqual(["e:A1", "r:A2", "e:A3"]);
  });

  it("does not lose rejected lines at the end of a source", async () => {
    expect(await merged([event("A", 1, 5), rejected("A", 2)], [rejected("B", 1)])).toEqual(["r:B1", "e:A1", "r:A2"]);
  });
});
