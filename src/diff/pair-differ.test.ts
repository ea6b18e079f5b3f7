import { describe, expect, it } from "vitest";
import type { AuthzEvent, Side } from "../contracts/index.js";
import { compileClaimMappings } from "../identity/claim-mapping.js";
import type { TokenVerifier } from "../identity/verification-result.js";
import { createPairDiffer, type DiffDependencies } from "./pair-differ.js";
import type { ObservedEvent } from "./pair-outcome.js";

const AT = "2026-11-01T10:00:00.000Z";

function observed(side: Side, resourceType = "patient_record"): ObservedEvent {
  const event: AuthzEvent = {
    schema: "entitlement-diff.authz.v1",
    side,
    correlationId: "c-1",
    observedAt: AT,
    token: `${side}-token`,
    request: { action: "read", resource: { type: resourceType } },
  } as AuthzEvent;
  return { event, observedAtMs: Date.parse(AT) };
}

/** Both tokens valid for the same person; what the models and the trackers are asked is noted. */
function deps(policyAllows = true) {
  const asked: string[] = [];
  const verifier = (sub: string): TokenVerifier => ({
    verify: async () => ({ ok: true, claims: { sub, legacy_sub: "u-1", roles: ["clinician"] } }),
  });
  const d: DiffDependencies = {
    verifiers: { legacy: verifier("u-1"), new: verifier("n-1") },
    legacy: {
      rulesSha256: "r",
      decide: () => {
        asked.push("legacy");
        return { allow: true, ruleId: "clinicians-read" };
      },
    },
    policy: {
      entrypoint: "authz/decision",
      bundleSha256: "p",
      evaluate: () => {
        asked.push("policy");
        return policyAllows
          ? { allow: true, reasons: ["clinician.read"] }
          : { allow: false, reasons: ["deny.default"] };
      },
    },
    cohortOf: () => "clinicians",
    legacySubjectClaim: "legacy_sub",
    claims: compileClaimMappings([]),
    entitlements: {
      observe: () => {
        asked.push("entitlements");
        return undefined;
      },
    },
    facts: {
      keep: () => {
        asked.push("facts");
        return undefined;
      },
    },
  };
  return { d, asked };
}

describe("createPairDiffer", () => {
  it("gives the same outcome in two steps as in one, verifying first and judging after", async () => {
    const { d, asked } = deps();
    const differ = createPairDiffer(d);
    const whole = await differ.diffPair(observed("legacy"), observed("new"));
    asked.length = 0;
    const judge = await differ.preparePair(observed("legacy"), observed("new"));
    // Verified, not yet judged: no model has been asked.
    expect(asked).toEqual([]);
    expect(judge()).toEqual(whole);
    expect(asked).toEqual(["legacy", "policy", "entitlements", "facts"]);
  });

  it("with onlyDecisions, asks each model about the request once and leaves out root cause, latent matrix and facts", async () => {
    const full = deps(false);
    const whole = await createPairDiffer(full.d).diffPair(observed("legacy"), observed("new"));
    // In full, the under-permission's 2 x 2 asks both models again on swapped claims.
    expect(full.asked.filter((a) => a === "policy").length).toBeGreaterThan(1);
    expect(full.asked).toContain("entitlements");
    const { d, asked } = deps(false);
    const narrowed = await createPairDiffer(d).diffPair(observed("legacy"), observed("new"), {
      onlyDecisions: true,
    });
    expect(asked).toEqual(["legacy", "policy"]);
    expect(narrowed.findings.map((f) => f.kind)).toEqual(whole.findings.map((f) => f.kind));
    expect(narrowed.findings.map((f) => f.kind)).toContain("under_permission");
    expect(narrowed.findings.every((f) => f.cause === undefined)).toBe(true);
    expect(narrowed.new).toEqual(whole.new);
  });

  it("with skipPolicy, records policy_error with the reason and asks neither the policy nor what would evaluate it", async () => {
    const { d, asked } = deps();
    const outcome = await createPairDiffer(d).diffPair(observed("legacy"), observed("new"), {
      skipPolicy: "judging it failed twice",
    });
    expect(asked).toEqual(["legacy"]);
    expect(outcome.new).toBeNull();
    expect(outcome.legacy).toEqual({ allow: true, ruleId: "clinicians-read" });
    expect(outcome.mismatch).toBe(true);
    expect(outcome.findings.map((f) => [f.kind, f.side, f.severity, f.detail])).toEqual([
      [
        "policy_error",
        "new",
        "high",
        "the new policy could not decide this request: judging it failed twice",
      ],
    ]);
  });
});
