import { readFileSync } from "node:fs";
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import type { IssuerConfig, KeySource } from "../contracts/index.js";
import { ConfigError } from "../errors/errors.js";
import type { VerificationKey } from "./jose-verifier.js";

export interface KeyLoadContext {
  /** The config file, for error messages. */
  configFile: string;
  /** Where this issuer sits in the config, e.g. `issuers.legacy`. */
  configPath: string;
  /** Resolves a path written in the config (relative to the config file). */
  resolvePath(path: string): string;
  env: Readonly<Record<string, string | undefined>>;
}

/** What reading a key set needs of the context: no environment. */
export type KeyFileContext = Omit<KeyLoadContext, "env">;

/** A public key set: what the review API accepts too (it never shares a secret). */
export type JwksSource = Extract<KeySource, { type: "jwks-file" | "jwks-url" }>;

/** Turns a key source of the config into key material for jose. The only I/O of identity/. */
export function loadVerificationKey(issuer: IssuerConfig, ctx: KeyLoadContext): VerificationKey {
  const keys = issuer.keys;
  if (keys.type !== "hmac-secret-env") return loadJwks(keys, ctx);
  const secret = ctx.env[keys.env];
  if (!secret)
    return failAt(ctx, `environment variable ${keys.env} (the shared HMAC secret) is not set or empty`);
  return new TextEncoder().encode(secret);
}

/** A key set from a file (read now, public keys only) or a URL (fetched on first use, cached). */
export function loadJwks(keys: JwksSource, ctx: KeyFileContext): JWTVerifyGetKey {
  if (keys.type === "jwks-url") {
    return createRemoteJWKSet(new URL(keys.url), {
      timeoutDuration: keys.timeoutMs,
      cacheMaxAge: keys.cacheMaxAgeMs,
      cooldownDuration: keys.cooldownMs,
    });
  }
  const path = ctx.resolvePath(keys.path);
  let jwks: unknown;
  try {
    jwks = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    return failAt(ctx, `cannot read JWKS file ${path}: ${(err as Error).message}`);
  }
  if (!isJwks(jwks)) return failAt(ctx, `${path} is not a JWKS (an object with a non-empty "keys" array)`);
  if (jwks.keys.some((k) => "d" in k)) {
    return failAt(ctx, `${path} contains a private key ("d"); a verifier needs public keys only`);
  }
  return createLocalJWKSet(jwks);
}

function failAt(ctx: KeyFileContext, message: string): never {
  throw new ConfigError([{ file: ctx.configFile, path: `${ctx.configPath}.keys`, message }]);
}

function isJwks(value: unknown): value is JSONWebKeySet {
  if (typeof value !== "object" || value === null || !("keys" in value)) return false;
  const keys = (value as { keys: unknown }).keys;
  return Array.isArray(keys) && keys.length > 0 && keys.every((k) => typeof k === "object" && k !== null);
}
