import { GATE_STATUSES, STAGES } from "../contracts/index.js";
import type { CohortStatus } from "../promotion/cohort-status.js";
import type { ServiceMetrics } from "./catalog.js";

/**
 * Sets the gate and stage gauges from cohort statuses: one-hot status and stage per cohort (so
 * alerts can join on `stage="live"`), and the gate's rates against its threshold.
 */
export function setGateGauges(m: ServiceMetrics, statuses: readonly CohortStatus[]): void {
  for (const s of statuses) {
    const cohort = s.cohort;
    for (const status of GATE_STATUSES)
      m.gateStatus.set({ cohort, status }, s.gate.status === status ? 1 : 0);
    for (const stage of STAGES) m.cohortStage.set({ cohort, stage }, s.stage === stage ? 1 : 0);
    m.gateMismatchRate.set({ cohort }, s.gate.statistics.mismatchRate);
    m.gateUpperBound.set({ cohort }, s.gate.statistics.mismatchRateUpperBound);
    m.gateMaxMismatchRate.set({ cohort }, s.gate.thresholds.maxMismatchRate);
    m.gateUnpairedRate.set({ cohort }, s.gate.statistics.unpairedRate);
    m.gateDriftRate.set({ cohort }, s.gate.statistics.observedDriftRate);
    if (s.gate.setAside) m.gateSetAside.set({ cohort }, s.gate.setAside.requests);
    const lifecycle = s.gate.lifecycle;
    if (lifecycle) {
      m.lifecycleSessions.set({ cohort, kind: "lifetime_drift" }, lifecycle.lifetimeDrift);
      m.lifecycleSessions.set({ cohort, kind: "session_drift" }, lifecycle.sessionDrift);
      m.lifecycleSessions.set({ cohort, kind: "claim_drift" }, lifecycle.claimDrift);
    }
  }
}

/**
 * Drops the gate and stage series when they cannot be refreshed (the store is down): a stale
 * `pass` must not keep showing; dashboards and alerts see the series absent instead.
 */
export function clearGateGauges(m: ServiceMetrics): void {
  for (const g of [
    m.gateStatus,
    m.cohortStage,
    m.gateMismatchRate,
    m.gateUpperBound,
    m.gateMaxMismatchRate,
    m.gateUnpairedRate,
    m.gateDriftRate,
    m.lifecycleSessions,
    m.gateSetAside,
  ])
    g.reset();
}
