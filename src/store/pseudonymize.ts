import { createHmac } from "node:crypto";
import { BoundedCache } from "../identity/bounded-cache.js";
import { PseudonymKeyError } from "./store-errors.js";

/** Below this many bytes an HMAC key can be guessed from a list of known ids. */
export const MIN_PSEUDONYM_KEY_BYTES = 32;
const PREFIX = "hmac:";
/** 16 bytes of the HMAC: 128 bits, 22 base64url characters. */
const DIGEST_BYTES = 16;

/**
 * Turns subject and resource ids into stable pseudonyms, so a reviewer can see that two findings
 * are about the same person without the store ever holding the id. Same key, same pseudonym;
 * without the key the id cannot be recovered or confirmed. Subjects and resources are hashed in
 * separate domains, so an id used as both does not link the two.
 */
export interface Pseudonymizer {
  subject(id: string): string;
  resource(id: string): string;
  /** A token lifecycle session id (docs/lifecycle.md). */
  session(id: string): string;
  /** A personal claim value shown in claim drift, per claim mapping (its mappingKey). */
  claim(mapping: string, value: string): string;
}

/** Pseudonyms remembered per domain: ids repeat across requests (a login's session, a principal, a chart). */
const CACHE_SIZE = 50_000;
/** Longer ids are hashed every time: 50,000 of them stay under ~30 MB a domain. */
const MAX_REMEMBERED_ID_LENGTH = 256;

export function createPseudonymizer(key: Uint8Array): Pseudonymizer {
  if (key.byteLength < MIN_PSEUDONYM_KEY_BYTES)
    throw new PseudonymKeyError(
      `the pseudonymization key has ${key.byteLength} bytes; at least ${MIN_PSEUDONYM_KEY_BYTES} are needed`,
    );
  const secret = Buffer.from(key);
  const pseudonym = (domain: string, id: string) =>
    PREFIX +
    createHmac("sha256", secret)
      .update(`${domain}\u0000${id}`, "utf8")
      .digest()
      .subarray(0, DIGEST_BYTES)
      .toString("base64url");
  // An HMAC costs microseconds, a lookup nanoseconds. Only ids are remembered, the ones every
  // event and cached token carries anyway, and only short ones, so the cache's size is bounded;
  // personal claim values (emails, phone numbers) are not kept past their row.
  const remembered = (domain: string) => {
    const cache = new BoundedCache<string>(CACHE_SIZE);
    return (id: string) => {
      if (id.length > MAX_REMEMBERED_ID_LENGTH) return pseudonym(domain, id);
      let p = cache.get(id);
      if (p === undefined) {
        p = pseudonym(domain, id);
        cache.set(id, p);
      }
      return p;
    };
  };
  return {
    subject: remembered("subject"),
    resource: remembered("resource"),
    session: remembered("session"),
    claim: (mapping, value) => pseudonym(`claim:${mapping}`, value),
  };
}

/** The key from the environment variable the config names (`store.pseudonymKeyEnv`), as UTF-8 bytes. */
export function pseudonymizerFromEnv(envName: string, env: NodeJS.ProcessEnv = process.env): Pseudonymizer {
  const value = env[envName];
  if (value === undefined || value === "")
    throw new PseudonymKeyError(
      `environment variable ${envName} is not set: it must hold the secret key (at least ${MIN_PSEUDONYM_KEY_BYTES} bytes, e.g. \`openssl rand -base64 48\`) used to pseudonymize subject and resource ids`,
    );
  const key = Buffer.from(value, "utf8");
  if (key.byteLength < MIN_PSEUDONYM_KEY_BYTES)
    throw new PseudonymKeyError(
      `environment variable ${envName} holds ${key.byteLength} bytes; the pseudonymization key needs at least ${MIN_PSEUDONYM_KEY_BYTES}`,
    );
  return createPseudonymizer(key);
}

export const PSEUDONYM_PATTERN = /^hmac:[A-Za-z0-9_-]{22}$/;
