import type { Side } from "../contracts/index.js";
import type { ObservedEvent } from "../diff/pair-outcome.js";
import { fileEvents } from "../ingest/file-events.js";
import type { EncodedRows } from "../store/encoded-rows.js";
import type { SetAsideKey } from "../store/set-aside-pairs.js";
import type { RowSink } from "../store/write-rows.js";
import type { OutcomeMaker } from "../stream/outcome-maker.js";

/** What judging the set-aside requests found in the files did. */
export interface SetAsideJudgement {
  /** Requests judged and stored: a pair, or a lone event (`id (legacy only)`). */
  judged: string[];
  /** Requests whose events (all, or one side of a pair) are in none of the files. */
  missing: { correlationId: string; sides: Side[] }[];
  /** Requests whose judgement failed again: the cause is not fixed. */
  failed: { correlationId: string; error: string }[];
  /** Valid events of requests that are not set aside unjudged (already judged, or never set aside). */
  ignored: number;
  /** Lines that are not events (a dead-letter topic also holds malformed messages). */
  notEvents: number;
}

export interface JudgeSetAsideInputs {
  /** The set-asides still unjudged (store/set-aside-pairs.ts). */
  open: readonly SetAsideKey[];
  /** NDJSON files of the dead letters' values, as a dump of the dead-letter topic gives them. */
  inputs: readonly string[];
  maker: OutcomeMaker;
  sink: RowSink;
}

const LONE_DETAIL =
  "no partner within the pairing window (set aside by serve, judged later from its dead letter)";
const ROWS_PER_WRITE = 500;

/**
 * Judges requests set aside by `serve` from their dead letters, straight into the store, outside
 * any pairing window: replayed into the mirror topics, events dated hours before the live traffic
 * would meet a window long closed. Only requests still set aside unjudged are judged, so other
 * dead letters in the files (malformed lines, conflicting duplicates, events dated in the future)
 * can never overwrite a stored outcome. Outcomes are keyed by the same pair ids as serve's, so a
 * second run stores nothing new.
 */
export async function judgeSetAside(i: JudgeSetAsideInputs): Promise<SetAsideJudgement> {
  const wanted = new Set(i.open.map((k) => k.correlation_id));
  const found = new Map<string, Partial<Record<Side, ObservedEvent>>>();
  const result: SetAsideJudgement = { judged: [], missing: [], failed: [], ignored: 0, notEvents: 0 };
  for (const file of i.inputs)
    for await (const batch of fileEvents(file))
      for (const item of batch) {
        if (item.type !== "event") {
          if (item.type === "rejected") result.notEvents++;
          continue;
        }
        const id = item.event.correlationId;
        const sides = found.get(id) ?? {};
        // The first of each side: a dead letter sent twice (at-least-once) is the same event.
        if (!wanted.has(id) || sides[item.event.side]) {
          result.ignored++;
          continue;
        }
        sides[item.event.side] = { event: item.event, observedAtMs: item.observedAtMs };
        found.set(id, sides);
      }
  let rows: EncodedRows[] = [];
  for (const key of i.open) {
    const made = await judgeOne(i.maker, key, found.get(key.correlation_id) ?? {}, result);
    if (made) rows.push(made);
    if (rows.length >= ROWS_PER_WRITE) {
      await i.sink(rows);
      rows = [];
    }
  }
  if (rows.length > 0) await i.sink(rows);
  return result;
}

async function judgeOne(
  maker: OutcomeMaker,
  key: SetAsideKey,
  events: Partial<Record<Side, ObservedEvent>>,
  result: SetAsideJudgement,
): Promise<EncodedRows | undefined> {
  const id = key.correlation_id;
  const needed: Side[] = key.only_side === "" ? ["legacy", "new"] : [key.only_side as Side];
  const absent = needed.filter((side) => events[side] === undefined);
  if (absent.length > 0) {
    result.missing.push({ correlationId: id, sides: absent });
    return undefined;
  }
  try {
    const { legacy, new: next } = events;
    const made =
      legacy && next && key.only_side === ""
        ? await maker.pair(legacy, next)
        : await maker.unpaired(events[key.only_side as Side] as ObservedEvent, LONE_DETAIL);
    result.judged.push(key.only_side === "" ? id : `${id} (${key.only_side} only)`);
    return made.rows;
  } catch (error) {
    result.failed.push({ correlationId: id, error: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
}
