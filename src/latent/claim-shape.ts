import { hash } from "node:crypto";
import type { Claims } from "../identity/claims.js";
import { createIdentityRenamer } from "../identity/identity-renamer.js";
import type { PrincipalClaims } from "./scenario-template.js";

/**
 * Claims that say when a token was issued and for how long, not what it grants. The matrix is a
 * property of the principal, so they are left out; a policy that decides on them is not modelled.
 */
const TIME_CLAIMS: ReadonlySet<string> = new Set(["iat", "exp", "nbf", "auth_time"]);

/** A principal's two tokens in canonical form, and a key equal for every principal of that form. */
export interface ClaimShape {
  key: string;
  claims: PrincipalClaims;
}

/**
 * Identity values (the principal's ids, the patients a caregiver acts for) are renamed to `#1`,
 * `#2`, ... in order of first appearance, the same value getting the same name in both tokens.
 * Two principals of the same form then evaluate alike as long as the models compare ids only for
 * equality (docs/latent.md), so the matrix is evaluated once per form, not once per person; and
 * the canonical claims carry no personal value at all.
 */
export function claimShape(legacy: Claims, next: Claims, identityClaims: ReadonlySet<string>): ClaimShape {
  const ids = createIdentityRenamer();
  const canonical = (claims: Claims): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(claims).sort()) {
      if (TIME_CLAIMS.has(key)) continue;
      out[key] = identityClaims.has(key) ? ids.rename(claims[key]) : claims[key];
    }
    return out;
  };
  const claims = { legacy: canonical(legacy), new: canonical(next) };
  return { key: hash("sha256", stableJson(claims), "hex").slice(0, 32), claims };
}

/** JSON with object keys sorted at every depth: equal values give equal text. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
