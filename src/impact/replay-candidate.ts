import type { CohortImpact, ImpactChange } from "../contracts/index.js";
import type { PolicyEvaluator } from "../policy/evaluator.js";
import { type KeptKind, policyInputOf, type ReplayFacts } from "./replay-facts.js";

/** One stored pair, as `impact` reads it back. */
export interface StoredFact {
  cohort: string;
  kind: KeptKind;
  action: string;
  resourceType: string;
  legacyAllow: boolean;
  legacyRuleId: string | null;
  newAllow: boolean;
  replayable: boolean;
  facts: ReplayFacts;
}

const CHANGE_ORDER: Readonly<Record<ImpactChange["change"], number>> = {
  introduced_over_permission: 0,
  introduced_under_permission: 1,
  fixed: 2,
};

/**
 * Decides every stored pair again under a candidate policy, with the legacy decision as the
 * oracle: a stored mismatch the candidate decides as legacy did is fixed; a sampled agreeing pair
 * it decides otherwise is a mismatch it introduces. Pure: the candidate is evaluated in-process.
 */
export function replayCandidate(
  facts: readonly StoredFact[],
  candidate: Pick<PolicyEvaluator, "evaluate">,
): { cohorts: CohortImpact[]; changes: ImpactChange[] } {
  const cohorts = new Map<string, CohortImpact>();
  const changes = new Map<string, ImpactChange>();
  const note = (f: StoredFact, change: ImpactChange["change"], reasons: string[]) => {
    const candidateReasons = [...reasons].sort();
    const key = JSON.stringify([
      f.cohort,
      change,
      f.action,
      f.resourceType,
      f.legacyRuleId,
      candidateReasons,
    ]);
    const entry = changes.get(key);
    if (entry) entry.pairs++;
    else
      changes.set(key, {
        cohort: f.cohort,
        change,
        action: f.action,
        resourceType: f.resourceType,
        legacyRuleId: f.legacyRuleId,
        candidateReasons,
        pairs: 1,
      });
  };
  for (const f of facts) {
    const c = cohortEntry(cohorts, f.cohort);
    if (!f.replayable) {
      c.notReplayable++;
      continue;
    }
    const decision = evaluateOrUndefined(candidate, f.facts);
    if (decision === undefined) {
      c.candidateErrors++;
      continue;
    }
    const agrees = decision.allow === f.legacyAllow;
    if (f.kind === "match") {
      c.matchedSample++;
      if (agrees) continue;
      if (decision.allow) c.introducedOverPermission++;
      else c.introducedUnderPermission++;
      note(
        f,
        decision.allow ? "introduced_over_permission" : "introduced_under_permission",
        decision.reasons,
      );
    } else {
      c.mismatches++;
      if (!agrees) continue;
      c.fixed++;
      note(f, "fixed", decision.reasons);
    }
  }
  return {
    cohorts: [...cohorts.values()].sort((a, b) => a.cohort.localeCompare(b.cohort)),
    changes: [...changes.values()].sort(
      (a, b) =>
        CHANGE_ORDER[a.change] - CHANGE_ORDER[b.change] ||
        b.pairs - a.pairs ||
        a.cohort.localeCompare(b.cohort),
    ),
  };
}

/** A candidate that throws on a stored input is a defect of the candidate: counted, never skipped silently. */
function evaluateOrUndefined(candidate: Pick<PolicyEvaluator, "evaluate">, facts: ReplayFacts) {
  try {
    return candidate.evaluate(policyInputOf(facts));
  } catch {
    return undefined;
  }
}

function cohortEntry(cohorts: Map<string, CohortImpact>, cohort: string): CohortImpact {
  let entry = cohorts.get(cohort);
  if (!entry) {
    entry = {
      cohort,
      mismatches: 0,
      fixed: 0,
      matchedSample: 0,
      introducedOverPermission: 0,
      introducedUnderPermission: 0,
      notReplayable: 0,
      candidateErrors: 0,
    };
    cohorts.set(cohort, entry);
  }
  return entry;
}
