import { bench, describe } from "vitest";
import { type AuthzRequest, type LegacyRule, legacyRulesFileSchema } from "../../src/contracts/index.js";
import type { Claims } from "../../src/identity/claims.js";
import { compileLegacyRules } from "../../src/legacy/compile-legacy-rules.js";

/**
 * Decision cost on a 50-rule file shaped like the health-tech example: 10 actions, 12 resource
 * types, most rules with one or two conditions, a few wildcard and deny rules.
 * Run: npx vitest bench --run test/legacy
 */
const ACTIONS = ["read", "write", "list", "export", "delete", "share", "sign", "bill", "refund", "audit"];
const TYPES = [
  "patient_record",
  "note",
  "lab_result",
  "prescription",
  "invoice",
  "claim",
  "appointment",
  "message",
  "consent",
  "device",
  "audit_log",
  "document",
];
const ROLES = ["patient", "caregiver", "clinician", "nurse", "billing", "admin", "service", "partner"];

function rulesFile(): LegacyRule[] {
  const rules: LegacyRule[] = [];
  for (let i = 0; i < 50; i++) {
    const wildcard = i % 17 === 0;
    rules.push({
      id: `rule-${i}`,
      effect: i % 9 === 4 ? "deny" : "allow",
      roles: wildcard
        ? ["*"]
        : [ROLES[i % ROLES.length] ?? "patient", ROLES[(i + 3) % ROLES.length] ?? "nurse"],
      actions:
        i % 13 === 0
          ? ["*"]
          : [ACTIONS[i % ACTIONS.length] ?? "read", ACTIONS[(i + 1) % ACTIONS.length] ?? "list"],
      resources: i % 11 === 0 ? ["*"] : [TYPES[i % TYPES.length] ?? "note"],
      when:
        i % 3 === 0
          ? { "resource.ownerId": { equals: "$token.sub" } }
          : i % 3 === 1
            ? {
                "resource.careTeam": { contains: "$token.sub" },
                "resource.tenantId": { equals: "$token.tenant" },
              }
            : { "context.breakGlass": { notEquals: true } },
    });
  }
  return rules;
}

const legacy = compileLegacyRules(legacyRulesFileSchema.parse({ version: 1, rules: rulesFile() }), "bench");

const cases: [Claims, AuthzRequest][] = Array.from({ length: 1024 }, (_, i) => [
  {
    sub: `u${i % 40}`,
    tenant: `t${i % 3}`,
    roles: i % 5 === 0 ? ROLES[i % 8] : [ROLES[i % 8], ROLES[(i * 7) % 8]],
  },
  {
    action: ACTIONS[(i * 3) % ACTIONS.length] ?? "read",
    resource: {
      type: TYPES[(i * 5) % TYPES.length] ?? "note",
      ownerId: `u${(i * 11) % 40}`,
      careTeam: [`u${i % 40}`, `u${(i + 1) % 40}`],
      tenantId: `t${i % 2}`,
    },
    context: { breakGlass: i % 7 === 0 },
  },
]);

describe("legacy decide, 50 rules", () => {
  // A batch per sample keeps the harness overhead out: per-decision cost = mean / 1024.
  bench("1024 decisions", () => {
    for (const [claims, request] of cases) legacy.decide(claims, request);
  });
});
