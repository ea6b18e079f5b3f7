import { randomUUID } from "node:crypto";
import { type Config, durationMs, GATE_EVALUATION_SCHEMA, type GateEvaluation } from "../contracts/index.js";
import { decideStoredGate, type LatentEvidence } from "../gates/decide-stored-gate.js";
import { resolveThresholds } from "../gates/resolve-thresholds.js";
import { buildLatentReport, latentOverPermissions } from "../latent/latent-report.js";
import { readCoverage } from "../store/coverage.js";
import { readEvidenceVersions } from "../store/evidence-versions.js";
import { insertGateEvaluation } from "../store/gate-evaluations.js";
import { readGateEvidence } from "../store/gate-evidence.js";
import { readLatentEvidence } from "../store/latent-entitlements.js";
import { readMismatchSignatures } from "../store/mismatch-signatures.js";
import type { Store } from "../store/open-store.js";
import { readLifecycleCounts } from "../store/session-lifecycle.js";
import { readSetAside } from "../store/set-aside-pairs.js";
import { listWaivers } from "../store/waivers.js";
import type { DeployedVersions } from "./deployed-versions.js";

export interface CohortGateRequest {
  cohort: string;
  /** The window given on the command line; what is missing comes from the configured one ending now. */
  since?: Date;
  until?: Date;
  /** Count every version's outcomes, not only the deployed ones' (a deliberate override). */
  allVersions?: boolean;
  evaluatedBy: string;
  now: Date;
}

export type GateStore = Pick<Store, "driver" | "tables">;

/** What of the config a gate reads: thresholds, and the latent matrix and lifecycle mirror when on. */
export type GateConfig = Pick<Config, "gates"> & Partial<Pick<Config, "latent" | "lifecycle">>;

/**
 * Reads a cohort's evidence from the store, decides its gate and appends the evaluation to
 * gate_evaluations. A store failure rejects (StoreError, exit 69): a gate that cannot read or
 * record its evidence never passes.
 */
export async function evaluateCohortGate(
  store: GateStore,
  config: GateConfig,
  deployed: DeployedVersions,
  request: CohortGateRequest,
): Promise<GateEvaluation> {
  const evaluation = await decideCohortGate(store, config, deployed, request);
  await insertGateEvaluation(store, evaluation);
  return evaluation;
}

/** The same without recording it: for read-only views (the API's cohort overview). */
export async function decideCohortGate(
  store: GateStore,
  { gates, latent: matrix, lifecycle: lifecycleMirror }: GateConfig,
  deployed: DeployedVersions,
  request: CohortGateRequest,
): Promise<GateEvaluation> {
  const { cohort, now } = request;
  const fromFlags = request.since !== undefined || request.until !== undefined;
  const until = request.until ?? now;
  const since = request.since ?? new Date(until.getTime() - durationMs(gates.window));
  const pinned = request.allVersions !== true && gates.pinToDeployed;
  const window = { since, until, ...(pinned ? deployed : {}) };

  const thresholds = resolveThresholds(gates, cohort);
  const [rawEvidence, signatures, waivers, observedPaths, versions, latent, lifecycle, setAside] =
    await Promise.all([
      readGateEvidence(store, { cohort, ...window }),
      readMismatchSignatures(store, { cohort, ...window }),
      listWaivers(store, { cohort }),
      readCoverage(store, { cohort, ...window }),
      readEvidenceVersions(store, { cohort, since, until, ...deployed }),
      thresholds.maxLatentOverPermission === undefined
        ? undefined
        : readLatent(store, {
            cohort,
            since,
            until,
            ...deployed,
            sightingSlackSeconds: matrix?.refreshSeconds ?? 0,
          }),
      lifecycleMirror ? readLifecycleCounts(store, { cohort, since, until }) : undefined,
      readSetAside(store, { since, until }),
    ]);
  const decision = decideStoredGate({
    cohort,
    thresholds,
    ...(latent ? { latent } : {}),
    ...(lifecycle ? { lifecycle } : {}),
    setAside,
    rawEvidence,
    signatures,
    waivers,
    coverage: gates.coverage[cohort] ?? [],
    observedPaths,
    versions: { pinned, ...deployed, ...versions },
    now,
  });
  return {
    schema: GATE_EVALUATION_SCHEMA,
    id: randomUUID(),
    ...decision.result,
    evaluatedAt: now.toISOString(),
    evaluatedBy: request.evaluatedBy,
    window: {
      since: since.toISOString(),
      until: until.toISOString(),
      source: fromFlags ? "flags" : "config",
    },
    deployed: {
      ...deployed,
      pinned,
      otherVersionOutcomes: pinned ? versions.otherVersionOutcomes : 0,
      evidenceSince: versions.deployedSince?.toISOString() ?? null,
    },
    rawEvidence,
    coverage: decision.coverage,
    waivers: decision.waivers,
    checks: decision.checks,
    ...(latent
      ? {
          latent: {
            principalsEvaluated: latent.principalsEvaluated,
            overPermissions: [...latent.overPermissions],
          },
        }
      : {}),
    ...(lifecycle ? { lifecycle: { ...lifecycle } } : {}),
    setAside,
  };
}

/** Always under the deployed versions: latent drift is a property of the models that will serve. */
async function readLatent(
  store: GateStore,
  q: { cohort: string; since: Date; until: Date; sightingSlackSeconds: number } & DeployedVersions,
): Promise<LatentEvidence> {
  const report = buildLatentReport(await readLatentEvidence(store, q), q);
  return {
    principalsEvaluated: report.principalsEvaluated[q.cohort] ?? 0,
    overPermissions: latentOverPermissions(report, q.cohort),
  };
}
