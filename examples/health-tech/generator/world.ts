import { BREAK_GLASS_ACR } from "./issuers.js";
import { CareTeams, Population } from "./population.js";
import {
  type Chart,
  hasDrift,
  PRINCIPAL_KINDS,
  type Principal,
  type PrincipalKind,
  TENANTS,
  tenantOf,
} from "./principal.js";
import { plantPrincipalDrift, plantStaleEmail } from "./principal-drift.js";
import { Prng } from "./prng.js";

export interface DemoWorld {
  principals: Principal[];
  byKind: Readonly<Record<PrincipalKind, Principal[]>>;
  /** Principals without planted defects, per kind: the special events are drawn from these. */
  cleanByKind: Readonly<Record<PrincipalKind, Principal[]>>;
  chartsByTenant: Readonly<Record<string, Chart[]>>;
}

const SERVICE_CLIENTS = ["lab-interface", "appointment-reminders", "care-coordination"] as const;
const PARTNERS = ["ptn-clearwater-claims", "ptn-meridian-billing", "ptn-summit-payers"] as const;

const SHARE = {
  caregiver: 0.07,
  clinician: 0.1,
  nurse: 0.12,
  breakGlass: 0.008,
  billing: 0.025,
  admin: 0.012,
};
const MFA = "urn:healthtech:mfa";
const PASSWORD = "urn:healthtech:password";

/**
 * Builds the population: tenants, patients with care teams, staff, caregivers and clients, and
 * marks the principals that carry planted drift. Deterministic for a seed and a pool size.
 */
export function buildWorld(seed: number, poolSize: number): DemoWorld {
  const rng = Prng.derive(seed, "world");
  const people = new Population(rng);
  const size = (share: number) => Math.max(TENANTS.length, Math.round(poolSize * share));
  const clinicians = people.staff("clinician", size(SHARE.clinician), ["clinician"], ["clinician"], MFA);
  const nurses = people.staff("nurse", size(SHARE.nurse), ["nurse"], ["nurse"], MFA);
  const emergency = people.staff(
    "break-glass",
    size(SHARE.breakGlass),
    ["clinician"],
    ["clinician"],
    BREAK_GLASS_ACR,
  );
  const careTeams = new CareTeams(clinicians, nurses, emergency);
  const clients = SERVICE_CLIENTS.length * TENANTS.length + PARTNERS.length;
  const others = Object.values(SHARE).reduce((n, s) => n + size(s), 0);
  const patients = addPatients(people, careTeams, Math.max(TENANTS.length * 8, poolSize - others - clients));
  const chartsByTenant = Object.fromEntries(
    TENANTS.map((t) => [t, patients.filter((p) => p.tenant === t).map((p) => p.ownChart as Chart)]),
  );
  addCaregivers(people, careTeams, chartsByTenant, size(SHARE.caregiver));
  people.staff("billing", size(SHARE.billing), ["billing"], ["finance"], MFA);
  people.staff("admin", size(SHARE.admin), ["admin"], ["tenant_admin"], MFA);
  addClients(people);
  plantPrincipalDrift(rng, people.principals);
  plantStaleEmail(Prng.derive(seed, "stale-email"), people.principals);
  return {
    principals: people.principals,
    byKind: groupByKind(people.principals, () => true),
    cleanByKind: groupByKind(people.principals, (p) => !hasDrift(p)),
    chartsByTenant,
  };
}

function addPatients(people: Population, careTeams: CareTeams, n: number): Principal[] {
  return Array.from({ length: n }, (_, i) => {
    const tenant = tenantOf(i);
    const p = people.add("patient", {
      tenant,
      legacyRoles: ["patient"],
      newRoles: ["patient"],
      acr: PASSWORD,
    });
    p.ownChart = careTeams.chartFor(p.legacySub, tenant);
    return p;
  });
}

/** Caregivers act for one or two patients of their tenant; three in ten are patients too. */
function addCaregivers(
  people: Population,
  careTeams: CareTeams,
  chartsByTenant: Record<string, Chart[]>,
  n: number,
): Principal[] {
  const rng = people.rng;
  return Array.from({ length: n }, (_, i) => {
    const tenant = tenantOf(i);
    const alsoPatient = rng.chance(0.3);
    const roles = alsoPatient ? ["caregiver", "patient"] : ["caregiver"];
    const p = people.add("caregiver", { tenant, legacyRoles: roles, newRoles: roles, acr: PASSWORD });
    p.proxies = rng.sample(chartsByTenant[tenant] ?? [], rng.chance(0.35) ? 2 : 1);
    p.proxyFor = p.proxies.map((c) => c.ownerId);
    if (alsoPatient) p.ownChart = careTeams.chartFor(p.legacySub, tenant);
    return p;
  });
}

/** Client-credentials clients keep their client id as sub on both sides. */
function addClients(people: Population): void {
  for (const name of SERVICE_CLIENTS) {
    for (const tenant of TENANTS) people.client("service", `svc-${name}-${tenant.slice(2)}`, tenant);
  }
  PARTNERS.forEach((clientId, i) => {
    people.client("partner", clientId, tenantOf(i));
  });
}

function groupByKind(
  principals: Principal[],
  keep: (p: Principal) => boolean,
): Record<PrincipalKind, Principal[]> {
  const groups = Object.fromEntries(PRINCIPAL_KINDS.map((k) => [k, [] as Principal[]]));
  for (const p of principals) if (keep(p)) groups[p.kind]?.push(p);
  return groups as Record<PrincipalKind, Principal[]>;
}
