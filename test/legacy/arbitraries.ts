import fc from "fast-check";
import type { AuthzRequest, LegacyRule } from "../../src/contracts/index.js";
import type { Claims } from "../../src/identity/claims.js";

/** Small name pools so that random rules and requests collide often. */
const ROLES = ["patient", "nurse", "clinician", "admin"];
const ACTIONS = ["read", "write", "export"];
const TYPES = ["patient_record", "invoice"];
const USERS = ["u1", "u2", "u3"];

const names = (pool: string[]) =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant(["*"]) },
    { weight: 4, arbitrary: fc.subarray(pool, { minLength: 1 }) },
  );

/** Per left path, the conditions a rule may put on it. */
const CONDITIONS: Record<string, fc.Arbitrary<unknown>> = {
  "resource.ownerId": fc.constantFrom<unknown>(
    { equals: "$token.sub" },
    { notEquals: "$token.sub" },
    "u1",
    { exists: true },
    { exists: false },
  ),
  "resource.careTeam": fc.constantFrom<unknown>(
    { contains: "$token.sub" },
    { containsAny: ["u1", "u2"] },
    { containsAny: "$token.groups" },
    { equals: ["u1"] },
  ),
  "resource.tenantId": fc.constantFrom<unknown>(
    { in: "$token.tenants" },
    { notIn: "$token.tenants" },
    { in: ["t1", "t2"] },
    { notIn: ["t1"] },
    { equals: "$token.tenant" },
  ),
  "context.breakGlass": fc.constantFrom<unknown>(true, false, { notEquals: true }, { exists: false }),
  "context.purpose": fc.constantFrom<unknown>("$$care", { in: ["care", "billing"] }),
  action: fc.constantFrom<unknown>({ in: ["read", "write"] }, "export", { notEquals: "read" }),
};

/** Zero to two conditions: more would make nearly every random rule unsatisfiable. */
const whenArb = fc
  .uniqueArray(fc.constantFrom(...Object.keys(CONDITIONS)), { maxLength: 2 })
  .chain((paths) =>
    fc
      .tuple(...paths.map((path) => CONDITIONS[path] ?? fc.constant(true)))
      .map((values) => ({ paths, values })),
  )
  .map(({ paths, values }) => Object.fromEntries(paths.map((path, i) => [path, values[i]])));

export const ruleBodyArb: fc.Arbitrary<Omit<LegacyRule, "id">> = fc
  .record(
    {
      effect: fc.constantFrom<"allow" | "deny">("allow", "deny"),
      roles: names(ROLES),
      actions: names(ACTIONS),
      resources: names(TYPES),
      when: whenArb,
    },
    { requiredKeys: ["effect", "roles", "actions", "resources"] },
  )
  .map((body) => body as Omit<LegacyRule, "id">);

/** Rule ids follow generation order, so a permutation keeps each rule's id. */
export const rulesArb = fc
  .array(ruleBodyArb, { maxLength: 14 })
  .map((bodies) => bodies.map((body, i): LegacyRule => ({ id: `r${i}`, ...body })));

const maybe = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof(arb, fc.constant(undefined), fc.constant(null)) as fc.Arbitrary<T | undefined | null>;

export const requestArb: fc.Arbitrary<AuthzRequest> = fc
  .record({
    action: fc.constantFrom(...ACTIONS, "delete"),
    type: fc.constantFrom(...TYPES, "note"),
    ownerId: maybe(fc.constantFrom(...USERS)),
    careTeam: maybe(fc.oneof(fc.subarray(USERS), fc.constantFrom(...USERS))),
    tenantId: maybe(fc.constantFrom("t1", "t2", "t3")),
    breakGlass: maybe(fc.boolean()),
    purpose: maybe(fc.constantFrom("$care", "care", "billing")),
  })
  .map(({ action, type, ...attrs }) => ({
    action,
    resource: definedOnly({
      type,
      ownerId: attrs.ownerId,
      careTeam: attrs.careTeam,
      tenantId: attrs.tenantId,
    }),
    context: definedOnly({ breakGlass: attrs.breakGlass, purpose: attrs.purpose }),
  })) as fc.Arbitrary<AuthzRequest>;

export const claimsArb: fc.Arbitrary<Claims> = fc
  .record({
    sub: maybe(fc.constantFrom(...USERS)),
    roles: fc.oneof(
      fc.subarray(ROLES),
      fc.constantFrom(...ROLES),
      fc.constant(undefined),
      fc.constant(7),
      fc.constant([1, "nurse", null]),
    ),
    tenants: maybe(fc.oneof(fc.subarray(["t1", "t2"]), fc.constant("t2"))),
    tenant: maybe(fc.constantFrom("t1", "t2")),
    groups: maybe(fc.subarray(USERS)),
  })
  .map(definedOnly);

/** Drops undefined members, as JSON would. */
function definedOnly<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T;
}
