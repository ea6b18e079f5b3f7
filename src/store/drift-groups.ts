import {
  type DriftGroup,
  type DriftPage,
  type FindingKind,
  findingKindSchema,
  type RootCause,
  rootCauseSchema,
  type Severity,
  severitySchema,
} from "../contracts/index.js";
import { ALL_TIME, FINAL_SETTINGS, fromClickHouseTime, toCount } from "./evidence-window.js";
import type { Store } from "./open-store.js";

export interface DriftQuery {
  cohort?: string;
  kind?: FindingKind;
  severity?: Severity;
  /** Only groups of this root cause (over- and under-permissions). */
  cause?: RootCause;
  since?: Date;
  until?: Date;
  /** Only findings produced under these versions (the deployed ones, as a pinned gate counts). */
  policyBundleSha256?: string;
  legacyRulesSha256?: string;
  /** Groups per page, 1..500. */
  limit: number;
  cursor?: string;
}

interface Cursor {
  offset: number;
  /** The first page's end of window, so later pages page through the same findings. */
  untilMs: number;
}

type GroupRow = Omit<
  DriftGroup,
  "findings" | "pairs" | "firstSeen" | "lastSeen" | "kind" | "severity" | "cause"
> & {
  cause: string | null;
  kind: string;
  severity: string;
  findings: number | string;
  pairs: number | string;
  firstSeen: string;
  lastSeen: string;
};

/** A cursor that does not decode: the caller sent something we never issued (HTTP 400). */
export class BadCursorError extends Error {
  override name = "BadCursorError";
}

/**
 * Findings grouped by cohort, kind, request path, legacy rule and policy reasons, most severe and
 * most frequent first. Unpaired findings are left out: they have no decisions to compare.
 */
export async function readDriftGroups(
  store: Pick<Store, "driver" | "tables">,
  q: DriftQuery,
): Promise<DriftPage> {
  if (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > 500)
    throw new RangeError(`limit must be 1..500, got ${q.limit}`);
  const cursor = q.cursor
    ? decodeCursor(q.cursor)
    : { offset: 0, untilMs: (q.until ?? new Date()).getTime() };
  const rows = await store.driver.query<GroupRow>(
    `SELECT
  cohort, kind, severity, action, resource_type AS resourceType, legacy_rule_id AS legacyRuleId,
  reasons AS policyReasons, cause,
  count() AS findings, uniqExact(pair_id) AS pairs,
  min(observed_at) AS firstSeen, max(observed_at) AS lastSeen,
  arraySlice(arraySort(groupUniqArray(pair_id)), 1, 5) AS examplePairIds
FROM (
  SELECT *, arraySort(arrayMap(r -> toString(r), new_reasons)) AS reasons
  FROM ${store.tables.findings} FINAL
  WHERE kind != 'unpaired'
    AND ({cohort:Nullable(String)} IS NULL OR cohort = {cohort:Nullable(String)})
    AND ({kind:Nullable(String)} IS NULL OR kind = {kind:Nullable(String)})
    AND ({severity:Nullable(String)} IS NULL OR severity = {severity:Nullable(String)})
    AND ({cause:Nullable(String)} IS NULL OR cause = {cause:Nullable(String)})
    AND observed_at >= fromUnixTimestamp64Milli({sinceMs:Int64}, 'UTC')
    AND observed_at < fromUnixTimestamp64Milli({untilMs:Int64}, 'UTC')
    -- Lifecycle findings belong to no policy version (docs/lifecycle.md): pinning keeps them.
    AND (kind IN ('lifetime_drift', 'session_drift', 'claim_drift')
      OR (({policyBundleSha256:Nullable(String)} IS NULL OR policy_bundle_sha256 = {policyBundleSha256:Nullable(String)})
        AND ({legacyRulesSha256:Nullable(String)} IS NULL OR legacy_rules_sha256 = {legacyRulesSha256:Nullable(String)})))
  ${FINAL_SETTINGS}
)
GROUP BY cohort, kind, severity, action, resourceType, legacyRuleId, policyReasons, cause
ORDER BY indexOf(['critical', 'high', 'medium', 'low'], toString(severity)), findings DESC,
  cohort, kind, action, resourceType, legacyRuleId, policyReasons, cause
LIMIT {limit:UInt32} OFFSET {offset:UInt64}`,
    {
      cohort: q.cohort ?? null,
      kind: q.kind ?? null,
      severity: q.severity ?? null,
      cause: q.cause ?? null,
      sinceMs: (q.since ?? ALL_TIME.since).getTime(),
      policyBundleSha256: q.policyBundleSha256 ?? null,
      legacyRulesSha256: q.legacyRulesSha256 ?? null,
      untilMs: cursor.untilMs,
      limit: q.limit + 1,
      offset: cursor.offset,
    },
  );
  const page = rows.slice(0, q.limit).map(toGroup);
  const more = rows.length > q.limit;
  return {
    groups: page,
    nextCursor: more ? encodeCursor({ offset: cursor.offset + q.limit, untilMs: cursor.untilMs }) : null,
  };
}

function toGroup(r: GroupRow): DriftGroup {
  return {
    cohort: r.cohort,
    kind: findingKindSchema.parse(r.kind),
    severity: severitySchema.parse(r.severity),
    action: r.action,
    resourceType: r.resourceType,
    legacyRuleId: r.legacyRuleId,
    policyReasons: r.policyReasons,
    cause: r.cause === null ? null : rootCauseSchema.parse(r.cause),
    findings: toCount(r.findings),
    pairs: toCount(r.pairs),
    firstSeen: fromClickHouseTime(r.firstSeen).toISOString(),
    lastSeen: fromClickHouseTime(r.lastSeen).toISOString(),
    examplePairIds: r.examplePairIds,
  };
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c), "utf8").toString("base64url");
}

function decodeCursor(text: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as Partial<Cursor>;
    if (Number.isSafeInteger(c.offset) && (c.offset ?? -1) >= 0 && Number.isSafeInteger(c.untilMs))
      return { offset: c.offset as number, untilMs: c.untilMs as number };
  } catch {
    // fall through: any undecodable cursor is the same mistake
  }
  throw new BadCursorError("cursor is not one this API issued; start again without it");
}
