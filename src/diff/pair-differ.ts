import { decodeJwt } from "jose";
import {
  type AuthzEvent,
  type FindingKind,
  type RootCause,
  type Side,
  UNASSIGNED_COHORT,
} from "../contracts/index.js";
import type { ClaimTranslator } from "../identity/claim-mapping.js";
import type { Claims } from "../identity/claims.js";
import { checkSubjectContinuity } from "../identity/subject-continuity.js";
import type { TokenVerifier, VerificationResult } from "../identity/verification-result.js";
import type { FactKeeper } from "../impact/replay-facts.js";
import type { EntitlementTracker, PrincipalEntitlements } from "../latent/principal-entitlements.js";
import type { LegacyEngine } from "../legacy/engine.js";
import type { PolicyDecision, PolicyEvaluator } from "../policy/evaluator.js";
import { isUndecidableInput, PolicyResultError } from "../policy/policy-errors.js";
import { classifyPair, isMismatch, toFinding } from "./classify.js";
import type { ObservedEvent, PairOutcome } from "./pair-outcome.js";
import { attributeRootCause } from "./root-cause.js";

/** The findings a root cause is attributed to: the two decisions differ. */
const DECISION_KINDS: ReadonlySet<FindingKind> = new Set(["over_permission", "under_permission"]);

/** Everything the diff of a pair needs, built once at the edge; nothing here does I/O of its own. */
export interface DiffDependencies {
  verifiers: Readonly<Record<Side, TokenVerifier>>;
  legacy: LegacyEngine;
  policy: PolicyEvaluator;
  cohortOf(claims: Claims): string;
  legacySubjectClaim: string;
  /** Note the session a request names (the token lifecycle mirror, docs/lifecycle.md). */
  sessions?: boolean;
  /** The configured claim mappings, for root-cause attribution of decision mismatches. */
  claims: ClaimTranslator;
  /** The latent entitlement matrix (docs/latent.md), when configured. */
  entitlements?: EntitlementTracker;
  /** Keeps the facts `impact` replays (docs/impact.md), when configured. */
  facts?: FactKeeper;
}

/** How much of a pair's diff to run, for a pair whose judgement ended its worker thread before (docs/service.md). */
export interface PairOptions {
  /**
   * Only the request's own two decisions and their findings: no root cause, no latent matrix, no
   * impact facts, which evaluate both models again on claims and requests of their own.
   */
  onlyDecisions?: boolean;
  /**
   * Why the new policy is not asked at all: the pair records `policy_error` with this detail.
   * Implies onlyDecisions.
   */
  skipPolicy?: string;
}

/** The rest of a diff once its tokens are verified: synchronous, no waiting left. */
export type Judgement = () => PairOutcome;

export interface PairDiffer {
  diffPair(legacy: ObservedEvent, next: ObservedEvent, options?: PairOptions): Promise<PairOutcome>;
  diffUnpaired(only: ObservedEvent, detail: string): Promise<PairOutcome>;
  /**
   * The same diffs in two steps: the verification (the one step that may wait, on a key set
   * fetch), then the judgement, which runs to its end without yielding. A worker thread can then
   * tell which pair it was judging when it stopped answering (runtime/worker-pool.ts).
   */
  preparePair(legacy: ObservedEvent, next: ObservedEvent, options?: PairOptions): Promise<Judgement>;
  prepareUnpaired(only: ObservedEvent, detail: string): Promise<Judgement>;
}

/**
 * The diff of one request: verify both tokens, evaluate the legacy rules on the legacy side and
 * the new policy on the new side, classify, and place the principal in a cohort. The same for
 * file replay, Kafka and HTTP ingest.
 */
export function createPairDiffer(deps: DiffDependencies): PairDiffer {
  const verify = (o: ObservedEvent): Promise<VerificationResult> =>
    deps.verifiers[o.event.side].verify(o.event.token, Math.floor(o.observedAtMs / 1000));

  const preparePair = async (
    legacy: ObservedEvent,
    next: ObservedEvent,
    options: PairOptions = {},
  ): Promise<Judgement> => {
    const [lv, nv] = await Promise.all([verify(legacy), verify(next)]);
    return () => judgePair(deps, legacy, next, lv, nv, options);
  };
  const prepareUnpaired = async (only: ObservedEvent, detail: string): Promise<Judgement> => {
    const verification = await verify(only);
    return () => judgeUnpaired(deps, only, verification, detail);
  };
  return {
    preparePair,
    prepareUnpaired,
    diffPair: async (legacy, next, options) => (await preparePair(legacy, next, options))(),
    diffUnpaired: async (only, detail) => (await prepareUnpaired(only, detail))(),
  };
}

function judgePair(
  deps: DiffDependencies,
  legacy: ObservedEvent,
  next: ObservedEvent,
  lv: VerificationResult,
  nv: VerificationResult,
  options: PairOptions,
): PairOutcome {
  const both = lv.ok && nv.ok ? { legacy: lv.claims, new: nv.claims } : undefined;
  const legacyDecision = both ? deps.legacy.decide(both.legacy, legacy.event.request) : null;
  const skipped = options.skipPolicy;
  const counterfactuals = skipped === undefined && options.onlyDecisions !== true;
  const policy = !both
    ? undefined
    : skipped !== undefined
      ? { decision: null, error: skipped }
      : decideByPolicy(deps.policy, policyInput(both.new, next.event));
  const newDecision = policy?.decision ?? null;
  const request = legacy.event.request;
  const cohort = cohortFor(deps, lv, legacy.event.token);
  const findings = classifyPair({
    correlationId: legacy.event.correlationId,
    cohort,
    action: request.action,
    resourceType: request.resource.type,
    observedAt: legacy.event.observedAt,
    verification: { legacy: lv, new: nv },
    continuity: both && checkSubjectContinuity(both.legacy, both.new, deps.legacySubjectClaim),
    legacy: legacyDecision,
    new: newDecision,
    ...(policy?.error !== undefined ? { policyError: policy.error } : {}),
    observed: { legacy: legacy.event.observedDecision?.allow, new: next.event.observedDecision?.allow },
  });
  if (both && counterfactuals && findings.some((f) => DECISION_KINDS.has(f.kind))) {
    const cause = rootCauseOf(deps, both, request, next.event);
    if (cause) for (const f of findings) if (DECISION_KINDS.has(f.kind)) f.cause = cause;
  }
  const entitlements =
    both &&
    counterfactuals &&
    deps.entitlements &&
    entitlementsOf(deps.entitlements, cohort, both, legacy, next);
  const replay =
    both && legacyDecision && newDecision && counterfactuals && deps.facts
      ? deps.facts.keep({
          correlationId: legacy.event.correlationId,
          newClaims: both.new,
          request: next.event.request,
          legacy: legacyDecision,
          next: newDecision,
        })
      : undefined;
  const sessionId = deps.sessions ? (legacy.event.sessionId ?? next.event.sessionId) : undefined;
  return {
    ...(entitlements ? { entitlements } : {}),
    ...(replay ? { replay } : {}),
    ...(sessionId ? { session: { id: sessionId, accepted: { legacy: lv.ok, new: nv.ok } } } : {}),
    correlationId: legacy.event.correlationId,
    cohort,
    paired: true,
    onlySide: null,
    legacy: legacyDecision,
    new: newDecision,
    findings,
    mismatch: isMismatch(findings),
    observedDrift: findings.some((f) => f.kind === "observed_drift"),
    subjects: { legacy: subjectOf(lv), new: subjectOf(nv) },
  };
}

function judgeUnpaired(
  deps: DiffDependencies,
  only: ObservedEvent,
  verification: VerificationResult,
  detail: string,
): PairOutcome {
  const e = only.event;
  const cohort = cohortFor(deps, verification, e.token);
  const finding = toFinding(
    {
      correlationId: e.correlationId,
      cohort,
      action: e.request.action,
      resourceType: e.request.resource.type,
      observedAt: e.observedAt,
      legacy: null,
      new: null,
    },
    "unpaired",
    e.side,
    detail,
  );
  const accepted = { legacy: null, new: null, [e.side]: verification.ok };
  return {
    ...(deps.sessions && e.sessionId ? { session: { id: e.sessionId, accepted } } : {}),
    correlationId: e.correlationId,
    cohort,
    paired: false,
    onlySide: e.side,
    legacy: null,
    new: null,
    findings: [finding],
    mismatch: false,
    observedDrift: false,
    subjects: {
      legacy: e.side === "legacy" ? subjectOf(verification) : null,
      new: e.side === "new" ? subjectOf(verification) : null,
    },
  };
}

function entitlementsOf(
  tracker: EntitlementTracker,
  cohort: string,
  claims: { legacy: Claims; new: Claims },
  legacy: ObservedEvent,
  next: ObservedEvent,
): PrincipalEntitlements | undefined {
  const subject = [claims.legacy.sub, claims.new.sub].find((s) => typeof s === "string");
  if (subject === undefined) return undefined;
  return tracker.observe({
    cohort,
    subject,
    legacyToken: legacy.event.token,
    newToken: next.event.token,
    legacy: claims.legacy,
    new: claims.new,
    observedAtMs: legacy.observedAtMs,
  });
}

/**
 * The new policy's decision, or why it could not decide this input. A Rego runtime error or a
 * result outside the contract on one request is a finding about the policy (`policy_error`), not
 * a reason to stop: failing would lose every other pair's evidence, and retrying cannot help,
 * since the same input fails again. Anything else (a closed evaluator, a module that cannot be
 * instantiated) is not about the input, and propagates.
 */
function decideByPolicy(
  policy: PolicyEvaluator,
  input: ReturnType<typeof policyInput>,
): { decision: PolicyDecision; error?: undefined } | { decision: null; error: string } {
  try {
    return { decision: policy.evaluate(input) };
  } catch (error) {
    if (!isUndecidableInput(error)) throw error;
    // The result itself is left out: it is the policy's output on personal claims.
    const message =
      error instanceof PolicyResultError
        ? `policy ${error.entrypoint} returned a result outside its contract: ${error.problem}`
        : error.message;
    return { decision: null, error: message };
  }
}

function subjectOf(v: VerificationResult): string | null {
  return v.ok && typeof v.claims.sub === "string" ? v.claims.sub : null;
}

function policyInput(token: Claims, event: AuthzEvent) {
  return {
    token,
    action: event.request.action,
    resource: event.request.resource,
    context: event.request.context ?? {},
  };
}

/**
 * The cohort is the population a principal belongs to. A token that failed verification is still
 * placed by its (unverified) claims so its failure counts against that cohort's gate; it can only
 * make the gate stricter, never grant anything.
 */
function cohortFor(deps: DiffDependencies, verification: VerificationResult, token: string): string {
  if (verification.ok) return deps.cohortOf(verification.claims);
  try {
    return deps.cohortOf(decodeJwt(token));
  } catch {
    return UNASSIGNED_COHORT;
  }
}

/**
 * The 2 x 2 runs the models on counterfactual claims a real token never carried; a model that
 * fails on them must not cost the finding itself: the cause is then left out (unknown).
 */
function rootCauseOf(
  deps: DiffDependencies,
  tokens: { legacy: Claims; new: Claims },
  request: AuthzEvent["request"],
  next: AuthzEvent,
): RootCause | undefined {
  try {
    return attributeRootCause(
      {
        legacyAllows: (claims) => deps.legacy.decide(claims, request).allow,
        policyAllows: (claims) => deps.policy.evaluate(policyInput(claims, next)).allow,
      },
      tokens,
      deps.claims,
    );
  } catch {
    return undefined;
  }
}
