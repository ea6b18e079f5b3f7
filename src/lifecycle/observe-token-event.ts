import { decodeJwt } from "jose";
import { type ClaimMapping, type Side, type TokenEvent, UNASSIGNED_COHORT } from "../contracts/index.js";
import type { Claims } from "../identity/claims.js";
import type { TokenVerifier } from "../identity/verification-result.js";
import { type ClaimPseudonym, mappedClaimValues } from "./mapped-claims.js";
import type { SessionFact } from "./session-fact.js";

export interface TokenEventObserverDeps {
  verifiers: Readonly<Record<Side, TokenVerifier>>;
  cohortOf(claims: Claims): string;
  mappings: readonly ClaimMapping[];
  personalClaims: ReadonlySet<string>;
  session(id: string): string;
  claim: ClaimPseudonym;
}

export interface ObservedTokenEvent {
  event: TokenEvent;
  observedAtMs: number;
  source: string;
}

export type TokenEventObserver = (o: ObservedTokenEvent) => Promise<SessionFact>;

/**
 * Verifies the event's token at the event's own time and keeps only the facts the session judge
 * compares. A token that does not verify still records the event (a logout is a logout), with
 * lifetimes and claims unknown: unverified claims are nobody's word.
 */
export function createTokenEventObserver(deps: TokenEventObserverDeps): TokenEventObserver {
  return async ({ event, observedAtMs, source }) => {
    const verified = await deps.verifiers[event.side].verify(event.token, Math.floor(observedAtMs / 1000));
    // Keys that cannot be fetched say nothing about the token: fail, so the event is retried
    // (its offset stays uncommitted) instead of being stored as an invalid token for good.
    if (!verified.ok && verified.reason === "key_source_unavailable")
      throw new Error(`${event.side} keys unavailable: ${verified.detail}`);
    const base = {
      session: deps.session(event.sessionId),
      side: event.side,
      event: event.event,
      observedAtMs,
      source,
      refreshLifetimeSeconds: event.refreshExpiresIn ?? null,
    };
    if (!verified.ok)
      return {
        ...base,
        cohort: cohortOfUnverified(deps, event.token),
        invalid: `${verified.reason}: ${verified.detail}`,
        accessLifetimeSeconds: null,
        refreshLifetimeSeconds: null,
        claims: {},
      };
    const claims = verified.claims;
    return {
      ...base,
      cohort: deps.cohortOf(claims),
      invalid: null,
      accessLifetimeSeconds: lifetimeSeconds(claims),
      claims: mappedClaimValues(claims, event.side, deps.mappings, deps.personalClaims, deps.claim),
    };
  };
}

function lifetimeSeconds(claims: Claims): number | null {
  const { iat, exp } = claims;
  return typeof iat === "number" && typeof exp === "number" ? exp - iat : null;
}

/** As for requests: an unverified token still says (unverified) who it was for, for counting. */
function cohortOfUnverified(deps: TokenEventObserverDeps, token: string): string {
  try {
    return deps.cohortOf(decodeJwt(token));
  } catch {
    return UNASSIGNED_COHORT;
  }
}
