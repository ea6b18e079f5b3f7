import type { Side } from "../contracts/index.js";
import type { InvalidReason } from "../identity/verification-result.js";
import type { ServiceMetrics } from "./catalog.js";
import type { RuntimeInstruments } from "./instrumented-runtime.js";

/** What a differ in a worker thread measured since it last reported, as plain data to post. */
export interface Observations {
  legacySeconds: number[];
  opaSeconds: number[];
  verificationFailures: Array<[Side, InvalidReason]>;
}

/**
 * Instruments for a worker thread, which has no registry of the service's: they record, and the
 * worker sends what they recorded with its results for the main thread to count (applyObservations).
 */
export function recordingInstruments(): { instruments: RuntimeInstruments; take(): Observations } {
  let current: Observations = { legacySeconds: [], opaSeconds: [], verificationFailures: [] };
  const seconds = (started: number) => (performance.now() - started) / 1000;
  return {
    take() {
      const taken = current;
      current = { legacySeconds: [], opaSeconds: [], verificationFailures: [] };
      return taken;
    },
    instruments: {
      verifier: (side, verifier) => ({
        async verify(token, at) {
          const result = await verifier.verify(token, at);
          if (!result.ok) current.verificationFailures.push([side, result.reason]);
          return result;
        },
      }),
      legacy: (engine) => ({
        rulesSha256: engine.rulesSha256,
        decide(claims, request) {
          const started = performance.now();
          try {
            return engine.decide(claims, request);
          } finally {
            current.legacySeconds.push(seconds(started));
          }
        },
      }),
      policy: (policy) => ({
        entrypoint: policy.entrypoint,
        bundleSha256: policy.bundleSha256,
        evaluate(input) {
          const started = performance.now();
          try {
            return policy.evaluate(input);
          } finally {
            current.opaSeconds.push(seconds(started));
          }
        },
      }),
    },
  };
}

/** Counts a worker's observations in the service's registry. */
export function applyObservations(m: ServiceMetrics, o: Observations): void {
  const legacy = m.evaluationSeconds.labels({ stage: "legacy" });
  const opa = m.evaluationSeconds.labels({ stage: "opa" });
  for (const s of o.legacySeconds) legacy.observe(s);
  for (const s of o.opaSeconds) opa.observe(s);
  for (const [side, reason] of o.verificationFailures) m.verificationFailures.inc({ side, reason });
}
