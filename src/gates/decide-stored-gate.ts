import type {
  AppliedWaiver,
  CoverageRequirement,
  CoverageResult,
  ExpiredWaiver,
  GateCheck,
  GateEvidence,
  GateResult,
  GateThresholds,
  LatentEntitlement,
  SetAsideEvidence,
  Waiver,
} from "../contracts/index.js";
import { applyWaivers, type FindingSignature } from "./apply-waivers.js";
import { checkCoverage, describeCoverage, type ObservedPath } from "./coverage-check.js";
import { evaluateGate, gateChecks } from "./evaluate-gate.js";
import { countOf } from "./format-numbers.js";

/** Everything a gate over the store decides on, already read: the decision itself does no I/O. */
export interface StoredGateInputs {
  cohort: string;
  thresholds: GateThresholds;
  /** Counts before waivers. */
  rawEvidence: GateEvidence;
  signatures: readonly FindingSignature[];
  waivers: readonly Waiver[];
  coverage: readonly CoverageRequirement[];
  observedPaths: readonly ObservedPath[];
  versions: {
    pinned: boolean;
    policyBundleSha256: string;
    legacyRulesSha256: string;
    otherVersionOutcomes: number;
    deployedSince: Date | null;
  };
  /** Read only when the thresholds bound latent over-permission. */
  latent?: LatentEvidence;
  /** Sessions with each lifecycle finding kind; read only with the token lifecycle mirror. */
  lifecycle?: LifecycleEvidence;
  /** Requests set aside unjudged in the window; read by every gate over a store that keeps them. */
  setAside?: SetAsideEvidence;
  now: Date;
}

export type LifecycleEvidence = Readonly<Record<"lifetimeDrift" | "sessionDrift" | "claimDrift", number>>;

export interface LatentEvidence {
  principalsEvaluated: number;
  overPermissions: readonly LatentEntitlement[];
}

export interface StoredGateDecision {
  result: GateResult;
  coverage: CoverageResult[];
  waivers: { applied: AppliedWaiver[]; expired: ExpiredWaiver[] };
  checks: GateCheck[];
}

/**
 * The core gate (docs/gates.md) on the evidence left after waivers, then coverage: a gate that
 * would pass but has not seen every required request path often enough is insufficient evidence.
 * Reasons keep the deciding one first and add what coverage, waivers and pinning did.
 */
export function decideStoredGate(i: StoredGateInputs): StoredGateDecision {
  const waived = applyWaivers(i.cohort, i.rawEvidence, i.signatures, i.waivers, i.now);
  const base = evaluateGate(i.cohort, waived.evidence, i.thresholds);
  const coverage = checkCoverage(i.coverage, i.observedPaths);
  const missing = coverage.filter((c) => !c.ok);
  const coverageReason = coverageSentence(coverage, missing);
  const blockedByCoverage = base.status === "pass" && missing.length > 0;
  const afterCoverage = blockedByCoverage ? "insufficient_evidence" : base.status;
  const reasons = blockedByCoverage
    ? [coverageReason, ...base.reasons]
    : [...base.reasons, ...(coverageReason ? [coverageReason] : [])];
  const latent = latentCheck(i.thresholds, i.latent);
  const lifecycle = i.lifecycle ? lifecycleCheck(i.thresholds, i.lifecycle) : undefined;
  const setAside = i.setAside ? setAsideCheck(i.setAside) : undefined;
  const extra = [latent, lifecycle, setAside].filter((c) => c !== undefined);
  const status = extra.reduce((s, c) => worse(s, c.status), afterCoverage);
  // A check that made the status worse than the core gate's says so first.
  const deciding = extra.filter(
    (c) => c.status !== "pass" && status !== afterCoverage && c.status === status,
  );
  const withLatent = [
    ...deciding.map((c) => c.reason),
    ...reasons,
    ...extra.filter((c) => !deciding.includes(c)).map((c) => c.reason),
  ];
  const result: GateResult = {
    ...base,
    status,
    reasons: [...withLatent, ...waiverSentences(waived.applied, waived.expired), ...versionSentences(i)],
  };
  const checks: GateCheck[] = [
    ...gateChecks(waived.evidence, i.thresholds),
    {
      id: "coverage",
      outcome: missing.length > 0 ? "insufficient" : "pass",
      message: coverageReason || "no coverage requirements for this cohort",
    },
    ...(latent
      ? [
          {
            id: "latent" as const,
            outcome:
              latent.status === "pass"
                ? ("pass" as const)
                : latent.status === "fail"
                  ? ("fail" as const)
                  : ("insufficient" as const),
            message: latent.reason,
          },
        ]
      : []),
    ...(lifecycle
      ? [
          {
            id: "lifecycle" as const,
            outcome: lifecycle.status === "pass" ? ("pass" as const) : ("fail" as const),
            message: lifecycle.reason,
          },
        ]
      : []),
    ...(setAside
      ? [
          {
            id: "setAside" as const,
            outcome: setAside.status === "pass" ? ("pass" as const) : ("insufficient" as const),
            message: setAside.reason,
          },
        ]
      : []),
    { id: "waivers", outcome: "info", message: waiverSummary(waived.applied, waived.expired) },
  ];
  return { result, coverage, waivers: { applied: waived.applied, expired: waived.expired }, checks };
}

const SEVERITY_ORDER: Readonly<Record<GateResult["status"], number>> = {
  pass: 0,
  insufficient_evidence: 1,
  fail: 2,
};
export const worse = (a: GateResult["status"], b: GateResult["status"]) =>
  SEVERITY_ORDER[b] > SEVERITY_ORDER[a] ? b : a;

/**
 * Latent over-permissions are breaches nobody committed yet: above the allowance the gate fails,
 * like an observed one. Without any principal evaluated there is no evidence either way. Waivers
 * do not apply: they accept observed differences, and these were never observed.
 */
export function latentCheck(
  t: GateThresholds,
  latent: LatentEvidence | undefined,
): { status: GateResult["status"]; reason: string } | undefined {
  const max = t.maxLatentOverPermission;
  if (max === undefined) return undefined;
  if (latent === undefined || latent.principalsEvaluated === 0)
    return {
      status: "insufficient_evidence",
      reason:
        "no principal's entitlement matrix evaluated under the deployed versions: latent over-permission unknown",
    };
  const n = latent.overPermissions.length;
  const evaluated = `${countOf(latent.principalsEvaluated, "principal")} evaluated`;
  if (n <= max)
    return {
      status: "pass",
      reason: `${countOf(n, "latent over-permission")} <= allowed ${max} (${evaluated})`,
    };
  const listed = latent.overPermissions.map(
    (e) => `${e.action} ${e.resourceType} (${e.scenario}, ${countOf(e.principals, "principal")})`,
  );
  return {
    status: "fail",
    reason: `${countOf(n, "latent over-permission")} > allowed ${max} (${evaluated}), never exercised by traffic: ${listed.join("; ")}`,
  };
}

const LIFECYCLE_BUDGETS = [
  { count: "lifetimeDrift", budget: "maxLifetimeDrift", what: "token lifetime drift" },
  { count: "sessionDrift", budget: "maxSessionDrift", what: "session drift" },
  { count: "claimDrift", budget: "maxClaimDrift", what: "claim drift" },
] as const;

/**
 * Token lifecycle drift, counted in sessions, each kind against its own budget (0 unless set).
 * No lifecycle events is no drift: the check passes, saying how many sessions it saw of each.
 */
export function lifecycleCheck(
  t: GateThresholds,
  e: LifecycleEvidence,
): { status: GateResult["status"]; reason: string } {
  const parts = LIFECYCLE_BUDGETS.map(({ count, budget, what }) => {
    const max = t[budget] ?? 0;
    return {
      over: e[count] > max,
      text: `${countOf(e[count], "session")} with ${what} ${e[count] > max ? ">" : "<="} allowed ${max}`,
    };
  });
  const over = parts.filter((p) => p.over);
  return {
    status: over.length > 0 ? "fail" : "pass",
    reason: `token lifecycle: ${[...over, ...parts.filter((p) => !p.over)].map((p) => p.text).join("; ")}`,
  };
}

/**
 * A request set aside was never judged: it may hold the over-permission the gate exists to catch,
 * so its window cannot pass, whatever the rates say. Not a failure either: nothing was seen to
 * differ. Judging it from its dead letters (`judge-set-aside`), or the window moving past it, clears it.
 */
export function setAsideCheck(e: SetAsideEvidence): { status: GateResult["status"]; reason: string } {
  if (e.requests === 0) return { status: "pass", reason: "no request in the window was set aside unjudged" };
  const more = e.requests > e.examples.length ? ", ..." : "";
  return {
    status: "insufficient_evidence",
    reason: `${countOf(e.requests, "request")} in the window set aside unjudged (correlation ids ${e.examples.join(", ")}${more}): judging them ended a differ worker again and again, so nothing is known of them, whatever their cohort; judge them from their dead letters (entitlement-diff judge-set-aside) once the cause is fixed`,
  };
}

function coverageSentence(all: readonly CoverageResult[], missing: readonly CoverageResult[]): string {
  if (all.length === 0) return "";
  if (missing.length === 0)
    return `coverage met: every required request path observed (${all.map(describeCoverage).join("; ")})`;
  return `coverage not met: not observed often enough: ${missing.map(describeCoverage).join("; ")}`;
}

function waiverSentences(applied: readonly AppliedWaiver[], expired: readonly ExpiredWaiver[]): string[] {
  const used = applied.filter((w) => w.matchedPairs > 0);
  return [
    ...used.map(
      (w) =>
        `waiver ${w.id} (${w.ticket}, ${w.owner}) covers ${countOf(w.matchedPairs, "pair")} until ${w.expiresAt}: not counted`,
    ),
    ...expired.map(
      (w) =>
        `waiver ${w.id} (${w.ticket}, ${w.owner}) expired at ${w.expiresAt}: its ${countOf(w.wouldMatchPairs, "pair")} count again`,
    ),
  ];
}

function waiverSummary(applied: readonly AppliedWaiver[], expired: readonly ExpiredWaiver[]): string {
  const lines = waiverSentences(applied, expired);
  const unused = applied.length - applied.filter((w) => w.matchedPairs > 0).length;
  if (unused > 0) lines.push(`${countOf(unused, "active waiver")} matched nothing in this window`);
  return lines.length > 0 ? lines.join("\n") : "no waivers for this cohort";
}

function versionSentences({ versions: v, rawEvidence }: StoredGateInputs): string[] {
  const deployed = `policy bundle ${short(v.policyBundleSha256)} and legacy rules ${short(v.legacyRulesSha256)}`;
  if (!v.pinned)
    return [`evidence not pinned: outcomes of every policy and rules version count (deployed: ${deployed})`];
  if (v.deployedSince === null && rawEvidence.pairs + rawEvidence.unpaired === 0)
    return [
      `no outcomes yet under the deployed ${deployed}${v.otherVersionOutcomes > 0 ? `; ${countOf(v.otherVersionOutcomes, "outcome")} of earlier versions are not counted` : ""}`,
    ];
  if (v.otherVersionOutcomes > 0)
    return [
      `evidence restarted with the deployed ${deployed} at ${v.deployedSince?.toISOString() ?? "?"}: ${countOf(v.otherVersionOutcomes, "outcome")} under other versions in the window are not counted`,
    ];
  return [`evidence pinned to the deployed ${deployed}`];
}

const short = (sha: string) => sha.slice(0, 12);
