import { describe, expect, it } from "vitest";
import {
  createPseudonymizer,
  MIN_PSEUDONYM_KEY_BYTES,
  PSEUDONYM_PATTERN,
  pseudonymizerFromEnv,
} from "./pseudonymize.js";
import { PseudonymKeyError } from "./store-errors.js";

const key = (fill: number) => new Uint8Array(MIN_PSEUDONYM_KEY_BYTES).fill(fill);

describe("pseudonymizer", () => {
  it("gives the same pseudonym for the same id and key, in the hmac:<22 base64url> form", () => {
    const p = createPseudonymizer(key(1));
    expect(p.subject("user-42")).toBe(createPseudonymizer(key(1)).subject("user-42"));
    expect(p.subject("user-42")).toMatch(PSEUDONYM_PATTERN);
    expect(p.subject("user-42")).not.toContain("user-42");
  });

  it("matches HMAC-SHA256 over the domain and id, truncated to 128 bits", () => {
    // Known answer, computed with Python hmac: hmac-sha256(key=0x01*32, "subject\\0user-42")[0:16], base64url.
    const p = createPseudonymizer(key(1));
    expect(p.subject("user-42")).toBe("hmac:eibUgGjOnivoGS30kToWwA");
  });

  it("differs by key, by id, and between subjects and resources", () => {
    const a = createPseudonymizer(key(1));
    const b = createPseudonymizer(key(2));
    expect(a.subject("user-42")).not.toBe(b.subject("user-42"));
    expect(a.subject("user-42")).not.toBe(a.subject("user-43"));
    expect(a.subject("user-42")).not.toBe(a.resource("user-42"));
  });

  it("remembers pseudonyms per domain: a repeated id gets the fresh value, domains never share one", () => {
    const p = createPseudonymizer(key(1));
    const fresh = () => createPseudonymizer(key(1));
    const ids = Array.from({ length: 60_000 }, (_, i) => `id-${i % 55_000}`); // past the cache size
    for (const id of ids) p.subject(id);
    const long = "x".repeat(300); // not remembered, same value
    for (const id of ["id-0", "id-54999", "user-42", long]) {
      expect(p.subject(id)).toBe(fresh().subject(id));
      expect(p.resource(id)).toBe(fresh().resource(id));
      expect(p.session(id)).toBe(fresh().session(id));
      expect(p.claim("email", id)).toBe(fresh().claim("email", id));
      const all = [p.subject(id), p.resource(id), p.session(id), p.claim("email", id), p.claim("phone", id)];
      expect(new Set(all).size).toBe(all.length);
    }
    // Known answers (Python hmac, as above): stored pseudonyms must not change across versions.
    expect(p.subject("user-42")).toBe("hmac:eibUgGjOnivoGS30kToWwA");
    expect(p.resource("user-42")).toBe("hmac:GjFSO6kHTqUNZBfmNyE8zg");
    expect(p.session("user-42")).toBe("hmac:jG6vsigh0KZ3enjYlrTjdQ");
    expect(p.claim("email", "user-42")).toBe("hmac:sK6HIOYZ_lQTYr57psKi9g");
  });

  it("refuses a short key", () => {
    expect(() => createPseudonymizer(new Uint8Array(MIN_PSEUDONYM_KEY_BYTES - 1))).toThrow(PseudonymKeyError);
  });

  it("reads the key from the named environment variable and says what is missing", () => {
    const env = { ED_KEY: "k".repeat(MIN_PSEUDONYM_KEY_BYTES) };
    expect(pseudonymizerFromEnv("ED_KEY", env).subject("x")).toBe(
      createPseudonymizer(Buffer.from(env.ED_KEY)).subject("x"),
    );
    expect(() => pseudonymizerFromEnv("ED_MISSING", env)).toThrow(/ED_MISSING is not set/);
    expect(() => pseudonymizerFromEnv("ED_KEY", { ED_KEY: "short" })).toThrow(/holds 5 bytes/);
  });
});
