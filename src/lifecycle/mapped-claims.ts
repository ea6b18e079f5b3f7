import type { ClaimMapping, Side } from "../contracts/index.js";
import { intoNewVocabulary } from "../identity/claim-mapping.js";
import type { Claims } from "../identity/claims.js";

/** Pseudonymizes a personal claim value (the store's HMAC, a domain of its own). */
export type ClaimPseudonym = (mappingIndex: number, canonical: string) => string;

/**
 * Each mapping's claim of one token, comparable across the two sides: the legacy value translated
 * by the mapping table, both as canonical JSON (lists as sorted sets: role order means nothing),
 * personal ones pseudonymized. Absent claims are null.
 */
export function mappedClaimValues(
  claims: Claims,
  side: Side,
  mappings: readonly ClaimMapping[],
  personal: ReadonlySet<string>,
  pseudonym: ClaimPseudonym,
): (string | null)[] {
  return mappings.map((m, i) => {
    const name = side === "legacy" ? m.legacy : m.new;
    if (!Object.hasOwn(claims, name)) return null;
    const raw = claims[name];
    const value = canonical(side === "legacy" ? intoNewVocabulary(m, raw) : raw);
    return isPersonal(m, personal) ? pseudonym(i, value) : value;
  });
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
