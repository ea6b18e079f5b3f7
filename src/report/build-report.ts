import {
  type CohortReport,
  type Config,
  type Finding,
  type GateEvidence,
  type GateResult,
  type LatentReport,
  REPORT_SCHEMA,
  type Rejected,
  type Report,
  UNASSIGNED_COHORT,
} from "../contracts/index.js";
import { type LatentEvidence, latentCheck, lifecycleCheck, worse } from "../gates/decide-stored-gate.js";
import { evaluateGate } from "../gates/evaluate-gate.js";
import { resolveThresholds } from "../gates/resolve-thresholds.js";
import { latentOverPermissions } from "../latent/latent-report.js";
import type { CohortTally } from "../replay/cohort-tally.js";

export interface ReportInputs {
  inputs: string[];
  generatedAt: Date;
  provenance: Report["provenance"];
  cohortIds: readonly string[];
  gates: Config["gates"];
  tally: CohortTally;
  totals: { events: number; duplicates: number; rejected: number };
  findings: { listed: Finding[]; total: number };
  rejected: { listed: Rejected[]; total: number };
  /** The config has the token lifecycle mirror: gates check its budgets too. */
  lifecycle?: boolean;
  /** Latent drift over the replayed principals, when the config has a latent section. */
  latent?: LatentReport;
}

/** Assembles the report: cohorts in configuration order (then `unassigned` if it saw traffic), each with its gate. */
export function buildReport(r: ReportInputs): Report {
  const ids = [...r.cohortIds];
  if (r.tally.cohorts().includes(UNASSIGNED_COHORT)) ids.push(UNASSIGNED_COHORT);
  const cohorts: CohortReport[] = ids.map((id) => {
    const counts = r.tally.get(id);
    const { findings, ...evidence } = counts;
    return {
      id,
      pairs: counts.pairs,
      unpaired: counts.unpaired,
      mismatchedPairs: counts.mismatchedPairs,
      mismatches: findings,
      gate: gateOf(r, id, evidence),
    };
  });
  const sum = (pick: (c: CohortReport) => number) => cohorts.reduce((n, c) => n + pick(c), 0);
  return {
    schema: REPORT_SCHEMA,
    generatedAt: r.generatedAt.toISOString(),
    inputs: r.inputs,
    provenance: r.provenance,
    totals: {
      events: r.totals.events,
      duplicates: r.totals.duplicates,
      rejected: r.totals.rejected,
      pairs: sum((c) => c.pairs),
      unpaired: sum((c) => c.unpaired),
      mismatches: r.findings.total,
    },
    cohorts,
    mismatches: r.findings.listed,
    mismatchesTruncated: r.findings.listed.length < r.findings.total,
    rejected: r.rejected.listed,
    rejectedTruncated: r.rejected.listed.length < r.rejected.total,
    ...(r.latent ? { latent: r.latent } : {}),
  };
}

/** The core gate, then (as over the store) the latent and lifecycle budgets when configured. */
function gateOf(r: ReportInputs, id: string, evidence: GateEvidence): GateResult {
  const thresholds = resolveThresholds(r.gates, id);
  const core = evaluateGate(id, evidence, thresholds);
  const checks = [
    latentCheck(thresholds, r.latent ? latentEvidence(r.latent, id) : undefined),
    r.lifecycle ? lifecycleCheck(thresholds, r.tally.lifecycle(id)) : undefined,
  ].filter((c) => c !== undefined);
  const status = checks.reduce((s, c) => worse(s, c.status), core.status);
  const deciding = checks.filter((c) => status !== core.status && c.status === status);
  return {
    ...core,
    status,
    reasons: [
      ...deciding.map((c) => c.reason),
      ...core.reasons,
      ...checks.filter((c) => !deciding.includes(c)).map((c) => c.reason),
    ],
  };
}

function latentEvidence(report: LatentReport, cohort: string): LatentEvidence {
  return {
    principalsEvaluated: report.principalsEvaluated[cohort] ?? 0,
    overPermissions: latentOverPermissions(report, cohort),
  };
}
