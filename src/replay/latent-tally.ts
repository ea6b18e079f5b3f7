import type { EntitlementDifference } from "../contracts/index.js";
import type { PairOutcome } from "../diff/pair-outcome.js";
import type { ObservedPathCounts, StoredLatentEvidence } from "../latent/latent-evidence.js";

/**
 * Latent drift over a replay, in memory: each principal's latest modelled differences (as the
 * store keeps them) and what traffic showed on each request path, in the shape the store's read
 * gives, so replay and `serve` report latent drift with the same code.
 */
export class LatentTally {
  private readonly principals = new Map<
    string,
    { cohort: string; differences: readonly EntitlementDifference[] }
  >();
  private readonly observed = new Map<string, ObservedPathCounts>();

  record(o: PairOutcome, action: string, resourceType: string): void {
    if (o.entitlements)
      this.principals.set(`${o.cohort}\u0000${o.entitlements.subject}`, {
        cohort: o.cohort,
        differences: o.entitlements.differences,
      });
    if (!o.paired) return;
    const key = `${o.cohort}\u0000${action}\u0000${resourceType}`;
    let path = this.observed.get(key);
    if (!path) {
      path = { cohort: o.cohort, action, resourceType, pairs: 0, overPermission: 0, underPermission: 0 };
      this.observed.set(key, path);
    }
    if (o.legacy && o.new) path.pairs++;
    if (o.findings.some((f) => f.kind === "over_permission")) path.overPermission++;
    if (o.findings.some((f) => f.kind === "under_permission")) path.underPermission++;
  }

  evidence(): StoredLatentEvidence {
    const principalsEvaluated: Record<string, number> = {};
    const cells = new Map<string, StoredLatentEvidence["differences"][number]>();
    for (const { cohort, differences } of this.principals.values()) {
      principalsEvaluated[cohort] = (principalsEvaluated[cohort] ?? 0) + 1;
      for (const d of differences) {
        const key = [cohort, d.direction, d.action, d.resourceType, d.scenario].join("\u0000");
        const cell = cells.get(key);
        if (cell) cell.principals++;
        else cells.set(key, { ...d, newReasons: [...d.newReasons], cohort, principals: 1 });
      }
    }
    return { principalsEvaluated, differences: [...cells.values()], observed: [...this.observed.values()] };
  }
}
