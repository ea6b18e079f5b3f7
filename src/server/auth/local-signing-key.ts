import { readFileSync } from "node:fs";
import { type CryptoKey, importJWK, type JWK } from "jose";
import type { LoadedConfig } from "../../config/load-config.js";
import type { ApiAuthConfig } from "../../contracts/index.js";
import { ConfigError } from "../../errors/errors.js";

/** The private key `api-token` signs with, and the header it signs under. */
export interface LocalSigningKey {
  key: CryptoKey | Uint8Array;
  alg: string;
  kid: string | undefined;
}

/** The `api` section and its `localSigningKey`, or a ConfigError that says what to add. */
export function localSigningConfig(loaded: LoadedConfig): ApiAuthConfig & { localSigningKey: string } {
  const api = loaded.config.api;
  if (!api) {
    throw problem(loaded, "api", "api-token needs an api section (issuer, audience, keys); see docs/api.md");
  }
  if (!api.localSigningKey) {
    throw problem(
      loaded,
      "api.localSigningKey",
      "api-token signs with a local private key: add api.localSigningKey: <private JWK file> (local use only)",
    );
  }
  return { ...api, localSigningKey: api.localSigningKey };
}

/**
 * Reads the private JWK. Its `alg` wins, else the first configured algorithm; either way it must
 * be one the API accepts, or every token minted with it would be refused.
 */
export async function loadLocalSigningKey(
  loaded: LoadedConfig,
  api: ApiAuthConfig & { localSigningKey: string },
): Promise<LocalSigningKey> {
  const path = loaded.resolvePath(api.localSigningKey);
  const fail = (message: string) => problem(loaded, "api.localSigningKey", `${path}: ${message}`);
  const jwk = readJwk(path, fail);
  if (typeof jwk.d !== "string")
    throw fail('not a private key (no "d"); api-token signs, it needs the private JWK');
  const alg = jwk.alg ?? api.algorithms[0];
  if (!alg || !(api.algorithms as readonly string[]).includes(alg)) {
    throw fail(`its alg ${alg} is not in api.algorithms (${api.algorithms.join(", ")})`);
  }
  try {
    return { key: await importJWK(jwk, alg), alg, kid: jwk.kid };
  } catch (err) {
    throw fail(`not a usable ${alg} key: ${(err as Error).message}`);
  }
}

function readJwk(path: string, fail: (message: string) => ConfigError): JWK {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw fail(`cannot read the private JWK: ${(err as Error).message}`);
  }
  if (typeof value !== "object" || value === null || typeof (value as JWK).kty !== "string") {
    throw fail('not a JWK (an object with "kty")');
  }
  return value as JWK;
}

function problem(loaded: LoadedConfig, path: string, message: string): ConfigError {
  return new ConfigError([{ file: loaded.file, path, message }]);
}
