import type { GateEvidence } from "../contracts/gate.js";
import { FINDING_KINDS, type FindingKind } from "../contracts/index.js";
import {
  ALL_TIME,
  EVIDENCE_COLUMNS,
  type EvidenceWindow,
  FINAL_SETTINGS,
  fromClickHouseTime,
  toCount,
  WINDOW_CONDITIONS,
  windowParams,
} from "./evidence-window.js";
import { toEvidence } from "./gate-evidence.js";
import type { Store } from "./open-store.js";

export interface CohortCounts extends GateEvidence {
  cohort: string;
  /** Findings per kind (a pair can carry several). */
  findings: Partial<Record<FindingKind, number>>;
  firstEventAt: Date;
  lastEventAt: Date;
}

type CohortRow = Record<keyof GateEvidence, number | string> & {
  cohort: string;
  firstEventAt: string;
  lastEventAt: string;
};
type KindRow = { cohort: string; kind: string; findings: number | string };

/** Every cohort with outcomes in the window (default: all retained), with its counts, by cohort id. */
export async function listCohorts(
  store: Pick<Store, "driver" | "tables">,
  window: Partial<EvidenceWindow> = {},
): Promise<CohortCounts[]> {
  const params = windowParams({ ...ALL_TIME, ...window });
  const from = `FROM ${store.tables.outcomes} FINAL WHERE ${WINDOW_CONDITIONS}`;
  const cohorts = await store.driver.query<CohortRow>(
    `SELECT cohort, ${EVIDENCE_COLUMNS}, min(event_time) AS firstEventAt, max(event_time) AS lastEventAt
${from}
GROUP BY cohort
ORDER BY cohort
${FINAL_SETTINGS}`,
    params,
  );
  const kinds = await store.driver.query<KindRow>(
    `SELECT cohort, kind, count() AS findings
FROM (SELECT cohort, finding_kinds ${from})
ARRAY JOIN finding_kinds AS kind
GROUP BY cohort, kind
${FINAL_SETTINGS}`,
    params,
  );
  return cohorts.map((row) => ({
    cohort: row.cohort,
    ...toEvidence(row),
    findings: findingsOf(row.cohort, kinds),
    firstEventAt: fromClickHouseTime(row.firstEventAt),
    lastEventAt: fromClickHouseTime(row.lastEventAt),
  }));
}

function findingsOf(cohort: string, rows: readonly KindRow[]): Partial<Record<FindingKind, number>> {
  const known = new Set<string>(FINDING_KINDS);
  const findings: Partial<Record<FindingKind, number>> = {};
  for (const r of rows)
    if (r.cohort === cohort && known.has(r.kind)) findings[r.kind as FindingKind] = toCount(r.findings);
  return findings;
}
