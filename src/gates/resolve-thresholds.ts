import type { GatesConfig, GateThresholds } from "../contracts/index.js";

/** The thresholds that apply to one cohort: the default, with that cohort's override on top. */
export function resolveThresholds(
  gates: Pick<GatesConfig, "default" | "cohorts">,
  cohort: string,
): GateThresholds {
  const override = Object.hasOwn(gates.cohorts, cohort) ? gates.cohorts[cohort] : undefined;
  const set = Object.fromEntries(Object.entries(override ?? {}).filter(([, value]) => value !== undefined));
  return { ...gates.default, ...set };
}
