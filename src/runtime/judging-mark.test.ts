import { describe, expect, it } from "vitest";
import { createJudgingCell, markedJob, markedWhile, nextJobId } from "./judging-mark.js";

describe("the judging cell", () => {
  it("names the job while its work runs, and no job once it returned or threw", () => {
    const cell = createJudgingCell();
    expect(markedWhile(cell, 42, () => markedJob(cell))).toBe(42);
    expect(markedJob(cell)).toBe(0);
    expect(() =>
      markedWhile(cell, 7, () => {
        throw new Error("judgement failed");
      }),
    ).toThrow("judgement failed");
    expect(markedJob(cell)).toBe(0);
  });

  it("is shared memory: a copy of the view posted elsewhere sees the same cell", () => {
    const cell = createJudgingCell();
    const elsewhere = structuredClone(cell);
    markedWhile(cell, 9, () => expect(markedJob(elsewhere)).toBe(9));
  });

  it("keeps job ids positive Int32s: after 2^31 - 1 they start again at 1, never 0", () => {
    expect(nextJobId(1)).toBe(2);
    expect(nextJobId(0x7fff_fffe)).toBe(0x7fff_ffff);
    expect(nextJobId(0x7fff_ffff)).toBe(1);
    const cell = createJudgingCell();
    markedWhile(cell, 0x7fff_ffff, () => expect(markedJob(cell)).toBe(0x7fff_ffff));
  });
});
