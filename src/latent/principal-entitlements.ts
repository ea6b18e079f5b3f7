import type { EntitlementDifference, LatentConfig } from "../contracts/index.js";
import { BoundedCache } from "../identity/bounded-cache.js";
import type { Claims } from "../identity/claims.js";
import { claimShape } from "./claim-shape.js";
import { type EntitlementMatrix, type EntitlementModels, evaluateMatrix } from "./entitlement-matrix.js";

/**
 * What a pair tells the store about its principal's modelled entitlements: emitted the first time
 * a principal is seen with a claim shape, and again every `refreshSeconds` of event time so the
 * store's TTL keeps active principals. `subject` is a raw id: the store pseudonymizes it.
 */
export interface PrincipalEntitlements {
  subject: string;
  shape: string;
  differences: EntitlementDifference[];
}

export interface PrincipalSighting {
  cohort: string;
  subject: string;
  legacyToken: string;
  newToken: string;
  legacy: Claims;
  new: Claims;
  observedAtMs: number;
}

export interface EntitlementTracker {
  /** undefined when nothing new is to be stored for this principal (or the matrix failed). */
  observe(s: PrincipalSighting): PrincipalEntitlements | undefined;
}

interface Seen {
  legacyToken: string;
  newToken: string;
  shape: string;
  reportedAtMs: number;
}

/**
 * Tokens repeat across a principal's requests; the shape (and with it the matrix) is worked out
 * only when a principal's tokens change, and the matrix only once per shape. No I/O: the state is
 * two bounded caches, like the verification cache.
 */
export function createEntitlementTracker(
  models: EntitlementModels,
  matrix: EntitlementMatrix,
  config: Pick<LatentConfig, "identityClaims" | "cacheSize" | "refreshSeconds">,
): EntitlementTracker {
  const identityClaims = new Set(config.identityClaims);
  const shapes = new BoundedCache<EntitlementDifference[]>(config.cacheSize);
  const principals = new BoundedCache<Seen>(Math.max(config.cacheSize, 100_000));
  const refreshMs = config.refreshSeconds * 1000;

  const differencesOf = (
    legacy: Claims,
    next: Claims,
  ): { shape: string; differences: EntitlementDifference[] } | undefined => {
    const shape = claimShape(legacy, next, identityClaims);
    const cached = shapes.get(shape.key);
    if (cached) return { shape: shape.key, differences: cached };
    try {
      const differences = evaluateMatrix(models, matrix, shape.claims);
      shapes.set(shape.key, differences);
      return { shape: shape.key, differences };
    } catch {
      // The matrix feeds counterfactual requests to the models; one that fails on them must not
      // cost the pair its real findings. Nothing is stored; the next sighting tries again.
      return undefined;
    }
  };

  return {
    observe(s) {
      const key = `${s.cohort}\u0000${s.subject}`;
      const seen = principals.get(key);
      const fresh = seen !== undefined && s.observedAtMs - seen.reportedAtMs < refreshMs;
      if (fresh && seen.legacyToken === s.legacyToken && seen.newToken === s.newToken) return undefined;
      const found = differencesOf(s.legacy, s.new);
      if (found === undefined) return undefined;
      const unchanged = fresh && seen.shape === found.shape;
      principals.set(key, {
        legacyToken: s.legacyToken,
        newToken: s.newToken,
        shape: found.shape,
        reportedAtMs: unchanged ? seen.reportedAtMs : s.observedAtMs,
      });
      if (unchanged) return undefined;
      return { subject: s.subject, shape: found.shape, differences: found.differences };
    },
  };
}
