import { describe, expect, it } from "vitest";
import type { Side } from "../contracts/index.js";
import type { PairOptions } from "../diff/pair-differ.js";
import type { DeadLetter } from "../ingest/kafka/mirror-consumer.js";
import type { EncodedRows } from "../store/encoded-rows.js";
import { encodeRows } from "../store/encoded-rows.js";
import { NO_OUTCOME_ROWS } from "../store/outcome-rows.js";
import type { OpenSetAside } from "../store/set-aside-pairs.js";
import { type DecodedLine, type Evaluator, type EventHandle, JudgementFailed } from "../stream/evaluator.js";
import type { MadeOutcome } from "../stream/outcome-maker.js";
import { judgeSetAside, SET_ASIDE_REASON_PREFIX } from "./judge-set-aside.js";

const REASON = `${SET_ASIDE_REASON_PREFIX} judging it failed 3 times (the latest: a test)`;

function letter(id: string, side: Side, offset: number, reason = REASON): DeadLetter {
  return {
    partition: 0,
    offset,
    key: Buffer.from(id),
    value: Buffer.from(JSON.stringify({ correlationId: id, side, observedAt: "2026-12-08T00:00:00Z" })),
    headers: {
      "x-dlq-reason": reason,
      "x-source-topic": side,
      "x-source-partition": "0",
      "x-source-offset": String(offset),
    },
  };
}

const made = (tag: string): MadeOutcome => ({
  rows: encodeRows(NO_OUTCOME_ROWS),
  summary: { cohort: tag, paired: true, onlySide: null, mismatch: false, observedDrift: false, findings: [] },
});

type Handle = { id: string; side: Side };

/** Decodes the letters' JSON; judging answers `answer(call)` for each call, in order. */
function evaluator(
  answer: (call: { kind: string; id: string; options?: PairOptions }, n: number) => MadeOutcome | Error,
) {
  const calls: { kind: string; id: string; options?: PairOptions }[] = [];
  const released: string[] = [];
  const respond = (call: (typeof calls)[number]) => {
    calls.push(call);
    const a = answer(call, calls.length);
    return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
  };
  const e: Evaluator = {
    decode: async (lines) =>
      lines.map((l): DecodedLine => {
        const j = JSON.parse(l.text) as { correlationId: string; side: Side; observedAt: string };
        const handle = { id: j.correlationId, side: j.side } as unknown as EventHandle;
        return {
          ok: true,
          kind: "authz",
          side: j.side,
          correlationId: j.correlationId,
          observedAt: j.observedAt,
          observedAtMs: Date.parse(j.observedAt),
          fingerprint: `${j.correlationId}/${j.side}`,
          handle,
        };
      }),
    inline: () => {
      throw new Error("not used");
    },
    pair: (l, _n, options) =>
      respond({ kind: "pair", id: (l as unknown as Handle).id, ...(options ? { options } : {}) }),
    unpaired: (only) =>
      respond({ kind: `unpaired ${(only as unknown as Handle).side}`, id: (only as unknown as Handle).id }),
    release: (handles) => {
      for (const h of handles) released.push((h as unknown as Handle).id);
    },
  };
  return { e, calls, released };
}

const open = (id: string, only: "" | Side, sources: string[]): OpenSetAside => ({
  correlation_id: id,
  only_side: only,
  sources,
});

const pauses: number[] = [];

async function run(requests: OpenSetAside[], letters: DeadLetter[], e: Evaluator) {
  const written: EncodedRows[][] = [];
  pauses.length = 0;
  const result = await judgeSetAside({
    open: requests,
    letters,
    evaluator: e,
    sink: async (b) => void written.push([...b]),
    pause: async (ms) => void pauses.push(ms),
  });
  return { result, written: written.flat().length };
}

describe("judgeSetAside", () => {
  it("narrows after a failure blamed on the judgement, waits out a worker being replaced without counting it", async () => {
    const { e, calls } = evaluator((_c, n) =>
      n === 1
        ? new JudgementFailed("its differ worker exited while it was judging this request", "exited")
        : n === 2
          ? new Error("no differ worker is up (restarting)")
          : made("ok"),
    );
    const { result, written } = await run(
      [open("a", "", ["legacy/0@1", "new/0@2"])],
      [letter("a", "legacy", 1), letter("a", "new", 2)],
      e,
    );
    expect(calls.map((c) => c.options ?? {})).toEqual([{}, { onlyDecisions: true }, { onlyDecisions: true }]);
    expect(result).toEqual({ judged: ["a"], missing: [], failed: [], ignored: 0 });
    expect(written).toBe(1);
  });

  it("gives up after three blamed failures, the last without the policy, and stores nothing of it", async () => {
    const { e, calls, released } = evaluator(
      () => new JudgementFailed("its judgement threw TypeError: boom", "threw"),
    );
    const { result, written } = await run(
      [open("a", "", ["legacy/0@1", "new/0@2"])],
      [letter("a", "legacy", 1), letter("a", "new", 2)],
      e,
    );
    expect(calls.map((c) => Object.keys(c.options ?? {}))).toEqual([[], ["onlyDecisions"], ["skipPolicy"]]);
    expect(result.failed).toEqual([{ correlationId: "a", error: "its judgement threw TypeError: boom" }]);
    expect(result.judged).toEqual([]);
    expect(written).toBe(0);
    expect(released).toEqual(["a", "a"]);
  });

  it("judges the two halves of one request, each set aside alone, as two lone events", async () => {
    const { e, calls } = evaluator(() => made("ok"));
    const { result } = await run(
      [open("a", "legacy", ["legacy/0@1"]), open("a", "new", ["new/0@2"])],
      [letter("a", "legacy", 1), letter("a", "new", 2)],
      e,
    );
    expect(calls.map((c) => c.kind)).toEqual(["unpaired legacy", "unpaired new"]);
    expect(result).toEqual({
      judged: ["a (legacy only)", "a (new only)"],
      missing: [],
      failed: [],
      ignored: 0,
    });
  });

  it("takes only letters set aside from the recorded source, once per side", async () => {
    const { e, calls } = evaluator(() => made("ok"));
    const { result } = await run(
      [open("a", "", ["legacy/0@1", "new/0@2"]), open("b", "", ["legacy/0@3", "new/0@4"])],
      [
        letter("a", "legacy", 9), // set aside from another offset
        letter("a", "legacy", 1, "a different legacy event for correlationId a was already seen"),
        letter("a", "legacy", 1),
        letter("a", "legacy", 1), // sent twice
        letter("a", "new", 2),
        letter("b", "legacy", 3),
      ],
      e,
    );
    expect(calls.map((c) => `${c.kind} ${c.id}`)).toEqual(["pair a"]);
    expect(result).toEqual({
      judged: ["a"],
      missing: [{ correlationId: "b", sides: ["new"] }],
      failed: [],
      ignored: 2,
    });
  });

  it("gives up on errors outside the judgement after seven tries, pausing longer each time but not after the last", async () => {
    const { e, calls } = evaluator(() => new Error("the issuer's key set could not be fetched"));
    const { result } = await run(
      [open("a", "", ["legacy/0@1", "new/0@2"])],
      [letter("a", "legacy", 1), letter("a", "new", 2)],
      e,
    );
    expect(calls).toHaveLength(7);
    expect(calls.every((c) => c.options === undefined || Object.keys(c.options).length === 0)).toBe(true);
    expect(pauses).toEqual([250, 500, 1_000, 2_000, 4_000, 5_000]);
    expect(result.failed).toEqual([
      { correlationId: "a", error: "the issuer's key set could not be fetched" },
    ]);
  });

  it("waits anew for each replacement: a worker lost, then restarting for a while, twice over", async () => {
    const answers = ["exited", "plain", "plain", "plain", "plain", "plain", "exited", "plain", "plain", "ok"];
    const { e, calls } = evaluator((_c, n) =>
      answers[n - 1] === "exited"
        ? new JudgementFailed("its differ worker exited while it was judging this request", "exited")
        : answers[n - 1] === "plain"
          ? new Error("no differ worker is up (restarting)")
          : made("ok"),
    );
    const { result } = await run(
      [open("a", "", ["legacy/0@1", "new/0@2"])],
      [letter("a", "legacy", 1), letter("a", "new", 2)],
      e,
    );
    expect(result.judged).toEqual(["a"]);
    expect(Object.keys(calls.at(-1)?.options ?? {})).toEqual(["skipPolicy"]);
    expect(pauses).toEqual([250, 500, 1_000, 2_000, 4_000, 250, 500]);
  });
});
