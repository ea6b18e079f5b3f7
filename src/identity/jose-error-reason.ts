import { errors } from "jose";
import type { InvalidReason } from "./verification-result.js";

export interface ClassifiedJoseError {
  reason: InvalidReason;
  /** Time-only failures: signature, issuer and audience were already checked when jose raised them. */
  timeOnly: boolean;
  /** Failures that can change on retry (key fetch); never cached. */
  transient: boolean;
}

/** Maps jose's error codes to our stable reasons. Unknown errors are treated as malformed tokens. */
export function classifyJoseError(err: unknown): ClassifiedJoseError {
  const verdict = (reason: InvalidReason, timeOnly = false, transient = false) => ({
    reason,
    timeOnly,
    transient,
  });
  if (err instanceof errors.JWTExpired) return verdict("expired", err.claim === "exp");
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "nbf" && err.reason === "check_failed") return verdict("not_yet_valid", true);
    if (err.reason === "missing") return verdict("missing_claim");
    if (err.claim === "iss") return verdict("wrong_issuer");
    if (err.claim === "aud") return verdict("wrong_audience");
    return verdict("invalid_claim");
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return verdict("bad_signature");
  if (err instanceof errors.JOSEAlgNotAllowed) return verdict("algorithm_not_allowed");
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return verdict("unknown_key");
  }
  if (err instanceof errors.JWKSTimeout) return verdict("key_source_unavailable", false, true);
  if (err instanceof errors.JOSENotSupported) return verdict("algorithm_not_allowed");
  // A key-set endpoint answering an error status, or a body that is not a key set: the issuer's
  // problem, not the token's, and it may be over on the next try.
  if (err instanceof errors.JWKSInvalid || isKeySetHttpFailure(err))
    return verdict("key_source_unavailable", false, true);
  if (err instanceof errors.JOSEError) return verdict("malformed");
  // Network errors of a remote JWKS surface as plain errors: do not blame (or cache against) the token.
  if (err instanceof Error && /fetch|network|ECONN|ENOTFOUND|socket/i.test(err.message)) {
    return verdict("key_source_unavailable", false, true);
  }
  return verdict("malformed");
}

function isKeySetHttpFailure(err: unknown): boolean {
  return err instanceof errors.JOSEError && /JSON Web Key Set HTTP response/.test(err.message);
}
