import { errors, type JWTPayload, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { apiAuthConfigSchema } from "../../contracts/index.js";
import { ApiVerifier } from "./api-verifier.js";
import { type AuthTestKit, authTestKit, TEST_API_CONFIG } from "./auth-test-kit.fixture.js";

const now = () => Math.floor(Date.now() / 1000);
const unsigned = (header: object, payload: JWTPayload) =>
  `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.`;

let kit: AuthTestKit;
beforeAll(async () => {
  kit = await authTestKit();
});

describe("ApiVerifier", () => {
  it("accepts a valid token and returns its subject and API roles, ignoring other role names", async () => {
    const verdict = await kit.verifier.verify(await kit.token({ roles: ["reviewer", "nurse", "gate"] }));
    expect(verdict).toEqual({ ok: true, principal: { subject: "alice", roles: ["reviewer", "gate"] } });
  });

  it("reads one role given as a string, and roles under a dot path", async () => {
    expect(await kit.verifier.verify(await kit.token({ roles: "approver" }))).toMatchObject({
      ok: true,
      principal: { roles: ["approver"] },
    });
    const nested = await authTestKit(
      apiAuthConfigSchema.parse({ ...TEST_API_CONFIG, rolesClaim: "realm.roles" }),
    );
    expect(await nested.verifier.verify(await nested.token({ realm: { roles: ["admin"] } }))).toMatchObject({
      ok: true,
      principal: { roles: ["admin"] },
    });
  });

  it("accepts a token without roles as a principal without roles (the role check refuses it)", async () => {
    expect(await kit.verifier.verify(await kit.token())).toEqual({
      ok: true,
      principal: { subject: "alice", roles: [] },
    });
    expect(await kit.verifier.verify(await kit.token({ roles: 42 }))).toMatchObject({
      principal: { roles: [] },
    });
  });

  it.each([
    ["expired", { exp: now() - 120 }, "expired", /has expired/],
    ["not yet valid", { nbf: now() + 600 }, "not_yet_valid", /not valid yet/],
    ["from another issuer", { iss: "https://evil.test" }, "wrong_issuer", /not issued by https:\/\/ed\.test/],
    ["for another audience", { aud: "other-api" }, "wrong_audience", /not meant for audience ed-api/],
    ["without exp", { exp: undefined }, "missing_claim", /lacks the required claim exp/],
    ["without sub", { sub: undefined }, "missing_claim", /lacks the required claim sub/],
    ["with an empty sub", { sub: "" }, "invalid_claim", /sub claim is invalid/],
  ])("refuses a token %s", async (_name, claims, reason, detail) => {
    const verdict = await kit.verifier.verify(await kit.token(claims));
    expect(verdict).toMatchObject({ ok: false, reason, detail: expect.stringMatching(detail) });
  });

  it("accepts a token expired by less than the clock tolerance", async () => {
    expect((await kit.verifier.verify(await kit.token({ exp: now() - 10 }))).ok).toBe(true);
  });

  it("refuses a token signed by another key under a trusted kid, and one under an unknown kid", async () => {
    expect(await kit.verifier.verify(await kit.forged())).toMatchObject({
      ok: false,
      reason: "bad_signature",
      detail: expect.stringMatching(/signature does not verify/),
    });
    expect(await kit.verifier.verify(await kit.token({}, { kid: "rotated-away" }))).toMatchObject({
      ok: false,
      reason: "unknown_key",
    });
  });

  it("refuses alg none, HS256 (algorithm confusion) and an asymmetric algorithm not configured", async () => {
    const claims = { iss: kit.config.issuer, aud: kit.config.audience, sub: "alice", exp: now() + 600 };
    const hs256 = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", kid: "test-key" })
      .sign(new TextEncoder().encode("a-secret-that-is-long-enough-for-hs256!!"));
    for (const token of [unsigned({ alg: "none" }, claims), hs256]) {
      expect(await kit.verifier.verify(token)).toMatchObject({
        ok: false,
        reason: "algorithm_not_allowed",
        detail: "the token's algorithm is not allowed; the API accepts ES256",
      });
    }
  });

  it.each([
    ["not a JWT", "hello"],
    ["three segments of garbage", "a.b.c"],
    ["an empty string", ""],
  ])("refuses %s as malformed", async (_name, token) => {
    expect(await kit.verifier.verify(token)).toMatchObject({
      ok: false,
      reason: "malformed",
      detail: "the token is not a well-formed signed JWT",
    });
  });

  it("reports an unreachable key set as such, not as the token's fault", async () => {
    const down = new ApiVerifier(TEST_API_CONFIG, async () => {
      throw new errors.JWKSTimeout();
    });
    expect(await down.verify(await kit.token())).toMatchObject({
      ok: false,
      reason: "key_source_unavailable",
    });
  });
});
