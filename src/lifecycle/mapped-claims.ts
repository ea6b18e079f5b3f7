import type { ClaimMapping, Side } from "../contracts/index.js";
import { intoNewVocabulary } from "../identity/claim-mapping.js";
import type { Claims } from "../identity/claims.js";

/** Pseudonymizes a personal claim value (the store's HMAC, a domain per mapping). */
export type ClaimPseudonym = (mapping: string, canonical: string) => string;

/** A mapping's identity in stored facts: its two claim names, so reordering the list changes nothing. */
export function mappingKey(m: ClaimMapping): string {
  return `${m.legacy}>${m.new}`;
}

/**
 * Each mapping's claim of one token, comparable across the two sides: the legacy value translated
 * by the mapping table, both as canonical JSON (lists as sorted sets: role order means nothing),
 * personal ones pseudonymized; by mappingKey. Absent claims are null.
 */
export function mappedClaimValues(
  claims: Claims,
  side: Side,
  mappings: readonly ClaimMapping[],
  personal: ReadonlySet<string>,
  pseudonym: ClaimPseudonym,
): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const m of mappings) {
    const key = mappingKey(m);
    const name = side === "legacy" ? m.legacy : m.new;
    if (!Object.hasOwn(claims, name)) {
      out[key] = null;
      continue;
    }
    const raw = claims[name];
    const value = canonical(side === "legacy" ? intoNewVocabulary(m, raw) : raw);
    out[key] = isPersonal(m, personal) ? pseudonym(key, value) : value;
  }
  return out;
}

export function isPersonal(m: ClaimMapping, personal: ReadonlySet<string>): boolean {
  return personal.has(m.legacy) || personal.has(m.new);
}

/** "legacy roles -> new roles" */
export function mappingLabel(m: ClaimMapping): string {
  return `legacy ${m.legacy} -> new ${m.new}${m.values ? " (mapping table)" : ""}`;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    const items = [...new Set(value.map((v) => canonical(v)))].sort();
    return `[${items.join(",")}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
