import { errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from "jose";
import type { ApiAuthConfig } from "../../contracts/index.js";
import { classifyJoseError } from "../../identity/jose-error-reason.js";
import type { InvalidReason } from "../../identity/verification-result.js";
import { type ApiPrincipal, apiRolesOf } from "./principal.js";

export type ApiVerdict =
  | { readonly ok: true; readonly principal: ApiPrincipal }
  | { readonly ok: false; readonly reason: InvalidReason; readonly detail: string };

/**
 * Verifies the review API's bearer tokens. Unlike the mirrored events' verifier, this one judges
 * time against the wall clock (a caller is here now) and caches nothing: one token per request.
 */
export class ApiVerifier {
  constructor(
    private readonly config: ApiAuthConfig,
    private readonly keys: JWTVerifyGetKey,
  ) {}

  async verify(token: string): Promise<ApiVerdict> {
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: this.config.algorithms,
        clockTolerance: this.config.clockToleranceSeconds,
        // A token without exp would be a key to the API forever; without sub, nobody to audit.
        requiredClaims: ["exp", "sub"],
      });
      return this.principalOf(payload);
    } catch (err) {
      const { reason } = classifyJoseError(err);
      return { ok: false, reason, detail: explain(reason, this.config, claimOf(err)) };
    }
  }

  private principalOf(payload: JWTPayload): ApiVerdict {
    const subject: unknown = payload.sub;
    if (typeof subject !== "string" || subject === "") {
      return { ok: false, reason: "invalid_claim", detail: explain("invalid_claim", this.config, "sub") };
    }
    return { ok: true, principal: { subject, roles: apiRolesOf(payload, this.config.rolesClaim) } };
  }
}

/** Sentences for a person reading a 401: what is wrong with the token, not jose's wording. */
function explain(reason: InvalidReason, config: ApiAuthConfig, claim: string | undefined): string {
  switch (reason) {
    case "malformed":
      return "the token is not a well-formed signed JWT";
    case "bad_signature":
      return "the token's signature does not verify: it was altered or signed by another key";
    case "unknown_key":
      return "the token is signed with a key the API does not know (its kid is not in the key set)";
    case "algorithm_not_allowed":
      return `the token's algorithm is not allowed; the API accepts ${config.algorithms.join(", ")}`;
    case "wrong_issuer":
      return `the token was not issued by ${config.issuer}`;
    case "wrong_audience":
      return `the token is not meant for audience ${config.audience}`;
    case "missing_claim":
      return `the token lacks the required claim ${claim ?? "(unnamed)"}`;
    case "invalid_claim":
      return claim ? `the token's ${claim} claim is invalid` : "the token has an invalid claim";
    case "expired":
      return "the token has expired";
    case "not_yet_valid":
      return "the token is not valid yet (its nbf lies in the future)";
    case "key_source_unavailable":
      return "the API's key set cannot be fetched now; retry later";
  }
}

function claimOf(err: unknown): string | undefined {
  return err instanceof errors.JWTClaimValidationFailed ? err.claim : undefined;
}
