import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HEALTH_TECH_DIR } from "../../examples/health-tech/paths.js";
import type { LegacyDecision } from "../../src/contracts/index.js";
import type { Claims } from "../../src/identity/claims.js";
import type { LegacyEngine } from "../../src/legacy/engine.js";
import { loadLegacyRules } from "../../src/legacy/load-legacy-rules.js";
import type { PolicyDecision } from "../../src/policy/evaluator.js";
import { evaluateNatively } from "../policy/native-opa.js";
import { makeTempDir, POLICY_DIR, type TempDir } from "../policy/toolchain.js";

/**
 * The two models of the demo side by side, with the real legacy engine and native `opa eval`:
 * one request per path of each, the same request under the legacy token and under the new token
 * of the same person. They agree everywhere except on the rows marked PLANTED (docs/demo.md).
 */
const LEGACY_RULES = path.join(HEALTH_TECH_DIR, "legacy-rules.yaml");

interface Person {
  legacy: Claims;
  next: Claims;
}

const T = "t-riverside";
const person = (legacySub: string, roles: string[], extra: Claims = {}, newRoles = roles): Person => ({
  legacy: { sub: legacySub, roles, tenant: T, ...extra },
  next: { sub: `n-${legacySub.slice(2)}`, legacy_sub: legacySub, roles: newRoles, tenant: T, ...extra },
});
const without = (p: Person, claim: string): Person => {
  const next = { ...p.next };
  delete next[claim];
  return { legacy: p.legacy, next };
};

const patient = person("u-100501", ["patient"]);
const jitPatient: Person = {
  legacy: patient.legacy,
  next: { sub: "n-9f00aa11", roles: ["patient"], tenant: T },
};
const caregiver = person("u-100601", ["caregiver"], { proxy_for: ["u-100501"] });
const clinician = person("u-100101", ["clinician"]);
const breakGlass = person("u-100111", ["clinician"], { acr: "urn:healthtech:break-glass" });
const nurse = person("u-100201", ["nurse"]);
const billing = person("u-100301", ["billing"], {}, ["finance"]);
const admin = person("u-100401", ["admin"], {}, ["tenant_admin"]);
const client = (id: string, role: string): Person => ({
  legacy: { sub: id, roles: [role], tenant: T },
  next: { sub: id, client_id: id, roles: [role], tenant: T },
});
const service = client("svc-lab-interface-riverside", "service");
const partner = client("ptn-clearwater-claims", "partner");

const chart = (type: string, overrides: Record<string, unknown> = {}) => ({
  type,
  id: `${type}-1`,
  ownerId: "u-100501",
  tenantId: T,
  careTeam: ["u-100101", "u-100201"],
  ...overrides,
});
const stranger = (type: string) => chart(type, { ownerId: "u-100999", careTeam: ["u-100188"] });
const foreign = (type: string) => chart(type, { tenantId: "t-lakeview" });
const account = (ownerId: string) => ({ type: "user_account", id: `acct-${ownerId}`, ownerId, tenantId: T });
const audit = { type: "audit_log", id: "audit-riverside-2026-03-02", tenantId: T };
const EMERGENCY = { breakGlass: true, purposeOfUse: "emergency" };

interface Row {
  name: string;
  who: Person;
  action: string;
  resource: Record<string, unknown>;
  context?: Record<string, unknown>;
  legacy: LegacyDecision;
  next: PolicyDecision;
}

const allow = (ruleId: string): LegacyDecision => ({ allow: true, ruleId });
const deny = (ruleId: string | null = null): LegacyDecision => ({ allow: false, ruleId });
const grant = (...reasons: string[]): PolicyDecision => ({ allow: true, reasons });
const refuse = (...reasons: string[]): PolicyDecision => ({ allow: false, reasons });
const DEFAULT = refuse("deny.default");

const ROWS: Row[] = [
  {
    name: "patient reads own lab result",
    who: patient,
    action: "read",
    resource: chart("lab_result"),
    legacy: allow("patient-own-records"),
    next: grant("patient.own_record"),
  },
  {
    name: "patient books own appointment",
    who: patient,
    action: "write",
    resource: chart("appointment"),
    legacy: allow("patient-book-appointment"),
    next: grant("patient.book_appointment"),
  },
  {
    name: "patient edits own profile",
    who: patient,
    action: "write",
    resource: account("u-100501"),
    legacy: allow("own-user-account"),
    next: grant("account.own_profile"),
  },
  {
    name: "patient reads own clinical note",
    who: patient,
    action: "read",
    resource: chart("clinical_note"),
    legacy: deny(),
    next: DEFAULT,
  },
  {
    name: "patient reads another patient",
    who: patient,
    action: "read",
    resource: stranger("patient_record"),
    legacy: deny(),
    next: DEFAULT,
  },
  {
    name: "patient exports own record",
    who: patient,
    action: "export",
    resource: chart("patient_record"),
    legacy: deny("no-bulk-clinical-export"),
    next: refuse("deny.clinical_export"),
  },
  {
    name: "PLANTED jit patient reads own record",
    who: jitPatient,
    action: "read",
    resource: chart("patient_record"),
    legacy: allow("patient-own-records"),
    next: DEFAULT,
  },
  {
    name: "caregiver reads proxied record",
    who: caregiver,
    action: "read",
    resource: chart("prescription"),
    legacy: allow("caregiver-proxy-read"),
    next: grant("caregiver.proxy_read"),
  },
  {
    name: "caregiver books for proxied patient",
    who: caregiver,
    action: "write",
    resource: chart("appointment"),
    legacy: allow("caregiver-proxy-book"),
    next: grant("caregiver.proxy_book"),
  },
  {
    name: "caregiver reads unrelated patient",
    who: caregiver,
    action: "read",
    resource: stranger("patient_record"),
    legacy: deny(),
    next: DEFAULT,
  },
  {
    name: "PLANTED caregiver without migrated proxy",
    who: without(caregiver, "proxy_for"),
    action: "read",
    resource: chart("patient_record"),
    legacy: allow("caregiver-proxy-read"),
    next: DEFAULT,
  },
  {
    name: "clinician reads care-team note",
    who: clinician,
    action: "read",
    resource: chart("clinical_note"),
    context: { purposeOfUse: "treatment" },
    legacy: allow("clinician-care-team-read"),
    next: grant("clinician.care_team_read"),
  },
  {
    name: "clinician prescribes for care team",
    who: clinician,
    action: "write",
    resource: chart("prescription"),
    legacy: allow("clinician-care-team-write"),
    next: grant("clinician.care_team_write"),
  },
  {
    name: "clinician outside care team",
    who: clinician,
    action: "read",
    resource: stranger("clinical_note"),
    legacy: deny(),
    next: DEFAULT,
  },
  {
    name: "clinician in another tenant",
    who: clinician,
    action: "read",
    resource: foreign("patient_record"),
    legacy: deny("tenant-isolation"),
    next: refuse("deny.cross_tenant"),
  },
  {
    name: "clinician exports a record",
    who: clinician,
    action: "export",
    resource: chart("patient_record"),
    legacy: deny("no-bulk-clinical-export"),
    next: refuse("deny.clinical_export"),
  },
  {
    name: "PLANTED break-glass read outside care team",
    who: breakGlass,
    action: "read",
    resource: stranger("patient_record"),
    context: EMERGENCY,
    legacy: allow("break-glass-emergency-read"),
    next: DEFAULT,
  },
  {
    name: "break-glass session on own care team",
    who: breakGlass,
    action: "read",
    resource: chart("clinical_note", { careTeam: ["u-100111"] }),
    context: EMERGENCY,
    legacy: allow("clinician-care-team-read"),
    next: grant("clinician.care_team_read"),
  },
  {
    name: "nurse reads care-team lab",
    who: nurse,
    action: "read",
    resource: chart("lab_result"),
    legacy: allow("nurse-care-team-read"),
    next: grant("nurse.care_team_read"),
  },
  {
    name: "nurse writes care-team note",
    who: nurse,
    action: "write",
    resource: chart("clinical_note"),
    legacy: allow("nurse-care-team-write"),
    next: grant("nurse.care_team_write"),
  },
  {
    name: "nurse prescribes",
    who: nurse,
    action: "write",
    resource: chart("prescription"),
    legacy: deny("nurses-never-prescribe"),
    next: refuse("deny.nurse_prescribe"),
  },
  {
    name: "billing reads a bill",
    who: billing,
    action: "read",
    resource: chart("billing_record"),
    legacy: allow("billing-read"),
    next: grant("finance.billing_read"),
  },
  {
    name: "billing corrects a bill",
    who: billing,
    action: "write",
    resource: chart("billing_record"),
    legacy: allow("billing-write"),
    next: grant("finance.billing_write"),
  },
  {
    name: "PLANTED billing reads a clinical note",
    who: billing,
    action: "read",
    resource: stranger("clinical_note"),
    legacy: deny(),
    next: grant("finance.clinical_note_read"),
  },
  {
    name: "billing reads a lab result",
    who: billing,
    action: "read",
    resource: chart("lab_result"),
    legacy: deny(),
    next: DEFAULT,
  },
  {
    name: "billing in another tenant",
    who: billing,
    action: "read",
    resource: foreign("billing_record"),
    legacy: deny("tenant-isolation"),
    next: refuse("deny.cross_tenant"),
  },
  {
    name: "admin disables an account",
    who: admin,
    action: "disable",
    resource: account("u-100501"),
    legacy: allow("admin-user-accounts"),
    next: grant("admin.user_accounts"),
  },
  {
    name: "admin reads the audit log",
    who: admin,
    action: "read",
    resource: audit,
    legacy: allow("admin-audit-read"),
    next: grant("admin.audit_read"),
  },
  {
    name: "admin deletes the audit log",
    who: admin,
    action: "delete",
    resource: audit,
    legacy: deny("audit-log-immutable"),
    next: refuse("deny.audit_log_immutable"),
  },
  {
    name: "admin reads a clinical note",
    who: admin,
    action: "read",
    resource: chart("clinical_note"),
    legacy: deny(),
    next: DEFAULT,
  },
  {
    name: "service reads a lab result",
    who: service,
    action: "read",
    resource: chart("lab_result"),
    legacy: allow("service-lab-read"),
    next: grant("service.lab_read"),
  },
  {
    name: "service reads an appointment",
    who: service,
    action: "read",
    resource: chart("appointment"),
    legacy: allow("service-appointment-read"),
    next: grant("service.appointment_read"),
  },
  {
    name: "service reads a clinical note",
    who: service,
    action: "read",
    resource: chart("clinical_note"),
    legacy: deny(),
    next: DEFAULT,
  },
  {
    name: "PLANTED service without tenant claim",
    who: without(service, "tenant"),
    action: "read",
    resource: chart("lab_result"),
    legacy: allow("service-lab-read"),
    next: DEFAULT,
  },
  {
    name: "partner exports claims for payment",
    who: partner,
    action: "export",
    resource: chart("billing_record"),
    context: { purposeOfUse: "payment" },
    legacy: allow("partner-billing-export"),
    next: grant("partner.billing_export"),
  },
  {
    name: "partner exports claims for research",
    who: partner,
    action: "export",
    resource: chart("billing_record"),
    context: { purposeOfUse: "research" },
    legacy: deny(),
    next: DEFAULT,
  },
  {
    name: "partner exports a note",
    who: partner,
    action: "export",
    resource: chart("clinical_note"),
    context: { purposeOfUse: "payment" },
    legacy: deny("no-bulk-clinical-export"),
    next: refuse("deny.clinical_export"),
  },
];

let tmp: TempDir;
let legacy: LegacyEngine;
let decisions: PolicyDecision[];

beforeAll(() => {
  tmp = makeTempDir("demo-policy");
  legacy = loadLegacyRules(LEGACY_RULES);
  const inputs = ROWS.map((r) => ({
    token: r.who.next,
    action: r.action,
    resource: r.resource,
    context: r.context ?? {},
  }));
  decisions = evaluateNatively(POLICY_DIR, "authz/decision", inputs, tmp.file("inputs.json"));
});
afterAll(() => tmp?.remove());

describe("the demo's legacy rules and new policy, side by side", () => {
  it.each(ROWS.map((row, i) => [row.name, i] as const))("%s", (_name, i) => {
    const row = ROWS[i] as Row;
    const request = { action: row.action, resource: row.resource as { type: string }, context: row.context };
    expect(legacy.decide(row.who.legacy, request)).toEqual(row.legacy);
    expect(decisions[i]).toEqual(row.next);
  });

  it("disagree only on the planted rows", () => {
    const differing = ROWS.filter((r) => r.legacy.allow !== r.next.allow).map((r) => r.name);
    expect(differing.every((name) => name.startsWith("PLANTED"))).toBe(true);
    expect(differing).toHaveLength(ROWS.filter((r) => r.name.startsWith("PLANTED")).length);
  });
});
