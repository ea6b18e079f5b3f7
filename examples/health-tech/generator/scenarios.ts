import type { PlantedCase } from "./planted-cases.js";
import type { Chart, Principal, PrincipalKind } from "./principal.js";
import type { Prng } from "./prng.js";
import {
  auditLog,
  chartResource,
  foreignChart,
  type Resource,
  tenantChart,
  unrelatedChart,
  userAccount,
} from "./resources.js";
import type { DemoWorld } from "./world.js";

/**
 * One request a principal makes, with what each side's model decides. The two decisions differ
 * only where a planted case says so (`drift`); everything else is traffic both systems agree on,
 * which test/demo checks against the real legacy engine and `opa eval`.
 */
export interface PlannedRequest {
  scenario: string;
  action: string;
  resource: Resource;
  context: Record<string, unknown> | undefined;
  legacyAllow: boolean;
  newAllow: boolean;
  drift: PlantedCase | undefined;
}

export interface Scenario {
  name: string;
  weight: number;
  /** Whether the principal can make this request at all (e.g. has a chart of their own). */
  applies?: (p: Principal) => boolean;
  plan(p: Principal, world: DemoWorld, rng: Prng): PlannedRequest;
}

type Decisions = Pick<PlannedRequest, "legacyAllow" | "newAllow" | "drift">;

const AGREE_ALLOW: Decisions = { legacyAllow: true, newAllow: true, drift: undefined };
const AGREE_DENY: Decisions = { legacyAllow: false, newAllow: false, drift: undefined };

/** Legacy allows; the new side denies when the principal carries the planted defect. */
function allowUnless(defect: boolean, drift: PlantedCase): Decisions {
  return defect ? { legacyAllow: true, newAllow: false, drift } : AGREE_ALLOW;
}

/** An allow that rests on the subject id: lost for JIT-migrated users (no legacy_sub). */
const ownershipAllow = (p: Principal) => allowUnless(p.drift.jitMigrated, "jit-without-legacy-sub");

const PATIENT_READABLE = ["patient_record", "lab_result", "prescription", "appointment", "billing_record"];
const PROXY_READABLE = ["patient_record", "lab_result", "prescription", "appointment"];
const CARE_TEAM_READABLE = ["patient_record", "clinical_note", "prescription", "lab_result", "appointment"];
const CHARTS = ["patient_record", "clinical_note"];

const request = (
  scenario: string,
  action: string,
  resource: Resource,
  context: Record<string, unknown> | undefined,
  decisions: Decisions,
): PlannedRequest => ({ scenario, action, resource, context, ...decisions });

const portal = (rng: Prng) => ({ channel: rng.chance(0.6) ? "patient-portal" : "mobile-app" });
const TREATMENT = { purposeOfUse: "treatment", channel: "ehr" };
const EMERGENCY = { purposeOfUse: "emergency", breakGlass: true, channel: "ehr" };
const BILLING_CONSOLE = { purposeOfUse: "payment", channel: "billing-console" };
const ADMIN_CONSOLE = { purposeOfUse: "operations", channel: "admin-console" };

const own = (p: Principal): Chart => {
  if (!p.ownChart) throw new Error(`${p.legacySub} has no chart`);
  return p.ownChart;
};
const onPanel = (p: Principal) => (c: Chart) => c.careTeam.includes(p.legacySub);
const proxied = (p: Principal) => (c: Chart) => c.ownerId === p.legacySub || p.proxyFor.includes(c.ownerId);

const patient: Scenario[] = [
  {
    name: "patient.read-own",
    weight: 55,
    plan: (p, _w, rng) =>
      request(
        "patient.read-own",
        "read",
        chartResource(rng.pick(PATIENT_READABLE), own(p), rng),
        portal(rng),
        ownershipAllow(p),
      ),
  },
  {
    name: "patient.book-appointment",
    weight: 13,
    plan: (p, _w, rng) =>
      request(
        "patient.book-appointment",
        "write",
        chartResource("appointment", own(p), rng),
        portal(rng),
        ownershipAllow(p),
      ),
  },
  {
    name: "patient.own-profile",
    weight: 10,
    plan: (p, _w, rng) =>
      request(
        "patient.own-profile",
        rng.pick(["read", "write"]),
        userAccount(p.legacySub, p.tenant),
        portal(rng),
        ownershipAllow(p),
      ),
  },
  {
    name: "patient.read-own-note",
    weight: 10,
    plan: (p, _w, rng) =>
      request(
        "patient.read-own-note",
        "read",
        chartResource("clinical_note", own(p), rng),
        portal(rng),
        AGREE_DENY,
      ),
  },
  {
    name: "patient.read-other",
    weight: 4,
    plan: (p, w, rng) =>
      request(
        "patient.read-other",
        "read",
        chartResource("patient_record", unrelatedChart(w, p, rng, proxied(p)), rng),
        portal(rng),
        AGREE_DENY,
      ),
  },
  {
    name: "patient.export-own",
    weight: 3,
    plan: (p, _w, rng) =>
      request(
        "patient.export-own",
        "export",
        chartResource("patient_record", own(p), rng),
        portal(rng),
        AGREE_DENY,
      ),
  },
];

const caregiver: Scenario[] = [
  {
    name: "caregiver.proxy-read",
    weight: 55,
    plan: (p, _w, rng) =>
      request(
        "caregiver.proxy-read",
        "read",
        chartResource(rng.pick(PROXY_READABLE), rng.pick(p.proxies), rng),
        portal(rng),
        allowUnless(p.drift.proxyNotMigrated, "proxy-not-migrated"),
      ),
  },
  {
    name: "caregiver.proxy-book",
    weight: 15,
    plan: (p, _w, rng) =>
      request(
        "caregiver.proxy-book",
        "write",
        chartResource("appointment", rng.pick(p.proxies), rng),
        portal(rng),
        allowUnless(p.drift.proxyNotMigrated, "proxy-not-migrated"),
      ),
  },
  {
    name: "caregiver.own-profile",
    weight: 10,
    plan: (p, _w, rng) =>
      request(
        "caregiver.own-profile",
        rng.pick(["read", "write"]),
        userAccount(p.legacySub, p.tenant),
        portal(rng),
        AGREE_ALLOW,
      ),
  },
  {
    name: "caregiver.read-own",
    weight: 10,
    applies: (p) => p.ownChart !== undefined,
    plan: (p, _w, rng) =>
      request(
        "caregiver.read-own",
        "read",
        chartResource(rng.pick(PATIENT_READABLE), own(p), rng),
        portal(rng),
        AGREE_ALLOW,
      ),
  },
  {
    name: "caregiver.read-unrelated",
    weight: 5,
    plan: (p, w, rng) =>
      request(
        "caregiver.read-unrelated",
        "read",
        chartResource("patient_record", unrelatedChart(w, p, rng, proxied(p)), rng),
        portal(rng),
        AGREE_DENY,
      ),
  },
];

const clinician: Scenario[] = [
  {
    name: "clinician.care-team-read",
    weight: 55,
    plan: (p, _w, rng) =>
      request(
        "clinician.care-team-read",
        "read",
        chartResource(rng.pick(CARE_TEAM_READABLE), rng.pick(p.panel), rng),
        TREATMENT,
        AGREE_ALLOW,
      ),
  },
  {
    name: "clinician.care-team-write",
    weight: 28,
    plan: (p, _w, rng) =>
      request(
        "clinician.care-team-write",
        "write",
        chartResource(rng.pick(["clinical_note", "prescription", "lab_result"]), rng.pick(p.panel), rng),
        TREATMENT,
        AGREE_ALLOW,
      ),
  },
  {
    name: "clinician.outside-care-team",
    weight: 8,
    plan: (p, w, rng) =>
      request(
        "clinician.outside-care-team",
        "read",
        chartResource(rng.pick(CHARTS), unrelatedChart(w, p, rng, onPanel(p)), rng),
        TREATMENT,
        AGREE_DENY,
      ),
  },
  {
    name: "clinician.cross-tenant",
    weight: 3,
    plan: (p, w, rng) =>
      request(
        "clinician.cross-tenant",
        "read",
        chartResource("patient_record", foreignChart(w, p, rng), rng),
        TREATMENT,
        AGREE_DENY,
      ),
  },
  {
    name: "clinician.export-record",
    weight: 3,
    plan: (p, _w, rng) =>
      request(
        "clinician.export-record",
        "export",
        chartResource("patient_record", rng.pick(p.panel), rng),
        TREATMENT,
        AGREE_DENY,
      ),
  },
];

const nurse: Scenario[] = [
  {
    name: "nurse.care-team-read",
    weight: 55,
    plan: (p, _w, rng) =>
      request(
        "nurse.care-team-read",
        "read",
        chartResource(rng.pick(CARE_TEAM_READABLE), rng.pick(p.panel), rng),
        TREATMENT,
        AGREE_ALLOW,
      ),
  },
  {
    name: "nurse.care-team-write",
    weight: 25,
    plan: (p, _w, rng) =>
      request(
        "nurse.care-team-write",
        "write",
        chartResource(rng.pick(["appointment", "clinical_note"]), rng.pick(p.panel), rng),
        TREATMENT,
        AGREE_ALLOW,
      ),
  },
  {
    name: "nurse.prescribe",
    weight: 5,
    plan: (p, _w, rng) =>
      request(
        "nurse.prescribe",
        "write",
        chartResource("prescription", rng.pick(p.panel), rng),
        TREATMENT,
        AGREE_DENY,
      ),
  },
  {
    name: "nurse.outside-care-team",
    weight: 10,
    plan: (p, w, rng) =>
      request(
        "nurse.outside-care-team",
        "read",
        chartResource(rng.pick(CHARTS), unrelatedChart(w, p, rng, onPanel(p)), rng),
        TREATMENT,
        AGREE_DENY,
      ),
  },
  {
    name: "nurse.cross-tenant",
    weight: 5,
    plan: (p, w, rng) =>
      request(
        "nurse.cross-tenant",
        "read",
        chartResource("patient_record", foreignChart(w, p, rng), rng),
        TREATMENT,
        AGREE_DENY,
      ),
  },
];

const breakGlass: Scenario[] = [
  {
    name: "break-glass.emergency-read",
    weight: 70,
    plan: (p, w, rng) =>
      request(
        "break-glass.emergency-read",
        "read",
        chartResource(rng.pick(CHARTS), unrelatedChart(w, p, rng, onPanel(p)), rng),
        EMERGENCY,
        { legacyAllow: true, newAllow: false, drift: "break-glass-missing" },
      ),
  },
  {
    name: "break-glass.care-team-read",
    weight: 30,
    plan: (p, _w, rng) =>
      request(
        "break-glass.care-team-read",
        "read",
        chartResource(rng.pick(CHARTS), rng.pick(p.panel), rng),
        EMERGENCY,
        AGREE_ALLOW,
      ),
  },
];

const billing: Scenario[] = [
  {
    name: "billing.read-billing",
    weight: 65,
    plan: (p, w, rng) =>
      request(
        "billing.read-billing",
        "read",
        chartResource("billing_record", tenantChart(w, p, rng), rng),
        BILLING_CONSOLE,
        AGREE_ALLOW,
      ),
  },
  {
    name: "billing.write-billing",
    weight: 15,
    plan: (p, w, rng) =>
      request(
        "billing.write-billing",
        "write",
        chartResource("billing_record", tenantChart(w, p, rng), rng),
        BILLING_CONSOLE,
        AGREE_ALLOW,
      ),
  },
  {
    name: "billing.read-clinical-note",
    weight: 12,
    plan: (p, w, rng) =>
      request(
        "billing.read-clinical-note",
        "read",
        chartResource("clinical_note", tenantChart(w, p, rng), rng),
        BILLING_CONSOLE,
        {
          legacyAllow: false,
          newAllow: true,
          drift: "finance-role-too-broad",
        },
      ),
  },
  {
    name: "billing.cross-tenant",
    weight: 4,
    plan: (p, w, rng) =>
      request(
        "billing.cross-tenant",
        "read",
        chartResource("billing_record", foreignChart(w, p, rng), rng),
        BILLING_CONSOLE,
        AGREE_DENY,
      ),
  },
  {
    name: "billing.read-lab",
    weight: 4,
    plan: (p, w, rng) =>
      request(
        "billing.read-lab",
        "read",
        chartResource("lab_result", tenantChart(w, p, rng), rng),
        BILLING_CONSOLE,
        AGREE_DENY,
      ),
  },
];

const admin: Scenario[] = [
  {
    name: "admin.user-accounts",
    weight: 58,
    plan: (p, w, rng) =>
      request(
        "admin.user-accounts",
        rng.pick(["read", "read", "write", "create", "disable"]),
        userAccount(tenantChart(w, p, rng).ownerId, p.tenant),
        ADMIN_CONSOLE,
        AGREE_ALLOW,
      ),
  },
  {
    name: "admin.audit-read",
    weight: 30,
    plan: (p, _w, rng) =>
      request("admin.audit-read", "read", auditLog(p.tenant, rng), ADMIN_CONSOLE, AGREE_ALLOW),
  },
  {
    name: "admin.audit-delete",
    weight: 5,
    plan: (p, _w, rng) =>
      request("admin.audit-delete", "delete", auditLog(p.tenant, rng), ADMIN_CONSOLE, AGREE_DENY),
  },
  {
    name: "admin.read-clinical-note",
    weight: 4,
    plan: (p, w, rng) =>
      request(
        "admin.read-clinical-note",
        "read",
        chartResource("clinical_note", tenantChart(w, p, rng), rng),
        ADMIN_CONSOLE,
        AGREE_DENY,
      ),
  },
  {
    name: "admin.cross-tenant-account",
    weight: 3,
    plan: (p, w, rng) => {
      const chart = foreignChart(w, p, rng);
      return request(
        "admin.cross-tenant-account",
        "read",
        userAccount(chart.ownerId, chart.tenant),
        ADMIN_CONSOLE,
        AGREE_DENY,
      );
    },
  },
];

const tenantAllow = (p: Principal) => allowUnless(p.drift.tenantClaimMissing, "service-tenant-claim-missing");

const service: Scenario[] = [
  {
    name: "service.lab-read",
    weight: 60,
    plan: (p, w, rng) =>
      request(
        "service.lab-read",
        "read",
        chartResource("lab_result", tenantChart(w, p, rng), rng),
        undefined,
        tenantAllow(p),
      ),
  },
  {
    name: "service.appointment-read",
    weight: 35,
    plan: (p, w, rng) =>
      request(
        "service.appointment-read",
        "read",
        chartResource("appointment", tenantChart(w, p, rng), rng),
        undefined,
        tenantAllow(p),
      ),
  },
  {
    name: "service.read-clinical-note",
    weight: 5,
    plan: (p, w, rng) =>
      request(
        "service.read-clinical-note",
        "read",
        chartResource("clinical_note", tenantChart(w, p, rng), rng),
        undefined,
        AGREE_DENY,
      ),
  },
];

const partner: Scenario[] = [
  {
    name: "partner.billing-export",
    weight: 88,
    plan: (p, w, rng) =>
      request(
        "partner.billing-export",
        "export",
        chartResource("billing_record", tenantChart(w, p, rng), rng),
        { purposeOfUse: "payment" },
        AGREE_ALLOW,
      ),
  },
  {
    name: "partner.research-export",
    weight: 7,
    plan: (p, w, rng) =>
      request(
        "partner.research-export",
        "export",
        chartResource("billing_record", tenantChart(w, p, rng), rng),
        { purposeOfUse: "research" },
        AGREE_DENY,
      ),
  },
  {
    name: "partner.note-export",
    weight: 5,
    plan: (p, w, rng) =>
      request(
        "partner.note-export",
        "export",
        chartResource("clinical_note", tenantChart(w, p, rng), rng),
        { purposeOfUse: "payment" },
        AGREE_DENY,
      ),
  },
];

/** What each kind of principal does, with relative weights. */
export const SCENARIOS: Readonly<Record<PrincipalKind, readonly Scenario[]>> = {
  patient,
  caregiver,
  clinician,
  nurse,
  "break-glass": breakGlass,
  billing,
  admin,
  service,
  partner,
};

export function scenarioNamed(kind: PrincipalKind, name: string): Scenario {
  const found = SCENARIOS[kind].find((s) => s.name === name);
  if (!found) throw new Error(`no scenario ${name} for ${kind}`);
  return found;
}
