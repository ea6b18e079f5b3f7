/** A topic and partition, as Kafka names a unit of ordering and of offset commits. */
export interface TopicPartition {
  topic: string;
  partition: number;
}

export const tpKey = (tp: TopicPartition): string => `${tp.topic}#${tp.partition}`;

/**
 * Which offset of each partition may be committed: the lowest offset whose outcome is not yet
 * durably stored. An event waiting for its partner holds its partition's commit back, so a crash
 * re-reads it instead of losing it (at-least-once). Offsets arrive in order per partition and are
 * resolved in any order; the queue makes both O(1) amortised.
 */
export class OffsetTracker {
  private readonly partitions = new Map<string, PartitionOffsets>();

  /** Registers a message as received (call in partition order); false for an offset already tracked. */
  track(tp: TopicPartition, offset: number): boolean {
    return this.partition(tp).track(offset);
  }

  /**
   * The partition was read up to `lastOffset`, records the client filters out included
   * (transaction markers, aborted transactions' records): nothing of them waits, so once every
   * tracked message before is done the commit may move past them. Only from where tracking
   * stands (`firstOffset` at most one past the highest tracked offset): a read that skipped
   * messages without tracking them (a batch dropped while stopping) must never let the commit
   * jump over them. False when refused.
   */
  advance(tp: TopicPartition, firstOffset: number, lastOffset: number): boolean {
    return this.partitions.get(tpKey(tp))?.advance(firstOffset, lastOffset) ?? false;
  }

  /** Marks a message as done: its outcome is stored, or it needed none (duplicate, DLQ'd). */
  resolve(tp: TopicPartition, offset: number): void {
    this.partitions.get(tpKey(tp))?.resolve(offset);
  }

  /** Offsets to commit (the next offset to read), for partitions that moved since the last call. */
  takeCommittable(): (TopicPartition & { offset: number })[] {
    const out: (TopicPartition & { offset: number })[] = [];
    for (const p of this.partitions.values()) {
      const next = p.committable();
      if (next !== undefined && next > p.committed) {
        p.committed = next;
        out.push({ topic: p.tp.topic, partition: p.tp.partition, offset: next });
      }
    }
    return out;
  }

  /** A commit of these offsets failed: offer them again next time. */
  commitFailed(offsets: readonly (TopicPartition & { offset: number })[]): void {
    for (const o of offsets) {
      const p = this.partitions.get(tpKey(o));
      if (p && p.committed === o.offset) p.committed = -1;
    }
  }

  /** Forgets partitions this consumer no longer owns (after a rebalance): their new owner re-reads them. */
  forget(keep: (tp: TopicPartition) => boolean): void {
    for (const [key, p] of this.partitions) if (!keep(p.tp)) this.partitions.delete(key);
  }

  unresolvedCount(): number {
    let n = 0;
    for (const p of this.partitions.values()) n += p.unresolved;
    return n;
  }

  private partition(tp: TopicPartition): PartitionOffsets {
    const key = tpKey(tp);
    let p = this.partitions.get(key);
    if (!p) {
      p = new PartitionOffsets({ topic: tp.topic, partition: tp.partition });
      this.partitions.set(key, p);
    }
    return p;
  }
}

class PartitionOffsets {
  private readonly queue: number[] = [];
  private readonly done = new Set<number>();
  private head = 0;
  private highest = -1;
  committed = -1;
  unresolved = 0;

  constructor(readonly tp: TopicPartition) {}

  track(offset: number): boolean {
    if (offset <= this.highest) return false; // a redelivered batch after a seek: already tracked
    this.highest = offset;
    this.queue.push(offset);
    this.unresolved++;
    return true;
  }

  advance(firstOffset: number, lastOffset: number): boolean {
    // Nothing tracked yet: where the partition's reading started is not known here.
    if (this.highest < 0 || firstOffset > this.highest + 1) return false;
    if (lastOffset > this.highest) this.highest = lastOffset;
    return true;
  }

  resolve(offset: number): void {
    // Only offsets still waiting count: not beyond what was tracked, not already done, not below the head.
    if (offset > this.highest || this.done.has(offset)) return;
    const first = this.queue[this.head];
    if (first === undefined || offset < first) return;
    this.done.add(offset);
    this.unresolved--;
    for (
      let next = this.queue[this.head];
      next !== undefined && this.done.has(next);
      next = this.queue[this.head]
    ) {
      this.done.delete(next);
      this.head++;
    }
    if (this.head > 4_096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  /** The next offset to read once everything before it is done. */
  committable(): number | undefined {
    if (this.highest < 0) return undefined;
    return this.head < this.queue.length ? this.queue[this.head] : this.highest + 1;
  }
}
