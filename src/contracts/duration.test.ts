import { describe, expect, it } from "vitest";
import { durationMs, durationSchema } from "./duration.js";

describe("durations", () => {
  it("reads each unit", () => {
    expect(["90s", "30m", "12h", "7d", "2w"].map(durationMs)).toEqual([
      90_000, 1_800_000, 43_200_000, 604_800_000, 1_209_600_000,
    ]);
  });

  it("refuses what is not one number and one unit, and zero", () => {
    for (const bad of ["7", "d", "1.5h", "7 d", "1d2h", "-1d", "0d", ""])
      expect(durationSchema.safeParse(bad).success, bad).toBe(false);
    expect(durationMs("soon")).toBeNaN();
  });
});
