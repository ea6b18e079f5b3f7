import { describe, expect, it } from "vitest";
import { checkSubjectContinuity } from "./subject-continuity.js";

describe("checkSubjectContinuity", () => {
  it("holds when the new token's legacy subject claim equals the legacy sub", () => {
    expect(checkSubjectContinuity({ sub: "u-1" }, { sub: "n-9", legacy_sub: "u-1" }, "legacy_sub")).toEqual({
      same: true,
    });
  });

  it("fails when the legacy subject claim names someone else, even if the subs are equal", () => {
    const r = checkSubjectContinuity({ sub: "u-1" }, { sub: "u-1", legacy_sub: "u-2" }, "legacy_sub");
    expect(r).toMatchObject({ same: false });
  });

  it("falls back to equal subs when the claim is absent, and fails when they differ", () => {
    expect(checkSubjectContinuity({ sub: "u-1" }, { sub: "u-1" }, "legacy_sub")).toEqual({ same: true });
    const r = checkSubjectContinuity({ sub: "u-1" }, { sub: "n-1" }, "legacy_sub");
    expect(r).toEqual({
      same: false,
      detail: "the new token has no legacy_sub claim and its sub differs from the legacy sub",
    });
  });

  it("never treats two missing subjects as the same person", () => {
    expect(checkSubjectContinuity({}, {}, "legacy_sub").same).toBe(false);
    expect(checkSubjectContinuity({ sub: "" }, { sub: "" }, "legacy_sub").same).toBe(false);
  });

  it("uses the configured claim name and never puts ids in the detail", () => {
    const r = checkSubjectContinuity({ sub: "u-secret" }, { sub: "n", old_id: "u-other" }, "old_id");
    expect(r.same).toBe(false);
    expect(JSON.stringify(r)).not.toContain("u-secret");
    expect(JSON.stringify(r)).not.toContain("u-other");
  });
});
