import type { Claims } from "../identity/claims.js";

/** Input document of the new policy: see docs/policy.md. */
export interface PolicyInput {
  token: Claims;
  action: string;
  resource: Readonly<Record<string, unknown>>;
  context: Readonly<Record<string, unknown>>;
}

/** `allow` false with no reasons when the entrypoint is undefined (default deny). */
export interface PolicyDecision {
  allow: boolean;
  reasons: string[];
}

/** The new CIAM's policy, evaluated in-process and synchronously (one instance per thread). */
export interface PolicyEvaluator {
  readonly entrypoint: string;
  /** sha256 (hex) of the compiled policy, for provenance in reports and the store. */
  readonly bundleSha256: string;
  evaluate(input: PolicyInput): PolicyDecision;
}
