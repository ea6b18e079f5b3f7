import type { Claims } from "./claims.js";

/** Why a token was refused; stable strings, used in findings and (later) metric labels. */
export type InvalidReason =
  | "malformed"
  | "bad_signature"
  | "unknown_key"
  | "algorithm_not_allowed"
  | "wrong_issuer"
  | "wrong_audience"
  | "missing_claim"
  | "invalid_claim"
  | "expired"
  | "not_yet_valid"
  | "key_source_unavailable";

export type VerificationResult =
  | { readonly ok: true; readonly claims: Claims }
  | { readonly ok: false; readonly reason: InvalidReason; readonly detail: string };

/** Verifies tokens of one issuer at a given event time (epoch seconds), not at the wall clock. */
export interface TokenVerifier {
  verify(token: string, atEpochSeconds: number): Promise<VerificationResult>;
}
