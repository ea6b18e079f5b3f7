import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OffsetTracker } from "./offset-tracker.js";

const tp = { topic: "ciam.mirror.legacy", partition: 0 };

describe("OffsetTracker", () => {
  it("commits up to the first offset still waiting, and past everything once all are done", () => {
    const t = new OffsetTracker();
    for (const o of [10, 11, 12, 13]) t.track(tp, o);
    t.resolve(tp, 11);
    t.resolve(tp, 13);
    expect(t.takeCommittable()).toEqual([{ ...tp, offset: 10 }]);
    t.resolve(tp, 10);
    expect(t.takeCommittable()).toEqual([{ ...tp, offset: 12 }]);
    expect(t.takeCommittable()).toEqual([]); // nothing moved
    t.resolve(tp, 12);
    expect(t.takeCommittable()).toEqual([{ ...tp, offset: 14 }]);
    expect(t.unresolvedCount()).toBe(0);
  });

  it("ignores redelivered offsets and repeated resolutions", () => {
    const t = new OffsetTracker();
    t.track(tp, 5);
    t.track(tp, 5);
    t.resolve(tp, 5);
    t.resolve(tp, 5);
    expect(t.unresolvedCount()).toBe(0);
    expect(t.takeCommittable()).toEqual([{ ...tp, offset: 6 }]);
  });

  it("offers offsets again after a failed commit", () => {
    const t = new OffsetTracker();
    t.track(tp, 0);
    t.resolve(tp, 0);
    const offsets = t.takeCommittable();
    expect(offsets).toEqual([{ ...tp, offset: 1 }]);
    expect(t.takeCommittable()).toEqual([]);
    t.commitFailed(offsets);
    expect(t.takeCommittable()).toEqual([{ ...tp, offset: 1 }]);
  });

  it("moves past records the client filtered out (transaction markers) once what came before is done", () => {
    const t = new OffsetTracker();
    t.track(tp, 10);
    t.track(tp, 11);
    expect(t.advance(tp, 10, 12)).toBe(true); // the batch 10..12 ended in a commit marker
    t.resolve(tp, 11);
    expect(t.takeCommittable()).toEqual([{ ...tp, offset: 10 }]); // 10 still waits
    t.resolve(tp, 10);
    expect(t.takeCommittable()).toEqual([{ ...tp, offset: 13 }]);
    expect(t.advance(tp, 13, 20)).toBe(true); // a fetch of markers and aborted records only
    expect(t.takeCommittable()).toEqual([{ ...tp, offset: 21 }]);
    expect(t.track(tp, 18)).toBe(false); // read already
    expect(t.track(tp, 21)).toBe(true);
    expect(t.takeCommittable()).toEqual([]); // 21 waits
  });

  it("never advances over offsets it did not track, nor where tracking has not started", () => {
    const t = new OffsetTracker();
    expect(t.advance(tp, 0, 5)).toBe(false); // nothing tracked: where reading began is unknown
    t.track(tp, 19);
    t.resolve(tp, 19);
    // 20..29 were fetched but dropped untracked (a stop): markers at 30..31 must not skip them.
    expect(t.advance(tp, 30, 31)).toBe(false);
    expect(t.takeCommittable()).toEqual([{ ...tp, offset: 20 }]);
    expect(t.track(tp, 20)).toBe(true); // read again after the restart
  });

  it("forgets revoked partitions", () => {
    const t = new OffsetTracker();
    t.track(tp, 1);
    t.track({ ...tp, partition: 1 }, 1);
    t.forget((x) => x.partition === 1);
    expect(t.unresolvedCount()).toBe(1);
  });

  it("never commits past an unresolved offset, whatever the resolution order (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.array(fc.nat(), { maxLength: 300 }), (n, picks) => {
        const t = new OffsetTracker();
        for (let o = 0; o < n; o++) t.track(tp, o);
        const open = new Set(Array.from({ length: n }, (_, i) => i));
        for (const pick of picks) {
          const o = pick % n;
          t.resolve(tp, o);
          open.delete(o);
          const commits = t.takeCommittable();
          const expected = open.size === 0 ? n : Math.min(...open);
          for (const c of commits) expect(c.offset).toBe(expected);
        }
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});
