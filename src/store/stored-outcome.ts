import { hash } from "node:crypto";
import type { Side } from "../contracts/index.js";
import type { PairOutcome } from "../diff/pair-outcome.js";

/**
 * A PairOutcome with what the store needs besides: its identity, the request, provenance, and
 * the resource id. Raw ids (this one and PairOutcome's `subjects`) are pseudonymized before
 * anything is written: they never reach a table.
 */
export interface StoredOutcome extends PairOutcome {
  /** Deterministic: see pairIdOf. A redelivered or reprocessed pair gets the same id. */
  pairId: string;
  /** The request, so pairs without findings still count for coverage by action and resource type. */
  action: string;
  resourceType: string;
  /** `request.resource.id`, when the event has one. */
  resourceId?: string;
  /** @deprecated PairOutcome.subjects carries the subjects now; read only when it has none. */
  legacySubject?: string;
  /** @deprecated as legacySubject. */
  newSubject?: string;
  policyBundleSha256: string;
  legacyRulesSha256: string;
  /** Event time of the pair (the legacy event's observedAt), epoch milliseconds. */
  observedAtMs: number;
}

/**
 * sha256 (hex) of the correlation id, plus the side for an unpaired event: the same request
 * always maps to the same id, however often it is delivered. An unpaired event and a later pair
 * of the same request are different outcomes and get different ids.
 */
export function pairIdOf(outcome: { correlationId: string; paired: boolean; onlySide: Side | null }): string {
  // One-shot hashing (the hot path); the same bytes as hashing the two parts in sequence.
  const text = outcome.paired
    ? outcome.correlationId
    : `${outcome.correlationId}\u0000unpaired:${outcome.onlySide ?? "unknown"}`;
  return hash("sha256", text, "hex");
}
