import type { Side } from "../../../src/contracts/index.js";
import type { ExpectedFinding } from "./expected-manifest.js";
import type { PlantedCase } from "./planted-cases.js";
import type { Principal } from "./principal.js";
import type { PlannedRequest } from "./scenarios.js";

/** What each side's live system decided; undefined where the mirror did not attach it. */
export type ObservedDecisions = Record<Side, boolean | undefined>;

/**
 * The findings the classifier must produce for one pair, in its order (src/diff/classify.ts): an
 * invalid token stops the comparison; else subject continuity, the two modelled decisions, and
 * each side's observed decision against its model. Throws on a difference no case planted.
 */
export function expectedPairFindings(
  p: Principal,
  planned: PlannedRequest,
  observed: ObservedDecisions,
  correlationId: string,
): ExpectedFinding[] {
  const finding = (
    kind: ExpectedFinding["kind"],
    side: Side | null,
    planted: PlantedCase,
  ): ExpectedFinding => ({
    correlationId,
    kind,
    side,
    cohort: p.cohort,
    planted,
  });
  if (p.drift.wrongAudience) return [finding("token_invalid", "new", "wrong-audience")];
  const out: ExpectedFinding[] = [];
  if (p.drift.jitMigrated) out.push(finding("subject_mismatch", null, "jit-without-legacy-sub"));
  if (planned.legacyAllow !== planned.newAllow) {
    if (!planned.drift) throw new Error(`unplanted difference in scenario ${planned.scenario}`);
    out.push(finding(planned.newAllow ? "over_permission" : "under_permission", null, planned.drift));
  }
  const modelled: Record<Side, boolean> = { legacy: planned.legacyAllow, new: planned.newAllow };
  for (const side of ["legacy", "new"] as const) {
    const seen = observed[side];
    if (seen !== undefined && seen !== modelled[side]) {
      out.push(
        finding("observed_drift", side, side === "legacy" ? "observed-drift-legacy" : "observed-drift-new"),
      );
    }
  }
  return out;
}

/** A request seen on one side only; the cohort is the principal's (patients and nurses keep theirs on the new side). */
export function expectedUnpairedFinding(p: Principal, seen: Side, correlationId: string): ExpectedFinding {
  return {
    correlationId,
    kind: "unpaired",
    side: seen,
    cohort: p.cohort,
    planted: seen === "legacy" ? "unpaired-legacy-only" : "unpaired-new-only",
  };
}
