import { randomUUID } from "node:crypto";
import {
  type Config,
  type DriftPage,
  durationMs,
  type GateEvaluation,
  type LatentReport,
  type MismatchDetail,
  UNASSIGNED_COHORT,
  type Waiver,
  type WaiverRequest,
  waiverRequestSchema,
} from "../contracts/index.js";
import { UsageError } from "../errors/errors.js";
import { buildLatentReport } from "../latent/latent-report.js";
import { type CohortStatus, cohortStatuses } from "../promotion/cohort-status.js";
import type { DeployedVersions } from "../promotion/deployed-versions.js";
import { decideCohortGate, evaluateCohortGate } from "../promotion/evaluate-cohort-gate.js";
import { type CounterPoint, readCounterSeries } from "../store/counter-series.js";
import { type DriftQuery, readDriftGroups } from "../store/drift-groups.js";
import { type GateEvaluationQuery, listGateEvaluations } from "../store/gate-evaluations.js";
import { readLatentEvidence } from "../store/latent-entitlements.js";
import { readMismatchDetail } from "../store/mismatch-detail.js";
import type { Store } from "../store/open-store.js";
import { insertWaiver, listWaivers } from "../store/waivers.js";

/** A cohort for the overview: where it stands, and its counts over the gate window in steps. */
export interface CohortOverview extends CohortStatus {
  trend: CounterPoint[];
}

/** What the review API and the pages read and write; one place, so both show the same thing. */
export interface ReviewService {
  cohortIds(): string[];
  cohorts(now: Date): Promise<CohortOverview[]>;
  /** One cohort's overview; null for a cohort the config does not define. */
  cohort(id: string, now: Date): Promise<CohortOverview | null>;
  /** Decided now; recorded as a gate evaluation only when `record` (a gate-role POST). */
  cohortGate(
    cohort: string,
    request: { since?: Date; until?: Date; by: string; now: Date; record: boolean },
  ): Promise<GateEvaluation>;
  drift(query: DriftQuery): Promise<DriftPage>;
  mismatch(pairId: string): Promise<MismatchDetail | null>;
  waivers(filter: { cohort?: string }): Promise<Waiver[]>;
  /** Validates (zod) and appends; `by` is the authenticated subject, never taken from the body. */
  createWaiver(request: WaiverRequest, by: string, now: Date): Promise<Waiver>;
  gateEvaluations(query: GateEvaluationQuery): Promise<GateEvaluation[]>;
  /**
   * Modelled entitlement differences under the deployed versions, with whether traffic exercised
   * them; null when the config has no latent section.
   */
  latent(query: LatentQueryInput): Promise<LatentReport | null>;
}

export interface LatentQueryInput {
  cohort?: string;
  since?: Date;
  until?: Date;
  /** Only the differences traffic never exercised. */
  latentOnly?: boolean;
  now: Date;
}

/** A waiver request that is well-formed but cannot be accepted; the API answers 400 with `message`. */
export class WaiverRejectedError extends Error {
  override name = "WaiverRejectedError";
}

/** An accepted difference is temporary by design: a year at most, then it is filed again. */
const MAX_WAIVER_MS = 366 * 86_400_000;

/** Steps of the overview's trend line: 24 over the gate window, whole minutes. */
const TREND_STEPS = 24;

function trendStepSeconds(since: Date, until: Date): number {
  const seconds = (until.getTime() - since.getTime()) / 1000;
  return Math.max(60, Math.ceil(seconds / TREND_STEPS / 60) * 60);
}

export function createReviewService(
  store: Pick<Store, "driver" | "tables">,
  config: Pick<Config, "gates" | "cohorts" | "latent">,
  deployed: DeployedVersions,
): ReviewService {
  const pinned = (w: { since: Date; until: Date }) =>
    config.gates.pinToDeployed ? { ...w, ...deployed } : w;
  const overviews = async (now: Date, only?: string[]): Promise<CohortOverview[]> => {
    const statuses = await cohortStatuses(store, config, deployed, { evaluatedBy: "review-api", now }, only);
    return Promise.all(
      statuses.map(async (s) => {
        const since = new Date(s.gate.window.since);
        const until = new Date(s.gate.window.until);
        const trend = await readCounterSeries(store, {
          cohort: s.cohort,
          stepSeconds: trendStepSeconds(since, until),
          ...pinned({ since, until }),
        });
        return { ...s, trend };
      }),
    );
  };
  const cohortIds = () => [...config.cohorts.map((c) => c.id), UNASSIGNED_COHORT];
  return {
    cohortIds,
    cohorts: (now) => overviews(now),
    async cohort(id, now) {
      if (!cohortIds().includes(id)) return null;
      const [overview] = await overviews(now, [id]);
      return overview ?? null;
    },
    cohortGate(cohort, r) {
      const request = {
        cohort,
        evaluatedBy: r.by,
        now: r.now,
        ...(r.since ? { since: r.since } : {}),
        ...(r.until ? { until: r.until } : {}),
      };
      return r.record
        ? evaluateCohortGate(store, config, deployed, request)
        : decideCohortGate(store, config, deployed, request);
    },
    drift: (query) => readDriftGroups(store, query),
    mismatch: (pairId) => readMismatchDetail(store, pairId),
    waivers: (filter) => listWaivers(store, filter),
    async createWaiver(request, by, now) {
      const parsed = waiverRequestSchema.parse(request);
      const expires = Date.parse(parsed.expiresAt);
      if (expires <= now.getTime()) throw new WaiverRejectedError("expiresAt must be in the future");
      if (expires > now.getTime() + MAX_WAIVER_MS)
        throw new WaiverRejectedError(
          "expiresAt must be within a year: waivers are reviewed again, not kept forever",
        );
      if (!cohortIds().includes(parsed.scope.cohort))
        throw new WaiverRejectedError(`unknown cohort "${parsed.scope.cohort}"`);
      const waiver: Waiver = {
        id: randomUUID(),
        ...parsed,
        expiresAt: new Date(parsed.expiresAt).toISOString(),
        createdBy: by,
        createdAt: now.toISOString(),
      };
      await insertWaiver(store, waiver);
      return waiver;
    },
    gateEvaluations: (query) => listGateEvaluations(store, query),
    async latent(q) {
      if (config.latent === undefined) return null;
      const until = q.until ?? q.now;
      const since = q.since ?? new Date(until.getTime() - durationMs(config.gates.window));
      if (since.getTime() >= until.getTime())
        throw new UsageError(`since (${since.toISOString()}) must be before until (${until.toISOString()})`);
      const query = {
        since,
        until,
        ...deployed,
        ...(q.cohort ? { cohort: q.cohort } : {}),
        sightingSlackSeconds: config.latent.refreshSeconds,
      };
      const report = buildLatentReport(await readLatentEvidence(store, query), query);
      return q.latentOnly ? { ...report, entitlements: report.entitlements.filter((e) => e.latent) } : report;
    },
  };
}
