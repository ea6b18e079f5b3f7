import type { Chart, Principal } from "./principal.js";
import type { Prng } from "./prng.js";
import type { DemoWorld } from "./world.js";

export type Resource = Record<string, unknown>;

const ID_PREFIX: Readonly<Record<string, string>> = {
  patient_record: "pr",
  clinical_note: "cn",
  prescription: "rx",
  lab_result: "lab",
  appointment: "apt",
  billing_record: "bill",
};

/** A resource of a patient's chart. Clinical types carry the care team; billing records do not. */
export function chartResource(type: string, chart: Chart, rng: Prng): Resource {
  const owner = chart.ownerId.slice(2);
  const id = type === "patient_record" ? `pr-${owner}` : `${ID_PREFIX[type] ?? type}-${owner}-${rng.int(60)}`;
  if (type === "billing_record") return { type, id, ownerId: chart.ownerId, tenantId: chart.tenant };
  return { type, id, ownerId: chart.ownerId, tenantId: chart.tenant, careTeam: chart.careTeam };
}

export function userAccount(ownerId: string, tenant: string): Resource {
  return { type: "user_account", id: `acct-${ownerId}`, ownerId, tenantId: tenant };
}

export function auditLog(tenant: string, rng: Prng): Resource {
  return {
    type: "audit_log",
    id: `audit-${tenant.slice(2)}-2026-03-${String(1 + rng.int(28)).padStart(2, "0")}`,
    tenantId: tenant,
  };
}

/** A chart of the principal's tenant that fails `related` (not on their care team, not proxied...). */
export function unrelatedChart(
  world: DemoWorld,
  p: Principal,
  rng: Prng,
  related: (c: Chart) => boolean,
): Chart {
  const pool = world.chartsByTenant[p.tenant] ?? [];
  for (let attempt = 0; attempt < 64; attempt++) {
    const chart = rng.pick(pool);
    if (!related(chart)) return chart;
  }
  throw new Error(`no unrelated chart for ${p.legacySub} in ${p.tenant}`);
}

/** A chart of another tenant. */
export function foreignChart(world: DemoWorld, p: Principal, rng: Prng): Chart {
  const tenants = Object.keys(world.chartsByTenant).filter((t) => t !== p.tenant);
  return rng.pick(world.chartsByTenant[rng.pick(tenants)] ?? []);
}

/** Any chart of the principal's tenant (the data that business staff and clients work on). */
export function tenantChart(world: DemoWorld, p: Principal, rng: Prng): Chart {
  return rng.pick(world.chartsByTenant[p.tenant] ?? []);
}
