import type { Side } from "../contracts/index.js";
import type { DeadLetter } from "../ingest/kafka/mirror-consumer.js";
import type { EncodedRows } from "../store/encoded-rows.js";
import type { OpenSetAside } from "../store/set-aside-pairs.js";
import type { RowSink } from "../store/write-rows.js";
import { type DecodedAuthz, type Evaluator, JudgementFailed } from "../stream/evaluator.js";
import {
  JudgementFailures,
  PAIR_FAILURES_BEFORE_SETTING_ASIDE,
  UNPAIRED_FAILURES_BEFORE_SETTING_ASIDE,
} from "../stream/judgement-failures.js";

/** The reason of a dead letter serve set aside starts so (stream/judgement-failures.ts). */
export const SET_ASIDE_REASON_PREFIX = "set aside, not retried:";

/** What judging the set-aside requests from their dead letters did. */
export interface SetAsideJudgement {
  /** Requests judged and stored: a pair, or a lone event (`id (legacy only)`). */
  judged: string[];
  /** Requests whose dead letters (all, or one side of a pair) are not in the topic any more. */
  missing: { correlationId: string; sides: Side[] }[];
  /**
   * Requests not judged in any try: the judgement failed again (the cause is not fixed), or what
   * it needs did (a key set that cannot be fetched, no worker starting); the latest error says.
   */
  failed: { correlationId: string; error: string }[];
  /** Set-aside letters of no open request (judged since, sent twice, from another source, not an event). */
  ignored: number;
}

export interface JudgeSetAsideInputs {
  /** The set-asides still unjudged (store/set-aside-pairs.ts). */
  open: readonly OpenSetAside[];
  /** The dead letters serve set aside (their reason starts with SET_ASIDE_REASON_PREFIX). */
  letters: readonly DeadLetter[];
  /** serve's own: a worker pool catches a judgement that never ends. */
  evaluator: Evaluator;
  sink: RowSink;
  /** Waits between retries (tests pass a clock of their own). */
  pause?: (ms: number) => Promise<void>;
}

const LONE_DETAIL =
  "no partner within the pairing window (set aside by serve, judged later from its dead letter)";
const ROWS_PER_WRITE = 100;

/** Where a dead letter's event was read, as set_aside_pairs records it: `topic/partition@offset`, or `http`. */
export function sourceOf(letter: DeadLetter): string {
  const h = letter.headers;
  const topic = h["x-source-topic"];
  return topic === "http" ? "http" : `${topic}/${h["x-source-partition"]}@${h["x-source-offset"]}`;
}

/** Whether serve dead-lettered it because judging its request failed again and again. */
export function isSetAsideLetter(letter: DeadLetter): boolean {
  return letter.headers["x-dlq-reason"]?.startsWith(SET_ASIDE_REASON_PREFIX) ?? false;
}

/**
 * Judges requests set aside by `serve` from their dead letters, straight into the store, outside
 * any pairing window: replayed into the mirror topics, events dated before the live traffic meet
 * a window long closed on them. An event is taken only from a letter set aside from the very
 * source the store recorded for it (a conflicting duplicate of the same request, dead-lettered
 * too, is never judged in its place), and only requests still unjudged are judged, so no stored
 * outcome is overwritten. Each is judged as serve would have: on its evaluator, narrowed after
 * each failure (decisions only, then no policy: `policy_error`), and stored under serve's pair id.
 */
export async function judgeSetAside(i: JudgeSetAsideInputs): Promise<SetAsideJudgement> {
  const result: SetAsideJudgement = { judged: [], missing: [], failed: [], ignored: 0 };
  const events = await decodeMatching(i, result);
  let rows: EncodedRows[] = [];
  for (const request of i.open) {
    const made = await judgeOne(i, request, events.get(requestKey(request)) ?? {}, result);
    if (made) rows.push(made);
    if (rows.length >= ROWS_PER_WRITE) {
      await i.sink(rows);
      rows = [];
    }
  }
  if (rows.length > 0) await i.sink(rows);
  return result;
}

type Found = Map<string, Partial<Record<Side, DecodedAuthz>>>;

/** One key per request set aside: the two halves of one id, each set aside alone, are two. */
const requestKey = (r: OpenSetAside) => `${r.correlation_id}\n${r.only_side}`;

async function decodeMatching(i: JudgeSetAsideInputs, result: SetAsideJudgement): Promise<Found> {
  const byId = new Map<string, OpenSetAside[]>();
  for (const r of i.open) byId.set(r.correlation_id, [...(byId.get(r.correlation_id) ?? []), r]);
  const found: Found = new Map();
  const letters = i.letters.filter(isSetAsideLetter);
  const decoded = await i.evaluator.decode(
    letters.map((l) => ({
      text: l.value?.toString("utf8") ?? "",
      lane: 0,
      ...(l.value ? { bytes: l.value } : {}),
    })),
  );
  const unused: DecodedAuthz["handle"][] = [];
  for (const [n, d] of decoded.entries()) {
    if (!d.ok || d.kind !== "authz") {
      result.ignored++;
      continue;
    }
    const source = letters[n] ? sourceOf(letters[n]) : "";
    // The very event serve set aside: read from the source the store recorded, once per side.
    const request = byId
      .get(d.correlationId)
      ?.find(
        (r) => sideWanted(r, d.side) && r.sources.includes(source) && !found.get(requestKey(r))?.[d.side],
      );
    if (!request) {
      result.ignored++;
      unused.push(d.handle);
      continue;
    }
    const sides = found.get(requestKey(request)) ?? {};
    sides[d.side] = d;
    found.set(requestKey(request), sides);
  }
  i.evaluator.release(unused);
  return found;
}

const sideWanted = (r: OpenSetAside, side: Side) => r.only_side === "" || r.only_side === side;

async function judgeOne(
  { evaluator, pause = sleep }: JudgeSetAsideInputs,
  request: OpenSetAside,
  events: Partial<Record<Side, DecodedAuthz>>,
  result: SetAsideJudgement,
): Promise<EncodedRows | undefined> {
  const id = request.correlation_id;
  const lone = request.only_side === "" ? undefined : (request.only_side as Side);
  const needed: Side[] = lone ? [lone] : ["legacy", "new"];
  const absent = needed.filter((side) => events[side] === undefined);
  if (absent.length > 0) {
    evaluator.release(Object.values(events).map((e) => e.handle));
    result.missing.push({ correlationId: id, sides: absent });
    return undefined;
  }
  const failures = new JudgementFailures(
    lone ? UNPAIRED_FAILURES_BEFORE_SETTING_ASIDE : PAIR_FAILURES_BEFORE_SETTING_ASIDE,
  );
  let latest = "";
  // As serve: a failure blamed on the judgement narrows the next try and counts; any other (a
  // worker being replaced, a key set unreachable) is retried after a pause, a bounded number of times.
  for (let plain = 0; plain <= MAX_PLAIN_RETRIES; ) {
    try {
      const made = await failures.counting(judge(evaluator, events, lone, failures));
      result.judged.push(lone ? `${id} (${lone} only)` : id);
      return made.rows;
    } catch (error) {
      latest = error instanceof Error ? error.message : String(error);
      if (failures.setAside !== undefined) break;
      if (error instanceof JudgementFailed)
        plain = 0; // its worker is replaced: wait for that anew
      else if (++plain <= MAX_PLAIN_RETRIES)
        await pause(Math.min(RETRY_PAUSE_MS * 2 ** (plain - 1), MAX_RETRY_PAUSE_MS));
    }
  }
  evaluator.release(Object.values(events).map((e) => e.handle));
  result.failed.push({ correlationId: id, error: latest });
  return undefined;
}

const MAX_PLAIN_RETRIES = 6;
const RETRY_PAUSE_MS = 250;
const MAX_RETRY_PAUSE_MS = 5_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function judge(
  evaluator: Evaluator,
  events: Partial<Record<Side, DecodedAuthz>>,
  lone: Side | undefined,
  failures: JudgementFailures,
) {
  const { legacy, new: next } = events;
  if (lone) return evaluator.unpaired((events[lone] as DecodedAuthz).handle, LONE_DETAIL);
  if (!legacy || !next) throw new Error("a pair needs both events");
  return evaluator.pair(legacy.handle, next.handle, failures.options);
}
