import type { Store } from "./open-store.js";
import { pairIdOf } from "./stored-outcome.js";

export interface PairProbe {
  correlationId: string;
  observedAtMs: number;
}

/**
 * Which of these requests already have a stored pair. After a crash or a rebalance one half of an
 * already stored pair can be re-read without its partner (their partitions were committed to
 * different offsets); it must not become a spurious `unpaired`. The time range lets ClickHouse
 * prune to the days and minutes around the events.
 */
export async function storedPairs(
  store: Store,
  probes: readonly PairProbe[],
  windowMs: number,
): Promise<Set<string>> {
  if (probes.length === 0) return new Set();
  const byPairId = new Map(
    probes.map((p) => [pairIdOf({ correlationId: p.correlationId, paired: true, onlySide: null }), p]),
  );
  let earliest = Number.POSITIVE_INFINITY;
  let latest = Number.NEGATIVE_INFINITY;
  for (const p of probes) {
    earliest = Math.min(earliest, p.observedAtMs);
    latest = Math.max(latest, p.observedAtMs);
  }
  const rows = await store.driver.query<{ pair_id: string }>(
    `SELECT DISTINCT pair_id FROM ${store.tables.outcomes}
WHERE event_time >= fromUnixTimestamp64Milli({since:Int64}, 'UTC')
  AND event_time <= fromUnixTimestamp64Milli({until:Int64}, 'UTC')
  AND paired AND pair_id IN {ids:Array(String)}`,
    {
      since: earliest - 2 * windowMs,
      until: latest + 2 * windowMs,
      ids: [...byPairId.keys()],
    },
  );
  const found = new Set<string>();
  for (const row of rows) {
    const probe = byPairId.get(row.pair_id);
    if (probe) found.add(probe.correlationId);
  }
  return found;
}
