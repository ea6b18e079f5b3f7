import { describe, expect, it } from "vitest";
import { partitionLag } from "./kafkajs-lag-probe.js";

describe("partitionLag", () => {
  it("is the high watermark minus the committed offset", () => {
    expect(partitionLag({ high: 10, low: 0, committed: 4 })).toBe(6);
    expect(partitionLag({ high: 10, low: 0, committed: 10 })).toBe(0);
  });

  it("counts the whole retained partition when nothing is committed (-1)", () => {
    expect(partitionLag({ high: 10, low: 3, committed: -1 })).toBe(7);
  });

  it("does not count what retention already deleted", () => {
    expect(partitionLag({ high: 10, low: 6, committed: 2 })).toBe(4);
  });
});
