import type { LatentEntitlement, LatentReport } from "../contracts/index.js";
import type { LatentQuery, StoredLatentEvidence } from "./latent-evidence.js";

/**
 * Joins the modelled differences with what traffic showed. A difference is latent when no pair of
 * the cohort on that action and resource type was found to differ in the same direction: either
 * nobody tried, or they tried only where the models agree. Latent over-permissions first (the
 * breach nobody has committed yet), then the most widespread.
 */
export function buildLatentReport(evidence: StoredLatentEvidence, q: LatentQuery): LatentReport {
  const observed = new Map(evidence.observed.map((o) => [pathKey(o.cohort, o.action, o.resourceType), o]));
  const entitlements: LatentEntitlement[] = evidence.differences.map((d) => {
    const seen = observed.get(pathKey(d.cohort, d.action, d.resourceType));
    const observedFindings =
      seen === undefined ? 0 : d.direction === "over_permission" ? seen.overPermission : seen.underPermission;
    return {
      ...d,
      principalsEvaluated: evidence.principalsEvaluated[d.cohort] ?? 0,
      observedPairs: seen?.pairs ?? 0,
      observedFindings,
      latent: observedFindings === 0,
    };
  });
  entitlements.sort(byConcern);
  return {
    since: q.since.toISOString(),
    until: q.until.toISOString(),
    policyBundleSha256: q.policyBundleSha256,
    legacyRulesSha256: q.legacyRulesSha256,
    principalsEvaluated: { ...evidence.principalsEvaluated },
    entitlements,
  };
}

/** Distinct latent over-permission cells of one cohort: what `maxLatentOverPermission` bounds. */
export function latentOverPermissions(report: LatentReport, cohort: string): LatentEntitlement[] {
  return report.entitlements.filter(
    (e) => e.cohort === cohort && e.latent && e.direction === "over_permission",
  );
}

const pathKey = (cohort: string, action: string, resourceType: string) =>
  `${cohort}\u0000${action}\u0000${resourceType}`;

function byConcern(a: LatentEntitlement, b: LatentEntitlement): number {
  const rank = (e: LatentEntitlement) => (e.latent ? 0 : 2) + (e.direction === "over_permission" ? 0 : 1);
  return (
    rank(a) - rank(b) ||
    b.principals - a.principals ||
    a.cohort.localeCompare(b.cohort) ||
    a.action.localeCompare(b.action) ||
    a.resourceType.localeCompare(b.resourceType) ||
    a.scenario.localeCompare(b.scenario)
  );
}
