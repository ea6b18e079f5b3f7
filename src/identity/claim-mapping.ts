import type { ClaimMapping } from "../contracts/index.js";
import type { Claims } from "./claims.js";

/**
 * The configured correspondence between the two tokens' claims, in both directions. Used for the
 * counterfactual tokens of root-cause attribution: one token's mapped claims put into the other.
 */
export interface ClaimTranslator {
  /** The new token, with every mapped claim replaced by the legacy token's value, translated. */
  legacyIntoNew(legacy: Claims, next: Claims): Claims;
  /** The legacy token, with every mapped claim replaced by the new token's value, translated back. */
  newIntoLegacy(next: Claims, legacy: Claims): Claims;
}

export function compileClaimMappings(mappings: readonly ClaimMapping[]): ClaimTranslator {
  const directions = mappings.map((m) => {
    const forward = new Map(Object.entries(m.values ?? {}));
    const backward = new Map([...forward].map(([from, to]) => [to, from]));
    return { legacy: m.legacy, next: m.new, forward, backward };
  });
  return {
    legacyIntoNew: (legacy, next) =>
      overlay(
        next,
        directions.map((d) => ({ from: d.legacy, to: d.next, table: d.forward })),
        legacy,
      ),
    newIntoLegacy: (next, legacy) =>
      overlay(
        legacy,
        directions.map((d) => ({ from: d.next, to: d.legacy, table: d.backward })),
        next,
      ),
  };
}

/** `base` with each `to` claim set from `source[from]` (values translated), or removed when absent. */
function overlay(
  base: Claims,
  moves: ReadonlyArray<{ from: string; to: string; table: ReadonlyMap<string, string> }>,
  source: Claims,
): Claims {
  const out: Record<string, unknown> = { ...base };
  for (const { from, to, table } of moves) {
    if (!Object.hasOwn(source, from)) {
      delete out[to];
      continue;
    }
    out[to] = translate(source[from], table);
  }
  return out;
}

/** A legacy value of mapping `m`'s claim, in the new token's vocabulary (the mapping table applied). */
export function intoNewVocabulary(m: ClaimMapping, value: unknown): unknown {
  return translate(value, new Map(Object.entries(m.values ?? {})));
}

function translate(value: unknown, table: ReadonlyMap<string, string>): unknown {
  if (table.size === 0) return value;
  if (typeof value === "string") return table.get(value) ?? value;
  if (Array.isArray(value)) return value.map((v) => (typeof v === "string" ? (table.get(v) ?? v) : v));
  return value;
}
