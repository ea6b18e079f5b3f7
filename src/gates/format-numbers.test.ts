import { describe, expect, it } from "vitest";
import { formatConfidence, formatCount, formatPercent, formatPercentPair } from "./format-numbers.js";

describe("format-numbers", () => {
  it("groups counts by thousands", () => {
    expect(formatCount(0)).toBe("0");
    expect(formatCount(2850)).toBe("2,850");
    expect(formatCount(1_234_567)).toBe("1,234,567");
  });

  it("prints rates as percentages with two decimals", () => {
    expect(formatPercent(0)).toBe("0.00%");
    expect(formatPercent(0.0042)).toBe("0.42%");
    expect(formatPercent(1)).toBe("100.00%");
  });

  it("keeps two significant digits for small non-zero rates", () => {
    expect(formatPercent(0.00067)).toBe("0.067%");
    expect(formatPercent(0.000026)).toBe("0.0026%");
  });

  it("adds decimals until two compared rates differ", () => {
    expect(formatPercentPair(0.0067, 0.005)).toEqual(["0.67%", "0.50%"]);
    expect(formatPercentPair(0.0050004, 0.005)).toEqual(["0.50004%", "0.50000%"]);
    expect(formatPercentPair(0.005, 0.005)).toEqual(["0.50%", "0.50%"]);
  });

  it("prints confidences without float noise", () => {
    expect(formatConfidence(0.95)).toBe("95%");
    expect(formatConfidence(0.975)).toBe("97.5%");
    expect(formatConfidence(0.999)).toBe("99.9%");
  });
});
