import type { GateEvidence } from "../contracts/gate.js";
import {
  EVIDENCE_COLUMNS,
  type EvidenceWindow,
  FINAL_SETTINGS,
  toCount,
  WINDOW_CONDITIONS,
  windowParams,
} from "./evidence-window.js";
import type { Store } from "./open-store.js";

export interface GateEvidenceQuery extends EvidenceWindow {
  cohort: string;
}

type EvidenceRow = Record<keyof GateEvidence, number | string>;

/**
 * A cohort's gate evidence over [since, until): each pair counted once however often it was
 * delivered (FINAL on the ReplacingMergeTree keyed by pair id), optionally only the outcomes
 * produced under the given policy bundle and legacy rules.
 */
export async function readGateEvidence(
  store: Pick<Store, "driver" | "tables">,
  q: GateEvidenceQuery,
): Promise<GateEvidence> {
  const rows = await store.driver.query<EvidenceRow>(
    `SELECT ${EVIDENCE_COLUMNS}
FROM ${store.tables.outcomes} FINAL
WHERE cohort = {cohort:String}
  AND ${WINDOW_CONDITIONS}
${FINAL_SETTINGS}`,
    { ...windowParams(q), cohort: q.cohort },
  );
  return toEvidence(rows[0]);
}

export function toEvidence(row: EvidenceRow | undefined): GateEvidence {
  if (!row) return { pairs: 0, mismatchedPairs: 0, overPermission: 0, unpaired: 0, observedDriftPairs: 0 };
  return {
    pairs: toCount(row.pairs),
    mismatchedPairs: toCount(row.mismatchedPairs),
    overPermission: toCount(row.overPermission),
    unpaired: toCount(row.unpaired),
    observedDriftPairs: toCount(row.observedDriftPairs),
  };
}
