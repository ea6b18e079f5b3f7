import fc from "fast-check";
import type { PolicyInput } from "../../src/policy/evaluator.js";

/**
 * Generated policy inputs across the demo's vocabulary (docs/policy.md), unknown values included.
 * Ids come from small pools and are linked on purpose (owner = caller, caller on the care team,
 * same tenant) often enough that the allow paths are reached, not just the default deny.
 */
const LEGACY_IDS = ["u-000123", "u-000124", "u-000200", "u-000777"];
const NEW_SUBS = ["n-7f3a9c21", "n-0b81d4e2", "n-c3aa0017"];
const ROLES = [
  "patient",
  "caregiver",
  "clinician",
  "nurse",
  "billing",
  "finance",
  "admin",
  "tenant_admin",
  "service",
  "partner",
  "Clinician",
  "auditor",
  "",
];
const TENANTS = ["t-01", "t-02", "t-03", "t-99"];
const ACTIONS = ["read", "write", "export", "delete", "create", "disable", "READ", "approve", ""];
const RESOURCE_TYPES = [
  "patient_record",
  "clinical_note",
  "prescription",
  "lab_result",
  "appointment",
  "billing_record",
  "audit_log",
  "user_account",
  "imaging_study",
  "",
];
/** What each kind of caller typically does, so half of the requests are plausible ones. */
const SCENARIOS: readonly (readonly [role: string, action: string, types: readonly string[]])[] = [
  [
    "patient",
    "read",
    ["patient_record", "lab_result", "prescription", "appointment", "billing_record", "clinical_note"],
  ],
  ["patient", "write", ["appointment", "user_account"]],
  ["caregiver", "read", ["patient_record", "lab_result", "prescription", "appointment", "user_account"]],
  ["caregiver", "write", ["appointment"]],
  ["clinician", "read", ["patient_record", "clinical_note", "lab_result", "prescription"]],
  ["clinician", "write", ["clinical_note", "prescription", "lab_result"]],
  ["clinician", "export", ["patient_record", "clinical_note"]],
  ["nurse", "read", ["patient_record", "clinical_note", "appointment"]],
  ["nurse", "write", ["appointment", "clinical_note", "prescription"]],
  ["billing", "read", ["billing_record", "clinical_note"]],
  ["finance", "read", ["billing_record", "clinical_note"]],
  ["finance", "write", ["billing_record"]],
  ["admin", "read", ["audit_log", "user_account"]],
  ["tenant_admin", "read", ["audit_log", "user_account"]],
  ["tenant_admin", "write", ["user_account", "audit_log"]],
  ["tenant_admin", "delete", ["audit_log"]],
  ["service", "read", ["lab_result", "appointment", "clinical_note"]],
  ["partner", "export", ["billing_record"]],
];
const PURPOSES = ["treatment", "emergency", "payment", "operations", "research", "marketing"];

const oneOf = <T>(values: readonly T[]) => fc.constantFrom(...values);
/** Mostly the demo's values, sometimes anything. */
const mostly = <T>(usual: fc.Arbitrary<T>, unusual: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 9, arbitrary: usual }, { weight: 1, arbitrary: unusual });
/** Absent about one time in `freq`. */
const sometimesAbsent = <T>(arb: fc.Arbitrary<T>, freq = 5) => fc.option(arb, { freq, nil: undefined });
const often = fc.oneof(
  { weight: 3, arbitrary: fc.constant(true) },
  { weight: 1, arbitrary: fc.constant(false) },
);

const legacyId = mostly(oneOf(LEGACY_IDS), fc.string({ maxLength: 8 }));

const roles = fc.oneof(
  { weight: 16, arbitrary: fc.uniqueArray(oneOf(ROLES), { minLength: 1, maxLength: 2 }) },
  { weight: 2, arbitrary: oneOf(ROLES) }, // one role as a plain string
  { weight: 1, arbitrary: fc.constant([]) },
  { weight: 1, arbitrary: fc.constantFrom(null, 42, { role: "admin" }) },
);

const tokenClaims = fc.record({
  sub: fc.oneof(oneOf(NEW_SUBS), oneOf(LEGACY_IDS)),
  legacy_sub: sometimesAbsent(legacyId),
  roles: sometimesAbsent(roles, 10),
  tenant: sometimesAbsent(mostly(oneOf(TENANTS), fc.constant(""))),
  proxy_for: sometimesAbsent(fc.uniqueArray(legacyId, { maxLength: 3 }), 3),
  client_id: sometimesAbsent(fc.constantFrom("portal", "lab-connector", "partner-claims"), 2),
  partner_org: sometimesAbsent(fc.constantFrom("acme-billing", "northwind"), 2),
  scope: fc.constantFrom("openid", "openid profile", "patient/*.read", "system/Lab.read billing.export"),
  exp: fc.integer({ min: 1_700_000_000, max: 1_800_000_000 }),
  iat: fc.integer({ min: 1_600_000_000, max: 1_700_000_000 }),
  iss: fc.constantFrom("https://id.new.example", "https://evil.example"),
  aud: fc.oneof(fc.constant("health-api"), fc.constant(["health-api", "billing-api"])),
});

const resource = fc.record({
  type: mostly(oneOf(RESOURCE_TYPES), fc.string({ maxLength: 8 })),
  id: sometimesAbsent(fc.constantFrom("r-1", "r-2", "r-3")),
  ownerId: sometimesAbsent(legacyId),
  tenantId: sometimesAbsent(oneOf(TENANTS), 8),
  careTeam: sometimesAbsent(fc.uniqueArray(legacyId, { maxLength: 3 })),
});

const context = fc.record({
  breakGlass: sometimesAbsent(fc.boolean(), 2),
  purposeOfUse: sometimesAbsent(oneOf(PURPOSES), 3),
});

/** Which parts of the request to tie to the caller, so ownership, care-team and tenant checks can pass. */
const links = fc.record({ owner: often, careTeam: often, tenant: often, proxy: fc.boolean() });

const scenario = sometimesAbsent(
  oneOf(SCENARIOS).chain(([role, action, types]) =>
    fc.record({ role: fc.constant(role), action: fc.constant(action), type: oneOf(types) }),
  ),
  2,
);

export const policyInput: fc.Arbitrary<PolicyInput> = fc
  .tuple(tokenClaims, mostly(oneOf(ACTIONS.slice(0, 2)), oneOf(ACTIONS)), resource, context, links, scenario)
  .map(([claims, randomAction, res, ctx, link, plausible]) => {
    const token: typeof claims = plausible ? { ...claims, roles: [plausible.role] } : claims;
    const action = plausible?.action ?? randomAction;
    const linked: Record<string, unknown> = plausible ? { ...res, type: plausible.type } : { ...res };
    const caller = token.legacy_sub;
    if (link.owner && caller !== undefined) linked.ownerId = caller;
    if (link.careTeam && caller !== undefined) linked.careTeam = [...(res.careTeam ?? []), caller];
    if (link.tenant && token.tenant !== undefined) linked.tenantId = token.tenant;
    if (link.proxy && token.proxy_for?.[0] !== undefined) linked.ownerId = token.proxy_for[0];
    return { token: defined(token), action, resource: defined(linked), context: defined(ctx) };
  });

/** Absent claims are absent keys, as in a decoded JWT. */
function defined<T extends object>(record: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

/** The same inputs for the same seed, on every machine. */
export function sampleInputs(count: number, seed: number): PolicyInput[] {
  return fc.sample(policyInput, { numRuns: count, seed });
}
