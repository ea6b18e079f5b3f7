import type { AuthzEvent, Finding, LegacyDecision, Side } from "../contracts/index.js";
import type { KeptPair } from "../impact/replay-facts.js";
import type { PrincipalEntitlements } from "../latent/principal-entitlements.js";
import type { PolicyDecision } from "../policy/evaluator.js";

/** A parsed mirrored event with its event time in epoch milliseconds. */
export interface ObservedEvent {
  event: AuthzEvent;
  observedAtMs: number;
}

/** Everything one pair (or one unpaired event) contributes to counters, reports and the store. */
export interface PairOutcome {
  correlationId: string;
  cohort: string;
  /** False for an unpaired event. */
  paired: boolean;
  /** The side seen, for an unpaired event. */
  onlySide: Side | null;
  legacy: LegacyDecision | null;
  new: PolicyDecision | null;
  findings: Finding[];
  /** The pair counts against the mismatch rate (any over/under permission, subject mismatch, invalid token). */
  mismatch: boolean;
  /** A side's observed decision differs from its model. */
  observedDrift: boolean;
  /**
   * The verified `sub` of each side (null when absent or unverified). Raw ids: the store
   * pseudonymizes them before writing, and reports never show them.
   */
  subjects: { legacy: string | null; new: string | null };
  /** The principal's modelled entitlement differences, when there is something new to store. */
  entitlements?: PrincipalEntitlements;
  /** The pair's replay facts, when it is kept for `impact` (every decision mismatch, a sample of the rest). */
  replay?: KeptPair;
  /**
   * The login the request belongs to, when its events named one (raw id: pseudonymized by the
   * store), and whether each side's token was accepted (null: that side's event not seen).
   */
  session?: { id: string; accepted: Record<Side, boolean | null> };
}
