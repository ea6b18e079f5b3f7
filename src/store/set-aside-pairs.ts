import type { SetAsideEvidence, Side } from "../contracts/index.js";
import { type EncodedRows, encodeRows } from "./encoded-rows.js";
import { windowParams } from "./evidence-window.js";
import type { Store } from "./open-store.js";
import { clickHouseTime, NO_OUTCOME_ROWS } from "./outcome-rows.js";
import { pairIdOf } from "./stored-outcome.js";

/** A row of set_aside_pairs as inserted (stored_at is set by the server). */
export interface SetAsideRow {
  pair_id: string;
  correlation_id: string;
  only_side: string;
  event_time: string;
  reason: string;
  sources: string[];
}

/** One event of the request given up: where it came from, for the operator who replays it. */
export interface SetAsideEvent {
  side: Side;
  correlationId: string;
  observedAtMs: number;
  /** `topic/partition@offset`, or `http`. */
  source: string;
}

/** Pure: the row for a pair (two events) or a lone event given up unjudged. */
export function setAsideRow(events: readonly SetAsideEvent[], reason: string): SetAsideRow {
  const first = events[0];
  if (first === undefined || events.length > 2) throw new RangeError("a set-aside is one or two events");
  const paired = events.length === 2;
  const onlySide = paired ? null : first.side;
  return {
    pair_id: pairIdOf({ correlationId: first.correlationId, paired, onlySide }),
    correlation_id: first.correlationId,
    only_side: onlySide ?? "",
    event_time: clickHouseTime(Math.min(...events.map((e) => e.observedAtMs))),
    reason,
    sources: events.map((e) => e.source),
  };
}

/** The same, as the rows the store's sink writes (a batch of its own tables, no outcome). */
export function setAsideRows(events: readonly SetAsideEvent[], reason: string): EncodedRows {
  return encodeRows({ ...NO_OUTCOME_ROWS, setAside: [setAsideRow(events, reason)] });
}

/** How far from a set-aside's event time its later judgement may be stored under (a pair's first event). */
const JUDGED_SLACK_MS = 86_400_000;

/** A request set aside: a pair (`only_side` empty) or a lone event of one side. */
export type SetAsideKey = { correlation_id: string; only_side: string };
/** One still unjudged, with where its events were read (`topic/partition@offset`, or `http`). */
export type OpenSetAside = SetAsideKey & { sources: string[] };
type JudgedKey = { correlation_id: string; paired: boolean | number; only_side: string };

/**
 * The requests set aside in [since, until) that no outcome judges yet, whatever their cohort:
 * a set-aside has none (its claims were never read), so every cohort's gate counts it. Not pinned
 * to versions either: a request no version could judge says nothing about the deployed ones.
 * The outcomes are read only for the few ids set aside, if any: every gate and every status
 * refresh asks, and the table is nearly always empty.
 */
export async function readSetAside(
  store: Pick<Store, "driver" | "tables">,
  q: { since: Date; until: Date },
): Promise<SetAsideEvidence> {
  const requests = [...new Set((await unjudgedSetAside(store, q)).map((s) => s.correlation_id))].sort();
  return { requests: requests.length, examples: requests.slice(0, 3) };
}

/** The set-asides of [since, until) (by event time) that no outcome judges yet, by correlation id. */
export async function unjudgedSetAside(
  store: Pick<Store, "driver" | "tables">,
  q: { since: Date; until: Date },
): Promise<OpenSetAside[]> {
  const window = timeParams(q);
  // FINAL: one row per pair id, i.e. per correlation id and side set aside.
  const setAside = await store.driver.query<OpenSetAside>(
    `SELECT correlation_id, only_side, sources
FROM ${store.tables.setAside} FINAL
WHERE event_time >= fromUnixTimestamp64Milli({sinceMs:Int64}, 'UTC')
  AND event_time < fromUnixTimestamp64Milli({untilMs:Int64}, 'UTC')`,
    window,
  );
  if (setAside.length === 0) return [];
  const ids = [...new Set(setAside.map((r) => r.correlation_id))];
  const judged = await store.driver.query<JudgedKey>(
    `SELECT DISTINCT correlation_id, paired, only_side
FROM ${store.tables.outcomes}
WHERE event_time >= fromUnixTimestamp64Milli({sinceMs:Int64} - {slackMs:Int64}, 'UTC')
  AND event_time < fromUnixTimestamp64Milli({untilMs:Int64} + {slackMs:Int64}, 'UTC')
  AND has({ids:Array(String)}, correlation_id)`,
    { ...window, slackMs: JUDGED_SLACK_MS, ids },
  );
  return setAside
    .filter((s) => !judged.some((j) => judges(j, s)))
    .sort(
      (a, b) => a.correlation_id.localeCompare(b.correlation_id) || a.only_side.localeCompare(b.only_side),
    );
}

/**
 * Whether an outcome judged what was set aside: a pair judges both its events; an unpaired
 * outcome only its own side (the other side stored alone later leaves a lone set-aside unjudged).
 */
function judges(outcome: JudgedKey, setAside: SetAsideKey): boolean {
  if (outcome.correlation_id !== setAside.correlation_id) return false;
  return Boolean(outcome.paired) || (setAside.only_side !== "" && outcome.only_side === setAside.only_side);
}

function timeParams(q: { since: Date; until: Date }): { sinceMs: number; untilMs: number } {
  const { sinceMs, untilMs } = windowParams(q);
  return { sinceMs: sinceMs as number, untilMs: untilMs as number };
}
