import type { AppliedWaiver, ExpiredWaiver, FindingKind, GateEvidence, Waiver } from "../contracts/index.js";
import { MISMATCH_KINDS } from "../contracts/index.js";

/** Pairs sharing one set of findings on one request path (see store/mismatch-signatures.ts). */
export interface FindingSignature {
  kinds: readonly FindingKind[];
  action: string;
  resourceType: string;
  legacyRuleId: string | null;
  newReasons: readonly string[];
  pairs: number;
}

export interface WaiverOutcome {
  evidence: GateEvidence;
  applied: AppliedWaiver[];
  expired: ExpiredWaiver[];
}

/**
 * Takes waived mismatches out of a cohort's evidence. A pair stops counting as mismatched only
 * when every one of its mismatch findings is covered by an active waiver, and stops counting as
 * drifted only when its drift is covered; an over_permission finding is covered only by a waiver
 * that says `allowOverPermission`. Expired waivers change nothing but are reported with the
 * pairs they would still cover, so the gate can say why those count again.
 */
export function applyWaivers(
  cohort: string,
  evidence: GateEvidence,
  signatures: readonly FindingSignature[],
  waivers: readonly Waiver[],
  now: Date,
): WaiverOutcome {
  const own = waivers.filter((w) => w.scope.cohort === cohort);
  const active = own.filter((w) => isActive(w, now));
  const expired = own.filter((w) => Date.parse(w.expiresAt) <= now.getTime());
  const matched = new Map<string, number>(active.map((w) => [w.id, 0]));
  const waived = { mismatchedPairs: 0, overPermission: 0, observedDriftPairs: 0 };

  for (const signature of signatures) {
    // Waivers are credited only with what they took out: a waiver covering one of two kinds of a
    // pair whose other kind still counts excluded nothing.
    const users = new Set<string>();
    const waive = (kinds: readonly FindingKind[]): boolean => {
      if (kinds.length === 0) return false;
      const coverers = kinds.map((kind) => active.filter((w) => covers(w, kind, signature)));
      if (coverers.some((ws) => ws.length === 0)) return false;
      for (const ws of coverers) for (const w of ws) users.add(w.id);
      return true;
    };
    const mismatchKinds = signature.kinds.filter((k) => MISMATCH_KINDS.has(k));
    const driftKinds = signature.kinds.filter((k) => k === "observed_drift");
    if (waive(mismatchKinds)) {
      waived.mismatchedPairs += signature.pairs;
      if (mismatchKinds.includes("over_permission")) waived.overPermission += signature.pairs;
    }
    if (waive(driftKinds)) waived.observedDriftPairs += signature.pairs;
    for (const id of users) matched.set(id, (matched.get(id) ?? 0) + signature.pairs);
  }

  return {
    evidence: {
      ...evidence,
      mismatchedPairs: Math.max(0, evidence.mismatchedPairs - waived.mismatchedPairs),
      overPermission: Math.max(0, evidence.overPermission - waived.overPermission),
      observedDriftPairs: Math.max(0, evidence.observedDriftPairs - waived.observedDriftPairs),
    },
    applied: active.map((w) => ({ ...waiverRef(w), matchedPairs: matched.get(w.id) ?? 0 })),
    expired: expired
      .map((w) => ({ ...waiverRef(w), wouldMatchPairs: pairsCovered(w, signatures) }))
      .filter((w) => w.wouldMatchPairs > 0),
  };
}

function isActive(w: Waiver, now: Date): boolean {
  return Date.parse(w.createdAt) <= now.getTime() && now.getTime() < Date.parse(w.expiresAt);
}

/** Whether `w` covers a finding of `kind` on the signature's request path. */
export function covers(w: Waiver, kind: FindingKind, s: FindingSignature): boolean {
  const { scope } = w;
  if (kind === "unpaired") return false;
  if (kind === "over_permission" && !w.allowOverPermission) return false;
  // A waiver filed for a decision difference on a request path must not also hide a policy that
  // cannot decide there: only one that names the kind covers it.
  if (kind === "policy_error" && scope.kind !== "policy_error") return false;
  if (scope.kind !== undefined && scope.kind !== kind) return false;
  if (scope.action !== undefined && scope.action !== s.action) return false;
  if (scope.resourceType !== undefined && scope.resourceType !== s.resourceType) return false;
  if (scope.legacyRuleId !== undefined && scope.legacyRuleId !== s.legacyRuleId) return false;
  if (scope.policyReason !== undefined && !s.newReasons.includes(scope.policyReason)) return false;
  return true;
}

function pairsCovered(w: Waiver, signatures: readonly FindingSignature[]): number {
  return signatures
    .filter((s) => s.kinds.some((kind) => covers(w, kind, s)))
    .reduce((sum, s) => sum + s.pairs, 0);
}

function waiverRef(w: Waiver) {
  const { id, owner, ticket, reason, expiresAt, scope, allowOverPermission } = w;
  return { id, owner, ticket, reason, expiresAt, scope, allowOverPermission };
}
