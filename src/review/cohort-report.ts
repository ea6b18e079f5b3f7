import { COHORT_REPORT_SCHEMA, type CohortStoreReport, type DriftGroup } from "../contracts/index.js";
import type { ReviewService } from "./review-service.js";

/**
 * One cohort's report from the store: its stage, its gate now, the trend, its drift groups over
 * the gate's window (the most severe first, at most `maxGroups`) and its waivers. Null for a
 * cohort the config does not define.
 */
export async function buildCohortReport(
  review: ReviewService,
  cohort: string,
  options: { now: Date; maxGroups: number },
): Promise<CohortStoreReport | null> {
  const overview = await review.cohort(cohort, options.now);
  if (!overview) return null;
  const { deployed } = overview.gate;
  // The same findings the gate counted: its window, and its versions when it is pinned.
  const window = {
    since: new Date(overview.gate.window.since),
    until: new Date(overview.gate.window.until),
    ...(deployed.pinned
      ? { policyBundleSha256: deployed.policyBundleSha256, legacyRulesSha256: deployed.legacyRulesSha256 }
      : {}),
  };
  const drift: DriftGroup[] = [];
  let cursor: string | undefined;
  do {
    const page = await review.drift({
      cohort,
      ...window,
      limit: Math.min(500, options.maxGroups + 1 - drift.length),
      ...(cursor ? { cursor } : {}),
    });
    drift.push(...page.groups);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && drift.length <= options.maxGroups);
  const latent = await review.latent({ cohort, since: window.since, until: window.until, now: options.now });
  return {
    schema: COHORT_REPORT_SCHEMA,
    generatedAt: options.now.toISOString(),
    cohort,
    stage: overview.stage,
    stageSince: overview.stageSince,
    gate: overview.gate,
    trend: overview.trend.map(({ at, ...counts }) => ({ at: at.toISOString(), ...counts })),
    drift: drift.slice(0, options.maxGroups),
    driftTruncated: drift.length > options.maxGroups,
    waivers: await review.waivers({ cohort }),
    ...(latent
      ? {
          latent: {
            principalsEvaluated: latent.principalsEvaluated[cohort] ?? 0,
            entitlements: latent.entitlements,
          },
        }
      : {}),
  };
}
