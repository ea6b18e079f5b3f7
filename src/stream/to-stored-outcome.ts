import type { Report } from "../contracts/index.js";
import type { ObservedEvent, PairOutcome } from "../diff/pair-outcome.js";
import { pairIdOf, type StoredOutcome } from "../store/stored-outcome.js";

/**
 * Adds to an outcome what the store keys and reports it by: pair id, request, provenance. In
 * place: the outcome is the caller's own, and a copy of every outcome (often a dictionary-mode
 * object fresh from a worker) cost the hot path measurably.
 */
export function toStoredOutcome(
  outcome: PairOutcome,
  first: ObservedEvent,
  provenance: Report["provenance"],
): StoredOutcome {
  const request = first.event.request;
  return Object.assign(outcome, {
    pairId: pairIdOf(outcome),
    action: request.action,
    resourceType: request.resource.type,
    resourceId: request.resource.id,
    policyBundleSha256: provenance.policyBundleSha256,
    legacyRulesSha256: provenance.legacyRulesSha256,
    observedAtMs: first.observedAtMs,
  });
}
