import type { AddressInfo } from "node:net";
import type { Express } from "express";
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JWTHeaderParameters,
  type JWTPayload,
  SignJWT,
} from "jose";
import { type ApiAuthConfig, apiAuthConfigSchema } from "../../contracts/index.js";
import { ApiVerifier } from "./api-verifier.js";

export const TEST_API_CONFIG: ApiAuthConfig = apiAuthConfigSchema.parse({
  issuer: "https://ed.test",
  audience: "ed-api",
  keys: { type: "jwks-file", path: "unused.json" },
  writeRateLimitPerMinute: 3,
});

const KID = "test-key";

export interface AuthTestKit {
  config: ApiAuthConfig;
  verifier: ApiVerifier;
  /** A valid ES256 token (iss, aud, sub, exp in 10 minutes) with `claims` merged over it. */
  token(claims?: JWTPayload, header?: Partial<JWTHeaderParameters>): Promise<string>;
  /** The same claims signed by a key the verifier does not trust, under the trusted kid. */
  forged(claims?: JWTPayload): Promise<string>;
}

export async function authTestKit(config: ApiAuthConfig = TEST_API_CONFIG): Promise<AuthTestKit> {
  const trusted = await generateKeyPair("ES256");
  const other = await generateKeyPair("ES256");
  const jwks = createLocalJWKSet({
    keys: [{ ...(await exportJWK(trusted.publicKey)), kid: KID, alg: "ES256" }],
  });
  const now = Math.floor(Date.now() / 1000);
  const claims = (extra: JWTPayload = {}): JWTPayload => ({
    iss: config.issuer,
    aud: config.audience,
    sub: "alice",
    iat: now,
    exp: now + 600,
    ...extra,
  });
  return {
    config,
    verifier: new ApiVerifier(config, jwks),
    token: (extra, header) =>
      new SignJWT(claims(extra))
        .setProtectedHeader({ alg: "ES256", kid: KID, ...header })
        .sign(trusted.privateKey),
    forged: (extra) =>
      new SignJWT(claims(extra)).setProtectedHeader({ alg: "ES256", kid: KID }).sign(other.privateKey),
  };
}

/** Listens on a free loopback port; the base URL and a close that waits for the server. */
export async function listenLocally(app: Express): Promise<{ base: string; close(): Promise<void> }> {
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
