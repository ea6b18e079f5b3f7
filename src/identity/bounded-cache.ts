/**
 * A size-bounded map that forgets its oldest entries first. Tokens arrive roughly in event-time
 * order, so insertion order is a good stand-in for recency, and a hit costs one Map lookup.
 */
export class BoundedCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new RangeError("maxEntries must be a positive integer");
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: V): void {
    if (!this.entries.has(key) && this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
  }

  /** Removes every entry the predicate selects; used to drop tokens whose lifetime has passed. */
  deleteWhere(predicate: (value: V) => boolean): number {
    let removed = 0;
    for (const [key, value] of this.entries) {
      if (predicate(value)) {
        this.entries.delete(key);
        removed++;
      }
    }
    return removed;
  }
}
