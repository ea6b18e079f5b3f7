import { type Waiver, waiverSchema } from "../contracts/index.js";
import { fromClickHouseTime } from "./evidence-window.js";
import type { Store } from "./open-store.js";
import { clickHouseTime } from "./outcome-rows.js";

type StoreTablesOf = Pick<Store, "driver" | "tables">;

interface WaiverRow {
  waiver_id: string;
  cohort: string;
  kind: string | null;
  action: string | null;
  resource_type: string | null;
  legacy_rule_id: string | null;
  policy_reason: string | null;
  allow_over_permission: boolean;
  owner: string;
  reason: string;
  ticket: string;
  expires_at: string;
  created_by: string;
  created_at: string;
}

/** Appends a waiver; waivers are never updated or deleted (an expiry ends them). */
export async function insertWaiver(store: StoreTablesOf, waiver: Waiver): Promise<void> {
  const { scope } = waiver;
  const row: WaiverRow = {
    waiver_id: waiver.id,
    cohort: scope.cohort,
    kind: scope.kind ?? null,
    action: scope.action ?? null,
    resource_type: scope.resourceType ?? null,
    legacy_rule_id: scope.legacyRuleId ?? null,
    policy_reason: scope.policyReason ?? null,
    allow_over_permission: waiver.allowOverPermission,
    owner: waiver.owner,
    reason: waiver.reason,
    ticket: waiver.ticket,
    expires_at: clickHouseTime(Date.parse(waiver.expiresAt)),
    created_by: waiver.createdBy,
    created_at: clickHouseTime(Date.parse(waiver.createdAt)),
  };
  await store.driver.insert(store.tables.waivers, [row]);
}

/** Waivers of one cohort (or all), oldest first. */
export async function listWaivers(store: StoreTablesOf, filter: { cohort?: string } = {}): Promise<Waiver[]> {
  const rows = await store.driver.query<WaiverRow>(
    `SELECT * FROM ${store.tables.waivers}
WHERE ({cohort:Nullable(String)} IS NULL OR cohort = {cohort:Nullable(String)})
ORDER BY created_at, waiver_id`,
    { cohort: filter.cohort ?? null },
  );
  return rows.map(toWaiver);
}

/** Validated on the way out too: a row that is not a waiver must not silently widen a gate. */
function toWaiver(r: WaiverRow): Waiver {
  const optional = {
    kind: r.kind,
    action: r.action,
    resourceType: r.resource_type,
    legacyRuleId: r.legacy_rule_id,
    policyReason: r.policy_reason,
  };
  const scope = {
    cohort: r.cohort,
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== null)),
  };
  return waiverSchema.parse({
    id: r.waiver_id,
    owner: r.owner,
    reason: r.reason,
    ticket: r.ticket,
    scope,
    expiresAt: fromClickHouseTime(r.expires_at).toISOString(),
    allowOverPermission: r.allow_over_permission,
    createdBy: r.created_by,
    createdAt: fromClickHouseTime(r.created_at).toISOString(),
  });
}
