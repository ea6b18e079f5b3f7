import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import type { ApiAuthConfig, ApiRole } from "../../contracts/index.js";
import type { LocalSigningKey } from "./local-signing-key.js";

export interface ApiTokenRequest {
  subject: string;
  roles: readonly ApiRole[];
  ttlSeconds: number;
}

/** A token the API verifier accepts: its issuer and audience, the roles where `rolesClaim` points. */
export function mintApiToken(
  config: ApiAuthConfig,
  signing: LocalSigningKey,
  request: ApiTokenRequest,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<string> {
  return new SignJWT(nestedClaim(config.rolesClaim, [...request.roles]))
    .setProtectedHeader({ alg: signing.alg, typ: "JWT", ...(signing.kid ? { kid: signing.kid } : {}) })
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setSubject(request.subject)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + request.ttlSeconds)
    .setJti(randomUUID())
    .sign(signing.key);
}

/** `realm_access.roles` → `{ realm_access: { roles: value } }`: the shape the verifier reads back. */
function nestedClaim(path: string, value: unknown): Record<string, unknown> {
  const [leaf = path, ...parents] = path.split(".").reverse();
  return parents.reduce<Record<string, unknown>>((inner, key) => ({ [key]: inner }), { [leaf]: value });
}
