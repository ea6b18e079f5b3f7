import { describe, expect, it } from "vitest";
import type { GateEvidence, GateThresholds } from "../contracts/index.js";
import { evaluateGate } from "./evaluate-gate.js";
import { wilsonUpperBound } from "./wilson.js";

const THRESHOLDS: GateThresholds = {
  minPairs: 1000,
  maxMismatchRate: 0.005,
  confidence: 0.95,
  maxOverPermission: 0,
  maxUnpairedRate: 0.02,
  maxObservedDriftRate: 0.01,
};

function evidence(partial: Partial<GateEvidence>): GateEvidence {
  return {
    pairs: 3000,
    mismatchedPairs: 0,
    overPermission: 0,
    unpaired: 0,
    observedDriftPairs: 0,
    ...partial,
  };
}

function gate(partial: Partial<GateEvidence>, thresholds: Partial<GateThresholds> = {}) {
  return evaluateGate("clinicians", evidence(partial), { ...THRESHOLDS, ...thresholds });
}

describe("evaluateGate: 1. over-permissions", () => {
  it("fails on any over-permission above the allowance, even with few pairs", () => {
    const result = gate({ pairs: 10, mismatchedPairs: 2, overPermission: 2 });
    expect(result.status).toBe("fail");
    expect(result.reasons[0]).toBe("2 over-permissions > allowed 0");
    expect(result.reasons).toContain("10 pairs < minimum 1,000: not enough evidence to decide");
  });

  it("tolerates exactly the allowance", () => {
    const result = gate({ mismatchedPairs: 2, overPermission: 2 }, { maxOverPermission: 2 });
    expect(result.status).toBe("pass");
    expect(result.reasons[0]).toBe("2 over-permissions <= allowed 2");
  });

  it("uses the singular for one", () => {
    expect(gate({ pairs: 1, mismatchedPairs: 1, overPermission: 1 }).reasons[0]).toBe(
      "1 over-permission > allowed 0",
    );
  });
});

describe("evaluateGate: 2. minimum evidence", () => {
  it("is insufficient evidence below minPairs, even with a clean record", () => {
    const result = gate({ pairs: 999 });
    expect(result.status).toBe("insufficient_evidence");
    expect(result.reasons[0]).toBe("999 pairs < minimum 1,000: not enough evidence to decide");
  });

  it("decides at exactly minPairs", () => {
    // 0/1000 gives a 95% bound of 0.2698%, within 0.5%.
    const result = gate({ pairs: 1000 });
    expect(result.status).toBe("pass");
    expect(result.reasons).toContain("1,000 pairs >= minimum 1,000");
  });

  it("with minPairs 0 and no pairs at all, the bound is 100%: insufficient evidence", () => {
    const result = gate({ pairs: 0 }, { minPairs: 0 });
    expect(result.status).toBe("insufficient_evidence");
    expect(result.statistics).toEqual({
      mismatchRate: 0,
      mismatchRateUpperBound: 1,
      unpairedRate: 0,
      observedDriftRate: 0,
    });
  });
});

describe("evaluateGate: 3. pass", () => {
  it("passes when the upper bound and both rates are within bounds, and says what passed", () => {
    const result = gate({ mismatchedPairs: 2, unpaired: 30, observedDriftPairs: 3 });
    expect(result.status).toBe("pass");
    expect(result.statistics.mismatchRate).toBeCloseTo(2 / 3000, 15);
    expect(result.statistics.mismatchRateUpperBound).toBeCloseTo(0.0020125271807938205, 12);
    expect(result.statistics.unpairedRate).toBeCloseTo(30 / 3030, 15);
    expect(result.statistics.observedDriftRate).toBeCloseTo(3 / 3000, 15);
    expect(result.reasons).toEqual([
      "0 over-permissions <= allowed 0",
      "3,000 pairs >= minimum 1,000",
      "mismatch rate 0.067% (2/3,000), 95% upper bound 0.20% <= max 0.50%",
      "unpaired rate 0.99% (30/3,030) <= max 2.00%",
      "observed drift rate 0.10% (3/3,000) <= max 1.00%",
    ]);
  });

  it("passes with every rate exactly at its maximum bound", () => {
    const bound = wilsonUpperBound(2, 1000, 0.95);
    const result = gate({ pairs: 1960, unpaired: 40 });
    expect(result.statistics.unpairedRate).toBe(0.02);
    expect(result.status).toBe("pass");
    const atBound = gate(
      { pairs: 1000, mismatchedPairs: 2, observedDriftPairs: 10 },
      { maxMismatchRate: bound },
    );
    expect(atBound.statistics.mismatchRateUpperBound).toBe(bound);
    expect(atBound.statistics.observedDriftRate).toBe(0.01);
    expect(atBound.status).toBe("pass");
  });

  it("reports the confidence it used", () => {
    const result = gate({ mismatchedPairs: 2 }, { confidence: 0.975 });
    // 2/3000 at z = 1.959964: 0.24276338…%
    expect(result.statistics.mismatchRateUpperBound).toBeCloseTo(0.002427633839215984, 12);
    expect(result.reasons[2]).toBe("mismatch rate 0.067% (2/3,000), 97.5% upper bound 0.24% <= max 0.50%");
  });
});

describe("evaluateGate: 4. fail on rates", () => {
  it("fails when the point estimate itself exceeds the maximum", () => {
    const result = gate({ pairs: 2850, mismatchedPairs: 18 });
    expect(result.status).toBe("fail");
    expect(result.reasons[0]).toBe("mismatch rate 0.63% (18/2,850) > max 0.50% (95% upper bound 0.93%)");
    // The deciding reason replaces the bound comparison rather than repeating it.
    expect(result.reasons.filter((r) => r.startsWith("mismatch rate"))).toHaveLength(1);
  });

  it("fails on the unpaired rate even when mismatches are fine", () => {
    const result = gate({ unpaired: 100 });
    expect(result.status).toBe("fail");
    expect(result.reasons[0]).toBe("unpaired rate 3.23% (100/3,100) > max 2.00%");
  });

  it("fails on the drift rate, listing every exceeded bound first", () => {
    const result = gate({ pairs: 2850, mismatchedPairs: 18, unpaired: 150, observedDriftPairs: 57 });
    expect(result.status).toBe("fail");
    expect(result.reasons.slice(0, 3)).toEqual([
      "mismatch rate 0.63% (18/2,850) > max 0.50% (95% upper bound 0.93%)",
      "unpaired rate 5.00% (150/3,000) > max 2.00%",
      "observed drift rate 2.00% (57/2,850) > max 1.00%",
    ]);
    expect(result.reasons).toHaveLength(5);
  });

  it("a rate bound exceeded fails even when the mismatch bound alone would only be insufficient", () => {
    const result = gate({ pairs: 2850, mismatchedPairs: 12, observedDriftPairs: 30 });
    expect(result.status).toBe("fail");
    expect(result.reasons[0]).toBe("observed drift rate 1.05% (30/2,850) > max 1.00%");
  });

  it("with no pairs, unpaired events alone fail the gate", () => {
    const result = gate({ pairs: 0, unpaired: 5 }, { minPairs: 0 });
    expect(result.status).toBe("fail");
    expect(result.reasons[0]).toBe("unpaired rate 100.00% (5/5) > max 2.00%");
  });
});

describe("evaluateGate: 5. insufficient evidence on the bound", () => {
  it("asks for more pairs when the rate is below the maximum but its upper bound is not", () => {
    const result = gate({ pairs: 2850, mismatchedPairs: 12 });
    expect(result.status).toBe("insufficient_evidence");
    expect(result.statistics.mismatchRateUpperBound).toBeCloseTo(0.006729545338702116, 12);
    expect(result.reasons[0]).toBe(
      "mismatch rate 0.42% (12/2,850) <= max 0.50%, but its 95% upper bound 0.67% > max 0.50%: " +
        "at this rate about 21,596 pairs are needed to pass",
    );
    expect(result.reasons.slice(1)).toEqual([
      "0 over-permissions <= allowed 0",
      "2,850 pairs >= minimum 1,000",
      "unpaired rate 0.00% (0/2,850) <= max 2.00%",
      "observed drift rate 0.00% (0/2,850) <= max 1.00%",
    ]);
  });

  it("a point estimate exactly at the maximum does not fail, but can never pass", () => {
    const result = gate({ pairs: 2000, mismatchedPairs: 10 });
    expect(result.statistics.mismatchRate).toBe(0.005);
    expect(result.status).toBe("insufficient_evidence");
    expect(result.reasons[0]).toBe(
      "mismatch rate 0.50% (10/2,000) <= max 0.50%, but its 95% upper bound 0.83% > max 0.50%: " +
        "at this rate no number of pairs can bring the bound within the maximum",
    );
  });

  it("prints enough decimals to tell a bound just above the maximum from the maximum", () => {
    const bound = wilsonUpperBound(3, 1000, 0.95); // 0.7482491…%
    const result = gate({ pairs: 1000, mismatchedPairs: 3 }, { maxMismatchRate: 0.00748 });
    expect(result.statistics.mismatchRateUpperBound).toBe(bound);
    expect(result.status).toBe("insufficient_evidence");
    expect(result.reasons[0]).toContain("upper bound 0.7482% > max 0.7480%");
  });
});

describe("evaluateGate: result shape", () => {
  it("carries the cohort, evidence and thresholds it decided on", () => {
    const e = evidence({ mismatchedPairs: 1 });
    const result = evaluateGate("patients", e, THRESHOLDS);
    expect(result.cohort).toBe("patients");
    expect(result.evidence).toEqual(e);
    expect(result.thresholds).toEqual(THRESHOLDS);
  });

  it("keeps only the contract's evidence fields when given a richer tally", () => {
    const tally = { ...evidence({}), findings: { over_permission: 0 }, label: "x" };
    const result = evaluateGate("patients", tally, THRESHOLDS);
    expect(result.status).toBe("pass");
    expect(result.evidence).toEqual(evidence({}));
  });

  it("rejects evidence that contradicts itself", () => {
    expect(() => gate({ pairs: 10, mismatchedPairs: 11 })).toThrow(/11 mismatched pairs > 10 pairs/);
    expect(() => gate({ pairs: 10, observedDriftPairs: 11 })).toThrow(RangeError);
    expect(() => gate({ pairs: -1 })).toThrow(RangeError);
  });
});
