import type { SourceItem } from "./file-events.js";

/**
 * Interleaves several sources (e.g. one file per gateway mirror) by event time, so a legacy file
 * and a new file of the same hour pair as if they had been one stream. Each source is assumed to
 * be roughly in event-time order; rejected lines pass through at once.
 */
export async function* mergeByEventTime(sources: AsyncIterator<SourceItem>[]): AsyncGenerator<SourceItem> {
  if (sources.length === 1 && sources[0]) {
    const only = sources[0];
    for (let r = await only.next(); !r.done; r = await only.next()) yield r.value;
    return;
  }
  const rejectedBuffer: SourceItem[] = [];
  const heads: (SourceItem | undefined)[] = [];
  for (const s of sources) heads.push(await nextEvent(s, rejectedBuffer));
  for (;;) {
    yield* rejectedBuffer.splice(0);
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h?.type !== "event") continue;
      const b = heads[best];
      if (best === -1 || (b?.type === "event" && h.observedAtMs < b.observedAtMs)) best = i;
    }
    const source = sources[best];
    const item = heads[best];
    if (best === -1 || !source || !item) {
      yield* rejectedBuffer.splice(0);
      return;
    }
    yield item;
    heads[best] = await nextEvent(source, rejectedBuffer);
  }
}

/** The next event of a source; rejections met on the way are set aside for the caller. */
async function nextEvent(source: AsyncIterator<SourceItem>, rejected: SourceItem[]): Promise<SourceItem | undefined> {
  for (;;) {
    const r = await source.next();
    if (r.done) return undefined;
    if (r.value.type === "event") return r.value;
    rejected.push(r.value);
  }
}
