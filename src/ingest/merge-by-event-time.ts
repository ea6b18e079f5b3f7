import type { SourceItem } from "./file-events.js";

/**
 * Interleaves several sources (e.g. one file per gateway mirror) by event time, so a legacy file
 * and a new file of the same hour pair as if they had been one stream. Each source is assumed to
 * be roughly in event-time order; rejected lines pass through at once. Sources and output are
 * batches, so async iteration costs per chunk, not per event.
 */
export async function* mergeByEventTime(
  sources: AsyncIterator<SourceItem[]>[],
): AsyncGenerator<SourceItem[]> {
  if (sources.length === 1 && sources[0]) {
    const only = sources[0];
    for (let r = await only.next(); !r.done; r = await only.next()) yield r.value;
    return;
  }
  const cursors = sources.map((source) => new Cursor(source));
  for (;;) {
    const out: SourceItem[] = [];
    for (const c of cursors) out.push(...(await c.fill()));
    let best: Cursor | undefined;
    for (const c of cursors) {
      const t = c.headTime();
      if (t !== undefined && (best === undefined || t < (best.headTime() ?? Number.POSITIVE_INFINITY)))
        best = c;
    }
    if (!best) {
      if (out.length > 0) yield out;
      return;
    }
    // Take from the earliest source up to the next source's head time, in one batch.
    const limit = Math.min(
      ...cursors.filter((c) => c !== best).map((c) => c.headTime() ?? Number.POSITIVE_INFINITY),
    );
    out.push(...best.takeUntil(limit));
    yield out;
  }
}

/** A read position in one source: the events of its current batch not yet merged. */
class Cursor {
  private batch: SourceItem[] = [];
  private index = 0;
  private done = false;

  constructor(private readonly source: AsyncIterator<SourceItem[]>) {}

  /** Reads until an event is at the head (or the source ends); returns the rejections met on the way. */
  async fill(): Promise<SourceItem[]> {
    const rejected: SourceItem[] = [];
    for (;;) {
      while (this.index < this.batch.length) {
        const item = this.batch[this.index];
        if (item && item.type !== "rejected") return rejected;
        if (item) rejected.push(item);
        this.index++;
      }
      if (this.done) return rejected;
      const r = await this.source.next();
      if (r.done) this.done = true;
      else {
        this.batch = r.value;
        this.index = 0;
      }
    }
  }

  headTime(): number | undefined {
    const item = this.batch[this.index];
    return item && item.type !== "rejected" ? item.observedAtMs : undefined;
  }

  /** Events (and rejections between them) of the current batch with event time <= limit; at least one. */
  takeUntil(limit: number): SourceItem[] {
    const out: SourceItem[] = [];
    for (; this.index < this.batch.length; this.index++) {
      const item = this.batch[this.index];
      if (!item) break;
      if (item.type !== "rejected" && out.length > 0 && item.observedAtMs > limit) break;
      out.push(item);
    }
    return out;
  }
}
