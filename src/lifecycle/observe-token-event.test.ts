import { describe, expect, it } from "vitest";
import { TOKEN_EVENT_SCHEMA, type TokenEvent } from "../contracts/index.js";
import type { Claims } from "../identity/claims.js";
import type { TokenVerifier, VerificationResult } from "../identity/verification-result.js";
import { createPseudonymizer } from "../store/pseudonymize.js";
import { createTokenEventObserver } from "./observe-token-event.js";

const pseudonyms = createPseudonymizer(new Uint8Array(32).fill(3));
const AT = Date.parse("2026-11-02T08:00:00Z");

function verifier(result: (token: string, at: number) => VerificationResult): TokenVerifier {
  return { verify: async (token, at) => result(token, at) };
}

const claimsOf: Record<string, Claims> = {
  legacy: { sub: "u-1", iat: 1000, exp: 4900, roles: ["billing", "clinician"], email: "ann@x.example" },
  new: { sub: "n-1", iat: 1000, exp: 87_400, roles: ["clinician", "finance"], user_email: "ann@x.example" },
};
const seenAt: number[] = [];
const observe = createTokenEventObserver({
  verifiers: {
    legacy: verifier((_t, at) => {
      seenAt.push(at);
      return { ok: true, claims: claimsOf.legacy as Claims };
    }),
    new: verifier((token) =>
      token === "bad.token.sig"
        ? { ok: false, reason: "wrong_audience", detail: 'unexpected "aud" claim value' }
        : { ok: true, claims: claimsOf.new as Claims },
    ),
  },
  cohortOf: (claims) =>
    Array.isArray(claims.roles) && claims.roles.includes("billing") ? "billing" : "unassigned",
  mappings: [
    { legacy: "roles", new: "roles", values: { billing: "finance" } },
    { legacy: "email", new: "user_email" },
    { legacy: "tenant", new: "tenant" },
  ],
  personalClaims: new Set(["email", "user_email"]),
  session: pseudonyms.session,
  claim: pseudonyms.claim,
});

const event = (over: Partial<TokenEvent>): TokenEvent => ({
  schema: TOKEN_EVENT_SCHEMA,
  side: "legacy",
  sessionId: "login-1",
  observedAt: new Date(AT).toISOString(),
  event: "issued",
  token: "a.b.c",
  ...over,
});

describe("createTokenEventObserver", () => {
  it("keeps lifetimes and mapped claims comparable across sides, personal ones as pseudonyms, no token", async () => {
    const legacy = await observe({
      event: event({ refreshExpiresIn: 28_800 }),
      observedAtMs: AT,
      source: "t/0",
    });
    const next = await observe({ event: event({ side: "new" }), observedAtMs: AT, source: "t/0" });
    expect(seenAt).toEqual([AT / 1000]);
    expect(legacy).toEqual({
      session: pseudonyms.session("login-1"),
      side: "legacy",
      event: "issued",
      observedAtMs: AT,
      source: "t/0",
      cohort: "billing",
      invalid: null,
      accessLifetimeSeconds: 3_900,
      refreshLifetimeSeconds: 28_800,
      claims: {
        "roles>roles": '["clinician","finance"]',
        "email>user_email": pseudonyms.claim("email>user_email", '"ann@x.example"'),
        "tenant>tenant": null,
      },
    });
    expect(next.claims).toEqual(legacy.claims);
    expect(next.accessLifetimeSeconds).toBe(86_400);
    expect(next.refreshLifetimeSeconds).toBeNull();
    expect(JSON.stringify([legacy, next])).not.toMatch(/ann@|login-1|a\.b\.c/);
  });

  it("fails (to be retried) when the keys cannot be fetched, rather than record an invalid token", async () => {
    const down = createTokenEventObserver({
      verifiers: {
        legacy: verifier(() => ({ ok: false, reason: "key_source_unavailable", detail: "JWKS timeout" })),
        new: verifier(() => ({ ok: false, reason: "key_source_unavailable", detail: "JWKS timeout" })),
      },
      cohortOf: () => "x",
      mappings: [],
      personalClaims: new Set(),
      session: pseudonyms.session,
      claim: pseudonyms.claim,
    });
    await expect(down({ event: event({}), observedAtMs: AT, source: "t/0" })).rejects.toThrow(
      "legacy keys unavailable: JWKS timeout",
    );
  });

  it("records an event whose token does not verify, with the reason and nothing of its claims", async () => {
    const fact = await observe({
      event: event({ side: "new", event: "revoked", token: "bad.token.sig", refreshExpiresIn: 60 }),
      observedAtMs: AT,
      source: "http",
    });
    expect(fact).toMatchObject({
      event: "revoked",
      invalid: 'wrong_audience: unexpected "aud" claim value',
      accessLifetimeSeconds: null,
      refreshLifetimeSeconds: null,
      claims: {},
      cohort: "unassigned",
    });
  });
});
