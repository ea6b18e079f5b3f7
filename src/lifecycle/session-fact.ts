import type { LifecycleEvent, Side } from "../contracts/index.js";

/**
 * What one token lifecycle event says, reduced to what the session judge needs: no token, the
 * session pseudonymized, mapped claim values pseudonymized where personal. Stored as is.
 */
export interface SessionFact {
  /** Pseudonym of the event's sessionId. */
  session: string;
  side: Side;
  event: LifecycleEvent;
  observedAtMs: number;
  /**
   * Where the fact came from (a tokens partition number, "http" or a file): a fact is judged
   * one-sided only once this source has delivered the other side past it (factsComplete).
   */
  source: string;
  /** The cohort of the token's principal (as for requests: by the legacy token when there is one). */
  cohort: string;
  /** Why the token did not verify; lifetimes and claims are then unknown (null). */
  invalid: string | null;
  /** exp - iat of the access token, in seconds. */
  accessLifetimeSeconds: number | null;
  /** The refresh token's lifetime from the token response, in seconds. */
  refreshLifetimeSeconds: number | null;
  /**
   * Per claim mapping, by mappingKey (`legacy>new` claim names): the claim's value in the new
   * token's vocabulary (canonical JSON), pseudonymized when personal; null when the claim is absent.
   */
  claims: Record<string, string | null>;
}

/** One request of a session (an authz pair or unpaired event that named its sessionId). */
export interface SessionUse {
  session: string;
  observedAtMs: number;
  correlationId: string;
  cohort: string;
  /** Per side: whether its token verified; null when that side's event was not seen. */
  accepted: Record<Side, boolean | null>;
}

/**
 * Up to which event time a source has delivered each side's facts: `factsComplete(source, side)`
 * at or beyond t means no fact of that side dated before t is still to come. Replay of a whole
 * file says +Infinity; the service reads it from the store (docs/lifecycle.md).
 */
export type FactsComplete = (source: string, side: Side) => number;
