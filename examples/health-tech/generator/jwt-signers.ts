import { createHmac, createPrivateKey, type JsonWebKey, type KeyObject, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { DEMO_PRIVATE_KEY_FILE } from "../paths.js";

/** Signs a JWT payload into a compact JWS. HS256 and RS256 are deterministic: same input, same bytes. */
export interface JwtSigner {
  sign(payload: Readonly<Record<string, unknown>>): string;
}

const b64url = (text: string) => Buffer.from(text, "utf8").toString("base64url");

/** The homegrown legacy CIAM: HMAC-SHA256 with a shared secret. */
export function hs256Signer(secret: string): JwtSigner {
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const key = Buffer.from(secret, "utf8");
  return {
    sign(payload) {
      const input = `${header}.${b64url(JSON.stringify(payload))}`;
      return `${input}.${createHmac("sha256", key).update(input).digest("base64url")}`;
    },
  };
}

/** The new CIAM: RSASSA-PKCS1-v1_5 with SHA-256 and a key id the committed JWKS publishes. */
export function rs256Signer(privateKey: KeyObject, kid: string): JwtSigner {
  const header = b64url(JSON.stringify({ alg: "RS256", kid, typ: "JWT" }));
  return {
    sign(payload) {
      const input = `${header}.${b64url(JSON.stringify(payload))}`;
      return `${input}.${sign("sha256", Buffer.from(input, "utf8"), privateKey).toString("base64url")}`;
    },
  };
}

/** DEMO ONLY. Reads the private JWK file of the demo's new IdP: `{ "DEMO_ONLY": "...", "jwk": { ...RSA private JWK } }`. */
export function loadDemoPrivateKey(file = DEMO_PRIVATE_KEY_FILE): KeyObject {
  const parsed = JSON.parse(readFileSync(file, "utf8")) as { jwk?: JsonWebKey };
  if (parsed.jwk?.kty !== "RSA" || !parsed.jwk.d) {
    throw new Error(`${file} does not hold an RSA private JWK under "jwk"`);
  }
  return createPrivateKey({ key: parsed.jwk, format: "jwk" });
}
