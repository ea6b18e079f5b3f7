import { describe, expect, it } from "vitest";
import { type Config, configSchema, type GateThresholds } from "../contracts/index.js";
import { resolveThresholds } from "./resolve-thresholds.js";

const DEFAULT: GateThresholds = {
  minPairs: 1000,
  maxMismatchRate: 0.005,
  confidence: 0.99,
  maxOverPermission: 0,
  maxUnpairedRate: 0.02,
  maxObservedDriftRate: 0.01,
};

describe("resolveThresholds", () => {
  const gates: Pick<Config["gates"], "default" | "cohorts"> = {
    default: DEFAULT,
    cohorts: {
      "service-accounts": { minPairs: 200, maxUnpairedRate: 0.1 },
      partners: { maxOverPermission: undefined },
    },
  };

  it("uses the default for a cohort without override", () => {
    expect(resolveThresholds(gates, "patients")).toEqual(DEFAULT);
    expect(resolveThresholds(gates, "unassigned")).toEqual(DEFAULT);
  });

  it("puts a cohort's override on top of the default", () => {
    expect(resolveThresholds(gates, "service-accounts")).toEqual({
      ...DEFAULT,
      minPairs: 200,
      maxUnpairedRate: 0.1,
    });
  });

  it("ignores keys present but undefined", () => {
    expect(resolveThresholds(gates, "partners")).toEqual(DEFAULT);
  });

  it("does not resolve inherited object keys as cohorts", () => {
    expect(resolveThresholds(gates, "constructor")).toEqual(DEFAULT);
    expect(resolveThresholds(gates, "__proto__")).toEqual(DEFAULT);
  });

  it("an override parsed from YAML inherits what it leaves out, including the defaulted confidence", () => {
    const parsed = configSchema.shape.gates.parse({
      default: DEFAULT,
      cohorts: { nurses: { minPairs: 300 } },
    });
    expect(resolveThresholds(parsed, "nurses")).toEqual({ ...DEFAULT, minPairs: 300 });
  });
});
