import {
  API_AUDIENCE,
  LEGACY_ISSUER,
  MAIL_DOMAIN,
  NEW_ISSUER,
  NEW_SERVICE_TOKEN_LIFETIME_SECONDS,
  NURSE_STATION_AUDIENCE,
  STALE_MAIL_DOMAIN,
  TOKEN_LIFETIME_SECONDS,
  TOKEN_SLOT_SECONDS,
} from "./issuers.js";
import type { JwtSigner } from "./jwt-signers.js";
import type { Principal } from "./principal.js";
import { Prng } from "./prng.js";

/** The two tokens a principal's requests carry during one refresh slot. */
export interface SessionTokens {
  slot: number;
  legacy: string;
  next: string;
}

export interface TokenSigners {
  legacy: JwtSigner;
  next: JwtSigner;
}

/**
 * Hands out each principal's current tokens. A principal refreshes once an hour at its own phase,
 * so tokens are signed once per principal per hour (the costly RS256 signature is never per event)
 * and most verifications downstream hit their cache, as in production.
 */
export class SessionTokenMint {
  private readonly current = new Map<number, SessionTokens>();
  private readonly rng: Prng;
  signed = 0;

  constructor(
    private readonly signers: TokenSigners,
    private readonly startEpochSeconds: number,
    seed: number,
  ) {
    this.rng = Prng.derive(seed, "jti");
  }

  tokensAt(p: Principal, epochMs: number): SessionTokens {
    const offset = Math.floor(epochMs / 1000) - this.startEpochSeconds + p.tokenPhaseSeconds;
    const slot = Math.floor(offset / TOKEN_SLOT_SECONDS);
    const cached = this.current.get(p.index);
    if (cached?.slot === slot) return cached;
    const iat = this.startEpochSeconds - p.tokenPhaseSeconds + slot * TOKEN_SLOT_SECONDS;
    const tokens: SessionTokens = {
      slot,
      legacy: this.signers.legacy.sign(legacyClaims(p, iat)),
      next: this.signers.next.sign(newClaims(p, iat, this.rng.hex(20))),
    };
    this.signed += 2;
    this.current.set(p.index, tokens);
    return tokens;
  }
}

/** What the homegrown CIAM puts in its tokens. */
export function legacyClaims(p: Principal, iat: number): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    iss: LEGACY_ISSUER,
    sub: p.legacySub,
    aud: API_AUDIENCE,
    iat,
    exp: iat + TOKEN_LIFETIME_SECONDS,
    roles: p.legacyRoles,
    tenant: p.tenant,
  };
  if (p.proxyFor.length > 0) claims.proxy_for = p.proxyFor;
  if (p.acr !== undefined) claims.acr = p.acr;
  if (p.kind === "nurse") claims.email = `${p.legacySub}@${MAIL_DOMAIN}`;
  return claims;
}

/** What the new CIAM puts in its tokens, planted defects included (docs/demo.md). */
export function newClaims(p: Principal, iat: number, jti: string): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    iss: NEW_ISSUER,
    sub: p.newSub,
    aud: p.drift.wrongAudience ? NURSE_STATION_AUDIENCE : API_AUDIENCE,
    iat,
    exp: iat + (p.kind === "service" ? NEW_SERVICE_TOKEN_LIFETIME_SECONDS : TOKEN_LIFETIME_SECONDS),
    jti,
  };
  if (p.clientId !== undefined) {
    claims.client_id = p.clientId;
    claims.scope = p.kind === "partner" ? "billing.export" : "lab.read appointment.read";
  } else {
    claims.scope = "openid profile healthtech.api";
    if (!p.drift.jitMigrated) claims.legacy_sub = p.legacySub;
  }
  claims.roles = p.newRoles;
  if (!p.drift.tenantClaimMissing) claims.tenant = p.tenant;
  if (p.proxyFor.length > 0 && !p.drift.proxyNotMigrated) claims.proxy_for = p.proxyFor;
  if (p.acr !== undefined) claims.acr = p.acr;
  if (p.kind === "nurse")
    claims.user_email = `${p.legacySub}@${p.drift.staleEmail ? STALE_MAIL_DOMAIN : MAIL_DOMAIN}`;
  return claims;
}
