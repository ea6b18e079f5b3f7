import { IMPACT_REPORT_SCHEMA, type ImpactReport } from "../contracts/index.js";
import { countOf } from "../gates/format-numbers.js";
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
  truncated: boolean;
  now: Date;
}

/** The impact report: it fails on any introduced over-permission, and never passes on no evidence. */
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
    truncated: i.truncated,
    ...decide(cohorts, i.truncated),
  };
}

function decide(
  cohorts: ImpactReport["cohorts"],
  truncated: boolean,
): Pick<ImpactReport, "status" | "reasons" | "ok"> {
  const sum = (f: (c: ImpactReport["cohorts"][number]) => number) => cohorts.reduce((n, c) => n + f(c), 0);
  const over = sum((c) => c.introducedOverPermission);
  const errors = sum((c) => c.candidateErrors);
  const replayed = sum((c) => c.mismatches + c.matchedSample);
  const reasons: string[] = [];
  if (over > 0) reasons.push(`${countOf(over, "over-permission")} introduced`);
  if (errors > 0) reasons.push(`the candidate failed on ${countOf(errors, "stored pair")}`);
  if (truncated) reasons.push("more stored pairs than --max-pairs: the replay is incomplete");
  if (replayed === 0) reasons.push("no replayable stored pair in the window");
  const status =
    over > 0 || errors > 0 ? "fail" : truncated || replayed === 0 ? "insufficient_evidence" : "pass";
  if (status === "pass")
    reasons.push(`no over-permission introduced in ${countOf(replayed, "replayed pair")}`);
  return { status, reasons, ok: status === "pass" };
}
