import { hash } from "node:crypto";
import { type JWTVerifyGetKey, jwtVerify } from "jose";
import type { IssuerConfig } from "../contracts/index.js";
import { BoundedCache } from "./bounded-cache.js";
import type { Claims } from "./claims.js";
import { classifyJoseError } from "./jose-error-reason.js";
import { checkLifetime, lifetimeOf, type TokenLifetime } from "./token-time.js";
import type { InvalidReason, TokenVerifier, VerificationResult } from "./verification-result.js";

/** Key material resolved at the edge (files read, env looked up) before the verifier is built. */
export type VerificationKey = JWTVerifyGetKey | Uint8Array;

/** What is remembered of a token after jose verified it: plain data, so it can cross threads. */
export type VerifiedToken =
  | { valid: true; claims: Claims; life: TokenLifetime }
  | { valid: false; reason: InvalidReason; detail: string };

type CacheEntry = VerifiedToken;

/**
 * Told of every token this verifier checked with jose: its cache key and outcome, or undefined
 * for a transient failure (key set unreachable), which is not cached.
 */
export type VerifiedListener = (cacheKey: string, outcome: VerifiedToken | undefined) => void;

export interface JoseVerifierStats {
  verifications: number;
  cacheHits: number;
}

/**
 * Verifies each distinct token once with jose (signature, algorithm allowlist, issuer, audience,
 * required claims) and caches the outcome by the token's sha256. Time claims are re-checked per
 * event against the event's own time, so a cached token expires exactly as it did in production.
 */
export class JoseVerifier implements TokenVerifier {
  private readonly cache: BoundedCache<CacheEntry>;
  /** Verifications under way, so concurrent pairs carrying one new token verify it once. */
  private readonly inflight = new Map<string, Promise<CacheEntry | undefined>>();
  readonly stats: JoseVerifierStats = { verifications: 0, cacheHits: 0 };
  private readonly listeners: VerifiedListener[] = [];

  constructor(
    private readonly config: IssuerConfig,
    private readonly key: VerificationKey,
    cacheSize: number,
  ) {
    this.cache = new BoundedCache(cacheSize);
  }

  async verify(token: string, atEpochSeconds: number): Promise<VerificationResult> {
    const cacheKey = hash("sha256", token, "base64url");
    const cached = this.cache.get(cacheKey);
    if (cached) {
      this.stats.cacheHits++;
      return this.judgeAt(cached, atEpochSeconds);
    }
    let pending = this.inflight.get(cacheKey);
    const fresh = pending === undefined;
    if (pending) this.stats.cacheHits++;
    else {
      this.stats.verifications++;
      pending = this.verifyUncached(token, atEpochSeconds);
      this.inflight.set(cacheKey, pending);
    }
    const entry = await pending;
    this.inflight.delete(cacheKey);
    if (entry) this.cache.set(cacheKey, entry);
    if (fresh) this.tell(cacheKey, entry);
    if (entry) return this.judgeAt(entry, atEpochSeconds);
    return {
      ok: false,
      reason: "key_source_unavailable",
      detail: "the issuer's key set could not be fetched",
    };
  }

  onVerified(listener: VerifiedListener): void {
    this.listeners.push(listener);
  }

  /** A listener that fails must not fail the verification it is told of. */
  private tell(cacheKey: string, outcome: VerifiedToken | undefined): void {
    for (const listener of this.listeners) {
      try {
        listener(cacheKey, outcome);
      } catch {
        // the verification stands; what the listener does with it is its own concern
      }
    }
  }

  /**
   * Remembers a token another verifier of the same issuer config checked (a differ worker of the
   * same service): this one then answers it from the cache, judging its times per event as for
   * its own. An entry already here is kept.
   */
  adopt(cacheKey: string, outcome: VerifiedToken): void {
    if (this.cache.get(cacheKey) !== undefined) return;
    this.cache.set(cacheKey, outcome.valid ? { ...outcome, claims: Object.freeze(outcome.claims) } : outcome);
  }

  /** Drops cached tokens that expired before `beforeEpochSeconds` (event time). */
  forgetExpired(beforeEpochSeconds: number): number {
    const tol = this.config.clockToleranceSeconds;
    return this.cache.deleteWhere(
      (e) => e.valid && e.life.exp !== undefined && e.life.exp + tol < beforeEpochSeconds,
    );
  }

  private judgeAt(entry: CacheEntry, at: number): VerificationResult {
    if (!entry.valid) return { ok: false, reason: entry.reason, detail: entry.detail };
    const problem = checkLifetime(entry.life, at, this.config.clockToleranceSeconds);
    return problem ? { ok: false, ...problem } : { ok: true, claims: entry.claims };
  }

  /** undefined: a transient failure (key set unreachable) that must not be cached against the token. */
  private async verifyUncached(token: string, at: number): Promise<CacheEntry | undefined> {
    const options = {
      issuer: this.config.issuer,
      audience: this.config.audience,
      algorithms: this.config.algorithms,
      clockTolerance: this.config.clockToleranceSeconds,
      requiredClaims: this.config.requiredClaims,
      currentDate: new Date(at * 1000),
    };
    try {
      const { payload } =
        this.key instanceof Uint8Array
          ? await jwtVerify(token, this.key, options)
          : await jwtVerify(token, this.key, options);
      return { valid: true, claims: Object.freeze(payload), life: lifetimeOf(payload) };
    } catch (err) {
      const verdict = classifyJoseError(err);
      if (verdict.transient) return undefined;
      if (verdict.timeOnly && hasPayload(err)) {
        return { valid: true, claims: Object.freeze(err.payload), life: lifetimeOf(err.payload) };
      }
      return { valid: false, reason: verdict.reason, detail: describe(err) };
    }
  }
}

function hasPayload(err: unknown): err is { payload: Record<string, unknown> } {
  return typeof err === "object" && err !== null && "payload" in err && typeof err.payload === "object";
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
