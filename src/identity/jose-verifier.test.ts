import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { issuerConfigSchema } from "../contracts/index.js";
import { JoseVerifier } from "./jose-verifier.js";

const T0 = 1_790_000_000; // event time used throughout (epoch seconds)
const secret = new TextEncoder().encode("a-demo-secret-that-is-long-enough-for-hs256!");
const hsConfig = issuerConfigSchema.parse({
  issuer: "https://legacy.test",
  audience: "api",
  keys: { type: "hmac-secret-env", env: "S" },
  algorithms: ["HS256"],
  clockToleranceSeconds: 30,
});

const hs = (claims: JWTPayload, alg = "HS256") =>
  new SignJWT(claims).setProtectedHeader({ alg }).sign(secret);
const base = { iss: "https://legacy.test", aud: "api", sub: "u-1", iat: T0 - 60, exp: T0 + 3600 };

describe("JoseVerifier", () => {
  it("accepts a valid token and returns its claims", async () => {
    const v = new JoseVerifier(hsConfig, secret, 10);
    const r = await v.verify(await hs(base), T0);
    expect(r).toMatchObject({ ok: true, claims: { sub: "u-1" } });
  });

  it.each([
    ["wrong issuer", { ...base, iss: "https://evil.test" }, "wrong_issuer"],
    ["wrong audience", { ...base, aud: "other" }, "wrong_audience"],
    ["missing exp", { iss: base.iss, aud: base.aud, sub: "u-1" }, "missing_claim"],
  ])("refuses a token with %s", async (_name, claims, reason) => {
    const v = new JoseVerifier(hsConfig, secret, 10);
    expect(await v.verify(await hs(claims), T0)).toMatchObject({ ok: false, reason });
  });

  it("refuses a forged signature and an algorithm outside the allowlist", async () => {
    const v = new JoseVerifier(hsConfig, secret, 10);
    const token = await hs(base);
    const forged = `${token.slice(0, -4)}AAAA`;
    expect(await v.verify(forged, T0)).toMatchObject({ ok: false, reason: "bad_signature" });
    expect(await v.verify(await hs(base, "HS512"), T0)).toMatchObject({
      ok: false,
      reason: "algorithm_not_allowed",
    });
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify(base)).toString("base64url")}.`;
    expect(await v.verify(none, T0)).toMatchObject({ ok: false });
  });

  it("judges expiry against the event time, with the clock tolerance, also for cached tokens", async () => {
    const v = new JoseVerifier(hsConfig, secret, 10);
    const token = await hs(base);
    expect((await v.verify(token, T0 + 3600 + 29)).ok).toBe(true); // within tolerance
    expect(await v.verify(token, T0 + 3600 + 30)).toMatchObject({ ok: false, reason: "expired" });
    expect((await v.verify(token, T0)).ok).toBe(true); // earlier event, same cached token
    expect(await v.verify(await hs({ ...base, nbf: T0 + 100 }), T0)).toMatchObject({
      ok: false,
      reason: "not_yet_valid",
    });
    expect(v.stats.verifications).toBe(2);
  });

  it("a token first seen expired is still judged valid for an earlier event", async () => {
    const v = new JoseVerifier(hsConfig, secret, 10);
    const token = await hs(base);
    expect(await v.verify(token, T0 + 99_999)).toMatchObject({ ok: false, reason: "expired" });
    expect((await v.verify(token, T0)).ok).toBe(true);
  });

  it("verifies each distinct token once and keeps the cache bounded", async () => {
    const v = new JoseVerifier(hsConfig, secret, 2);
    const tokens = await Promise.all([1, 2, 3].map((i) => hs({ ...base, sub: `u-${i}` })));
    for (const t of [...tokens, ...tokens]) await v.verify(t, T0);
    expect(v.stats.verifications).toBe(6); // FIFO of 2 with 3 rotating tokens: every lookup misses
    const w = new JoseVerifier(hsConfig, secret, 3);
    for (const t of [...tokens, ...tokens, ...tokens]) await w.verify(t, T0);
    expect(w.stats).toEqual({ verifications: 3, cacheHits: 6 });
    expect(w.forgetExpired(T0 + 3600 + 31)).toBe(3);
  });

  it("tells its listeners of each token it checked with jose, once, and not of cached answers", async () => {
    const v = new JoseVerifier(hsConfig, secret, 10);
    const heard: Array<[string, unknown]> = [];
    v.onVerified((key, outcome) => heard.push([key, outcome]));
    const good = await hs(base);
    const forged = `${good.slice(0, -4)}AAAA`;
    await Promise.all([v.verify(good, T0), v.verify(good, T0)]); // concurrent: one verification
    await v.verify(good, T0 + 10);
    await v.verify(forged, T0);
    expect(heard.map(([, o]) => o)).toEqual([
      { valid: true, claims: expect.objectContaining({ sub: "u-1" }), life: expect.anything() },
      { valid: false, reason: "bad_signature", detail: expect.any(String) },
    ]);
    expect(heard[0]?.[0]).not.toBe(heard[1]?.[0]);
  });

  it("answers a token another verifier checked from its cache, judging times per event, and keeps its own entry", async () => {
    const first = new JoseVerifier(hsConfig, secret, 10);
    const shared: Array<[string, Parameters<JoseVerifier["adopt"]>[1]]> = [];
    first.onVerified((key, outcome) => outcome && shared.push([key, structuredClone(outcome)]));
    const token = await hs(base);
    const forged = `${token.slice(0, -4)}AAAA`;
    await first.verify(token, T0);
    await first.verify(forged, T0);

    const second = new JoseVerifier(hsConfig, secret, 10);
    for (const [key, outcome] of shared) second.adopt(key, outcome);
    expect(await second.verify(token, T0)).toMatchObject({ ok: true, claims: { sub: "u-1" } });
    expect(await second.verify(token, T0 + 3600 + 30)).toMatchObject({ ok: false, reason: "expired" });
    expect(await second.verify(forged, T0)).toMatchObject({ ok: false, reason: "bad_signature" });
    expect(second.stats).toEqual({ verifications: 0, cacheHits: 3 });
    const claims = await second.verify(token, T0);
    expect(claims.ok && Object.isFrozen(claims.claims)).toBe(true);

    // An entry already cached is not replaced by one adopted later.
    const [key] = shared[0] ?? [""];
    second.adopt(key, { valid: false, reason: "bad_signature", detail: "from elsewhere" });
    expect((await second.verify(token, T0)).ok).toBe(true);
  });

  describe("with a JWKS (RS256)", () => {
    let jwks: ReturnType<typeof createLocalJWKSet>;
    let sign: (claims: JWTPayload) => Promise<string>;
    beforeAll(async () => {
      const { publicKey, privateKey } = await generateKeyPair("RS256");
      jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256" }] });
      sign = (claims) => new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "k1" }).sign(privateKey);
    });
    const rsConfig = issuerConfigSchema.parse({
      issuer: "https://new.test",
      audience: ["api", "web"],
      keys: { type: "jwks-file", path: "unused.json" },
      algorithms: ["RS256"],
    });

    it("accepts any configured audience and refuses an HMAC token signed with the public key (alg confusion)", async () => {
      const v = new JoseVerifier(rsConfig, jwks, 10);
      expect((await v.verify(await sign({ ...base, iss: "https://new.test", aud: "web" }), T0)).ok).toBe(
        true,
      );
      const confused = await new SignJWT({ ...base, iss: "https://new.test" })
        .setProtectedHeader({ alg: "HS256", kid: "k1" })
        .sign(new TextEncoder().encode("public-key-bytes"));
      expect(await v.verify(confused, T0)).toMatchObject({ ok: false, reason: "algorithm_not_allowed" });
    });

    it("refuses a token whose kid is not in the key set", async () => {
      const { privateKey } = await generateKeyPair("RS256");
      const other = await new SignJWT({ ...base, iss: "https://new.test" })
        .setProtectedHeader({ alg: "RS256", kid: "rotated" })
        .sign(privateKey);
      expect(await new JoseVerifier(rsConfig, jwks, 10).verify(other, T0)).toMatchObject({
        ok: false,
        reason: "unknown_key",
      });
    });
  });
});
