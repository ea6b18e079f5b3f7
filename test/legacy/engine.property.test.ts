import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type LegacyRule, legacyRulesFileSchema } from "../../src/contracts/index.js";
import { compileLegacyRules } from "../../src/legacy/compile-legacy-rules.js";
import { claimsArb, requestArb, ruleBodyArb, rulesArb } from "./arbitraries.js";
import { referenceDecide } from "./reference-engine.js";

function compile(rules: readonly LegacyRule[]) {
  return compileLegacyRules(legacyRulesFileSchema.parse({ version: 1, roleClaim: "roles", rules }), "sha");
}

const casesArb = fc.array(fc.tuple(claimsArb, requestArb), { minLength: 1, maxLength: 12 });

/** Inserts `rule` (with a fresh id) at `position` modulo the length. */
function withRule(
  rules: readonly LegacyRule[],
  rule: Omit<LegacyRule, "id">,
  position: number,
): LegacyRule[] {
  const at = position % (rules.length + 1);
  return [...rules.slice(0, at), { id: "added", ...rule } as LegacyRule, ...rules.slice(at)];
}

const RUNS = { numRuns: 400 };

describe("legacy engine properties", () => {
  it("agrees exactly (allow and rule id) with a naive scan of all rules", () => {
    fc.assert(
      fc.property(rulesArb, casesArb, (rules, cases) => {
        const legacy = compile(rules);
        for (const [claims, request] of cases) {
          expect(legacy.decide(claims, request)).toEqual(referenceDecide(rules, "roles", claims, request));
        }
      }),
      RUNS,
    );
  });

  it("is deterministic, and allow/deny does not depend on rule order", () => {
    const permuted = rulesArb.chain((rules) =>
      fc.tuple(
        fc.constant(rules),
        fc.shuffledSubarray(rules, { minLength: rules.length, maxLength: rules.length }),
      ),
    );
    fc.assert(
      fc.property(permuted, casesArb, ([rules, shuffled], cases) => {
        const original = compile(rules);
        const reordered = compile(shuffled);
        for (const [claims, request] of cases) {
          const decision = original.decide(claims, request);
          expect(original.decide(claims, request)).toEqual(decision);
          const other = reordered.decide(claims, request);
          expect(other.allow).toBe(decision.allow);
          // A rule decided in both orders or in neither: the set of matching rules is order-free.
          expect(other.ruleId === null).toBe(decision.ruleId === null);
        }
      }),
      RUNS,
    );
  });

  it("adding a deny rule never turns a deny into an allow", () => {
    const deny = ruleBodyArb.map((body) => ({ ...body, effect: "deny" as const }));
    fc.assert(
      fc.property(rulesArb, deny, fc.nat(), casesArb, (rules, added, position, cases) => {
        const before = compile(rules);
        const after = compile(withRule(rules, added, position));
        for (const [claims, request] of cases) {
          if (!before.decide(claims, request).allow) expect(after.decide(claims, request).allow).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it("adding an allow rule never turns an allow into a deny, nor a rule's deny into an allow", () => {
    const allow = ruleBodyArb.map((body) => ({ ...body, effect: "allow" as const }));
    fc.assert(
      fc.property(rulesArb, allow, fc.nat(), casesArb, (rules, added, position, cases) => {
        const before = compile(rules);
        const after = compile(withRule(rules, added, position));
        for (const [claims, request] of cases) {
          const was = before.decide(claims, request);
          const now = after.decide(claims, request);
          if (was.allow) expect(now.allow).toBe(true);
          if (!was.allow && was.ruleId !== null) expect(now).toEqual(was);
        }
      }),
      RUNS,
    );
  });
});
