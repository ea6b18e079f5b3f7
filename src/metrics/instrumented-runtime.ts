import type { Side } from "../contracts/index.js";
import type { InvalidReason, TokenVerifier } from "../identity/verification-result.js";
import type { LegacyEngine } from "../legacy/engine.js";
import type { PolicyEvaluator } from "../policy/evaluator.js";
import type { ServiceMetrics } from "./catalog.js";

/**
 * Decorators that time and count the differ's parts without the pure core knowing: the runtime
 * wraps its verifiers, rules engine and policy with these when the service asks for metrics.
 */
export interface RuntimeInstruments {
  verifier(side: Side, verifier: TokenVerifier): TokenVerifier;
  legacy(engine: LegacyEngine): LegacyEngine;
  policy(policy: PolicyEvaluator): PolicyEvaluator;
  /** A token checked with jose rather than answered from the cache (JoseVerifier.onVerified). */
  verified(side: Side): void;
}

/** Where measurements go: the service's registry, or a worker thread's buffer. */
export interface MeasurementSink {
  legacySeconds(seconds: number): void;
  opaSeconds(seconds: number): void;
  verificationFailure(side: Side, reason: InvalidReason): void;
  verification(side: Side): void;
}

export function measuringInstruments(sink: MeasurementSink): RuntimeInstruments {
  const timed = <T>(record: (seconds: number) => void, run: () => T): T => {
    const started = performance.now();
    try {
      return run();
    } finally {
      record((performance.now() - started) / 1000);
    }
  };
  return {
    verifier: (side, verifier) => ({
      async verify(token, at) {
        const result = await verifier.verify(token, at);
        if (!result.ok) sink.verificationFailure(side, result.reason);
        return result;
      },
    }),
    legacy: (engine) => ({
      rulesSha256: engine.rulesSha256,
      decide: (claims, request) => timed(sink.legacySeconds, () => engine.decide(claims, request)),
    }),
    policy: (policy) => ({
      entrypoint: policy.entrypoint,
      bundleSha256: policy.bundleSha256,
      evaluate: (input) => timed(sink.opaSeconds, () => policy.evaluate(input)),
    }),
    verified: (side) => sink.verification(side),
  };
}

/** Instruments that count into the service's registry directly (the differ on the main thread). */
export function metricsInstruments(m: ServiceMetrics): RuntimeInstruments {
  const legacy = m.evaluationSeconds.labels({ stage: "legacy" });
  const opa = m.evaluationSeconds.labels({ stage: "opa" });
  return measuringInstruments({
    legacySeconds: (s) => legacy.observe(s),
    opaSeconds: (s) => opa.observe(s),
    verificationFailure: (side, reason) => m.verificationFailures.inc({ side, reason }),
    verification: (side) => m.verifications.inc({ side }),
  });
}
