import type { Side } from "../contracts/index.js";
import type { TokenVerifier } from "../identity/verification-result.js";
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
}

export function metricsInstruments(m: ServiceMetrics): RuntimeInstruments {
  const timeLegacy = m.evaluationSeconds.labels({ stage: "legacy" });
  const timeOpa = m.evaluationSeconds.labels({ stage: "opa" });
  return {
    verifier: (side, verifier) => ({
      async verify(token, at) {
        const result = await verifier.verify(token, at);
        if (!result.ok) m.verificationFailures.inc({ side, reason: result.reason });
        return result;
      },
    }),
    legacy: (engine) => ({
      rulesSha256: engine.rulesSha256,
      decide(claims, request) {
        const end = timeLegacy.startTimer();
        try {
          return engine.decide(claims, request);
        } finally {
          end();
        }
      },
    }),
    policy: (policy) => ({
      entrypoint: policy.entrypoint,
      bundleSha256: policy.bundleSha256,
      evaluate(input) {
        const end = timeOpa.startTimer();
        try {
          return policy.evaluate(input);
        } finally {
          end();
        }
      },
    }),
  };
}
