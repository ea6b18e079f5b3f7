import { readFileSync } from "node:fs";
import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { DEMO_LEGACY_JWT_SECRET } from "../demo-secrets.js";
import { HEALTH_TECH_DIR } from "../paths.js";
import { API_AUDIENCE, LEGACY_ISSUER, NEW_ISSUER, NEW_KEY_ID, NURSE_STATION_AUDIENCE } from "./issuers.js";
import { hs256Signer, loadDemoPrivateKey, rs256Signer } from "./jwt-signers.js";
import type { Principal, PrincipalKind } from "./principal.js";
import { legacyClaims, newClaims, SessionTokenMint } from "./session-tokens.js";
import { buildWorld } from "./world.js";

const world = buildWorld(1, 600);
const first = (kind: PrincipalKind, pick: (p: Principal) => boolean = () => true): Principal => {
  const found = world.byKind[kind].find(pick);
  if (!found) throw new Error(`no ${kind}`);
  return found;
};
const signers = {
  legacy: hs256Signer(DEMO_LEGACY_JWT_SECRET),
  next: rs256Signer(loadDemoPrivateKey(), NEW_KEY_ID),
};
const START = Date.parse("2026-03-02T07:00:00Z") / 1000;

describe("new-token claims carry exactly the planted defects", () => {
  it("a migrated patient keeps the legacy id in legacy_sub", () => {
    const p = first("patient", (x) => !x.drift.jitMigrated);
    const claims = newClaims(p, START, "j");
    expect(claims).toMatchObject({
      iss: NEW_ISSUER,
      aud: API_AUDIENCE,
      sub: p.newSub,
      legacy_sub: p.legacySub,
    });
    expect(p.newSub).toMatch(/^n-[0-9a-f]{16}$/);
    expect(claims.exp).toBe(START + 3900);
  });

  it("a JIT-migrated patient has a new sub and no legacy_sub", () => {
    const claims = newClaims(
      first("patient", (x) => x.drift.jitMigrated),
      START,
      "j",
    );
    expect(claims).not.toHaveProperty("legacy_sub");
  });

  it("a caregiver without migrated proxies has no proxy_for on the new side only", () => {
    const p = first("caregiver", (x) => x.drift.proxyNotMigrated);
    expect(newClaims(p, START, "j")).not.toHaveProperty("proxy_for");
    expect(legacyClaims(p, START).proxy_for).toEqual(p.proxyFor);
    const migrated = first("caregiver", (x) => !x.drift.proxyNotMigrated);
    expect(newClaims(migrated, START, "j").proxy_for).toEqual(migrated.proxyFor);
  });

  it("a service client keeps its client id as sub, and two lack the tenant", () => {
    const services = world.byKind.service;
    expect(services.filter((s) => !("tenant" in newClaims(s, START, "j"))).map((s) => s.clientId)).toEqual([
      "svc-care-coordination-lakeview",
      "svc-care-coordination-hillcrest",
    ]);
    const p = services[0] as Principal;
    expect(newClaims(p, START, "j")).toMatchObject({
      sub: p.clientId,
      client_id: p.clientId,
      roles: ["service"],
    });
    expect(newClaims(p, START, "j")).not.toHaveProperty("legacy_sub");
    expect(legacyClaims(p, START)).toMatchObject({ sub: p.clientId, tenant: p.tenant });
  });

  it("nurse-station nurses get the wrong audience", () => {
    const p = first("nurse", (x) => x.drift.wrongAudience);
    expect(newClaims(p, START, "j").aud).toBe(NURSE_STATION_AUDIENCE);
    expect(legacyClaims(p, START).aud).toBe(API_AUDIENCE);
  });

  it("billing staff become finance, admins tenant_admin, break-glass keeps its acr", () => {
    expect(newClaims(first("billing"), START, "j").roles).toEqual(["finance"]);
    expect(newClaims(first("admin"), START, "j").roles).toEqual(["tenant_admin"]);
    const bg = first("break-glass");
    expect(legacyClaims(bg, START)).toMatchObject({
      roles: ["clinician"],
      acr: "urn:healthtech:break-glass",
    });
    expect(newClaims(bg, START, "j")).toMatchObject({
      roles: ["clinician"],
      acr: "urn:healthtech:break-glass",
    });
  });
});

describe("SessionTokenMint", () => {
  it("reuses a principal's tokens within its refresh slot and re-issues after it", () => {
    const mint = new SessionTokenMint(signers, START, 1);
    const p = first("clinician");
    const t0 = (START + 10) * 1000;
    const a = mint.tokensAt(p, t0);
    expect(mint.tokensAt(p, t0 + 60_000)).toBe(a);
    expect(mint.signed).toBe(2);
    const later = mint.tokensAt(p, t0 + 3_600_000);
    expect(later.slot).toBe(a.slot + 1);
    expect(later.next).not.toBe(a.next);
    expect(mint.signed).toBe(4);
  });

  it("hands out tokens that are valid at the time they are used", () => {
    const mint = new SessionTokenMint(signers, START, 1);
    for (const p of world.principals.slice(0, 50)) {
      for (const offset of [0, 1_234_567, 7_200_000, 18_000_000]) {
        const atMs = START * 1000 + offset;
        const tokens = mint.tokensAt(p, atMs);
        for (const token of [tokens.legacy, tokens.next]) {
          const { iat, exp } = decodeJwt(token);
          expect(iat).toBeLessThanOrEqual(Math.floor(atMs / 1000));
          expect(exp).toBeGreaterThan(atMs / 1000 + 60);
        }
      }
    }
  });
});

describe("the signers produce tokens the demo config can verify", () => {
  const jwks = createLocalJWKSet(JSON.parse(readFileSync(`${HEALTH_TECH_DIR}/keys/new.jwks.json`, "utf8")));
  const p = first("nurse", (x) => !x.drift.wrongAudience);
  const at = new Date((START + 5) * 1000);

  it("HS256 legacy tokens verify with the demo secret, deterministically", async () => {
    const token = signers.legacy.sign(legacyClaims(p, START));
    expect(signers.legacy.sign(legacyClaims(p, START))).toBe(token);
    const secret = new TextEncoder().encode(DEMO_LEGACY_JWT_SECRET);
    const { payload } = await jwtVerify(token, secret, {
      issuer: LEGACY_ISSUER,
      audience: API_AUDIENCE,
      currentDate: at,
    });
    expect(payload.sub).toBe(p.legacySub);
  });

  it("RS256 new tokens verify with the committed JWKS, deterministically", async () => {
    const token = signers.next.sign(newClaims(p, START, "jti-1"));
    expect(signers.next.sign(newClaims(p, START, "jti-1"))).toBe(token);
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: NEW_ISSUER,
      audience: API_AUDIENCE,
      algorithms: ["RS256"],
      currentDate: at,
    });
    expect(protectedHeader.kid).toBe(NEW_KEY_ID);
    expect(payload.legacy_sub).toBe(p.legacySub);
  });
});
