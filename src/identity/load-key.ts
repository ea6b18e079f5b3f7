import { readFileSync } from "node:fs";
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet } from "jose";
import type { IssuerConfig } from "../contracts/index.js";
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

/** Turns a key source of the config into key material for jose. The only I/O of identity/. */
export function loadVerificationKey(issuer: IssuerConfig, ctx: KeyLoadContext): VerificationKey {
  const keys = issuer.keys;
  const fail = (message: string): never => {
    throw new ConfigError([{ file: ctx.configFile, path: `${ctx.configPath}.keys`, message }]);
  };
  switch (keys.type) {
    case "jwks-file": {
      const path = ctx.resolvePath(keys.path);
      let jwks: unknown;
      try {
        jwks = JSON.parse(readFileSync(path, "utf8"));
      } catch (err) {
        return fail(`cannot read JWKS file ${path}: ${(err as Error).message}`);
      }
      if (!isJwks(jwks)) return fail(`${path} is not a JWKS (an object with a non-empty "keys" array)`);
      if (jwks.keys.some((k) => "d" in k)) {
        return fail(`${path} contains a private key ("d"); a verifier needs public keys only`);
      }
      return createLocalJWKSet(jwks);
    }
    case "jwks-url":
      return createRemoteJWKSet(new URL(keys.url), {
        timeoutDuration: keys.timeoutMs,
        cacheMaxAge: keys.cacheMaxAgeMs,
        cooldownDuration: keys.cooldownMs,
      });
    case "hmac-secret-env": {
      const secret = ctx.env[keys.env];
      if (!secret)
        return fail(`environment variable ${keys.env} (the shared HMAC secret) is not set or empty`);
      return new TextEncoder().encode(secret);
    }
  }
}

function isJwks(value: unknown): value is JSONWebKeySet {
  if (typeof value !== "object" || value === null || !("keys" in value)) return false;
  const keys = (value as { keys: unknown }).keys;
  return Array.isArray(keys) && keys.length > 0 && keys.every((k) => typeof k === "object" && k !== null);
}
