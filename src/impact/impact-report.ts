import { IMPACT_REPORT_SCHEMA, type ImpactReport } from "../contracts/index.js";
import type { PolicyEvaluator } from "../policy/evaluator.js";
import { replayCandidate, type StoredFact } from "./replay-candidate.js";

export interface ImpactInputs {
  facts: readonly StoredFact[];
  candidate: Pick<PolicyEvaluator, "evaluate" | "bundleSha256">;
  candidateFile: string;
  deployed: { policyBundleSha256: string; legacyRulesSha256: string };
  since: Date;
  until: Date;
  matchedSampleRate: number;
  now: Date;
}

/** The impact report: `ok` is false when the candidate introduces any over-permission. */
export function buildImpactReport(i: ImpactInputs): ImpactReport {
  const { cohorts, changes } = replayCandidate(i.facts, i.candidate);
  return {
    schema: IMPACT_REPORT_SCHEMA,
    generatedAt: i.now.toISOString(),
    since: i.since.toISOString(),
    until: i.until.toISOString(),
    candidate: { file: i.candidateFile, policyBundleSha256: i.candidate.bundleSha256 },
    deployed: { ...i.deployed },
    matchedSampleRate: i.matchedSampleRate,
    cohorts,
    changes,
    ok: cohorts.every((c) => c.introducedOverPermission === 0),
  };
}
