import type { Side } from "../contracts/index.js";
import type { InvalidReason } from "../identity/verification-result.js";
import type { ServiceMetrics } from "./catalog.js";
import { measuringInstruments, type RuntimeInstruments } from "./instrumented-runtime.js";

/** What a differ in a worker thread measured since it last reported, as plain data to post. */
export interface Observations {
  legacySeconds: number[];
  opaSeconds: number[];
  verificationFailures: Array<[Side, InvalidReason]>;
  /** Tokens checked with jose, by side (one entry each); absent from workers that do not count them. */
  verifications?: Side[];
}

const empty = (): Observations => ({
  legacySeconds: [],
  opaSeconds: [],
  verificationFailures: [],
  verifications: [],
});

/**
 * Instruments for a worker thread, which has no registry of the service's: they record, and the
 * worker sends what they recorded with its results for the main thread to count (applyObservations).
 */
export function recordingInstruments(): { instruments: RuntimeInstruments; take(): Observations } {
  let current = empty();
  return {
    take() {
      const taken = current;
      current = empty();
      return taken;
    },
    instruments: measuringInstruments({
      legacySeconds: (s) => current.legacySeconds.push(s),
      opaSeconds: (s) => current.opaSeconds.push(s),
      verificationFailure: (side, reason) => current.verificationFailures.push([side, reason]),
      verification: (side) => current.verifications?.push(side),
    }),
  };
}

/** Counts a worker's observations in the service's registry. */
export function applyObservations(m: ServiceMetrics, o: Observations): void {
  const legacy = m.evaluationSeconds.labels({ stage: "legacy" });
  const opa = m.evaluationSeconds.labels({ stage: "opa" });
  for (const s of o.legacySeconds) legacy.observe(s);
  for (const s of o.opaSeconds) opa.observe(s);
  for (const [side, reason] of o.verificationFailures) m.verificationFailures.inc({ side, reason });
  for (const side of o.verifications ?? []) m.verifications.inc({ side });
}
