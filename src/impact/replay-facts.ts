import { hash } from "node:crypto";
import type { AuthzRequest, ImpactConfig, LegacyDecision } from "../contracts/index.js";
import type { Claims } from "../identity/claims.js";
import type { PolicyDecision, PolicyEvaluator } from "../policy/evaluator.js";

/**
 * The minimum a candidate policy needs to decide a stored request again: the new token's claims
 * and the request, with every identifying value renamed to `#1`, `#2`, ... by one table per pair
 * (the same value, the same name, wherever it appears). Equality between the principal, the
 * record's owner and its care team survives; nobody's id does, not even as a linkable pseudonym.
 */
export interface ReplayFacts {
  token: Record<string, unknown>;
  action: string;
  resource: Record<string, unknown>;
  context: Record<string, unknown>;
}

export type KeptKind = "match" | "over_permission" | "under_permission";

/** A pair kept for `impact`: its facts, and whether the deployed policy decides them as it decided the pair. */
export interface KeptPair {
  kind: KeptKind;
  facts: ReplayFacts;
  replayable: boolean;
}

export interface FactKeeper {
  keep(pair: {
    correlationId: string;
    newClaims: Claims;
    request: AuthzRequest;
    legacy: LegacyDecision;
    next: PolicyDecision;
  }): KeptPair | undefined;
}

/**
 * Every decision mismatch is kept; of the pairs whose decisions agree, a deterministic sample by
 * correlation id (a redelivered pair is kept or not kept again). The facts are checked against
 * the deployed policy: a policy that reads an id's content (not only its equality) decides
 * renamed facts otherwise, and such a pair is marked not replayable instead of misleading.
 */
export function createFactKeeper(
  policy: Pick<PolicyEvaluator, "evaluate">,
  config: Pick<ImpactConfig, "matchedSampleRate" | "identityClaims" | "identityAttributes">,
): FactKeeper {
  const identityClaims = new Set(config.identityClaims);
  const attributes = config.identityAttributes.map((p) => p.split("."));
  return {
    keep({ correlationId, newClaims, request, legacy, next }) {
      const kind: KeptKind =
        legacy.allow === next.allow ? "match" : next.allow ? "over_permission" : "under_permission";
      if (kind === "match" && !sampled(correlationId, config.matchedSampleRate)) return undefined;
      const facts = replayFactsOf(newClaims, request, identityClaims, attributes);
      return { kind, facts, replayable: decidesAlike(policy, facts, next) };
    },
  };
}

/** Uniform in [0, 1) from the correlation id: the same answer on every delivery. */
export function sampled(correlationId: string, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  const h = hash("sha256", correlationId, "hex");
  return Number.parseInt(h.slice(0, 12), 16) / 2 ** 48 < rate;
}

export function replayFactsOf(
  token: Claims,
  request: AuthzRequest,
  identityClaims: ReadonlySet<string>,
  identityAttributes: ReadonlyArray<readonly string[]>,
): ReplayFacts {
  const names = new Map<string, string>();
  const rename = (v: unknown): unknown => {
    if (typeof v === "string") {
      let name = names.get(v);
      if (name === undefined) {
        name = `#${names.size + 1}`;
        names.set(v, name);
      }
      return name;
    }
    return Array.isArray(v) ? v.map(rename) : v;
  };
  const renamedToken: Record<string, unknown> = {};
  for (const key of Object.keys(token).sort())
    renamedToken[key] = identityClaims.has(key) ? rename(token[key]) : token[key];
  const doc = structuredClone({ resource: request.resource, context: request.context ?? {} }) as Record<
    string,
    Record<string, unknown>
  >;
  for (const [root, ...path] of identityAttributes) renameAt(doc[root as string], path, rename);
  // An id the token carries, wherever else it appears in the request, is the same person.
  const known = (v: unknown): unknown => {
    if (typeof v === "string") return names.get(v) ?? v;
    if (Array.isArray(v)) return v.map(known);
    return v !== null && typeof v === "object" ? sweep(v, known) : v;
  };
  return {
    token: renamedToken,
    action: request.action,
    resource: sweep(doc.resource, known) as Record<string, unknown>,
    context: sweep(doc.context, known) as Record<string, unknown>,
  };
}

function renameAt(node: unknown, path: readonly string[], rename: (v: unknown) => unknown): void {
  if (node === null || typeof node !== "object" || Array.isArray(node) || path.length === 0) return;
  const [key, ...rest] = path as [string, ...string[]];
  const record = node as Record<string, unknown>;
  if (!Object.hasOwn(record, key)) return;
  if (rest.length === 0) record[key] = rename(record[key]);
  else renameAt(record[key], rest, rename);
}

/** The object's values, each through `known` (which recurses into nested values). */
function sweep(v: unknown, known: (v: unknown) => unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(known);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, known(x)]));
}

export function policyInputOf(facts: ReplayFacts) {
  return { token: facts.token, action: facts.action, resource: facts.resource, context: facts.context };
}

function decidesAlike(
  policy: Pick<PolicyEvaluator, "evaluate">,
  facts: ReplayFacts,
  next: PolicyDecision,
): boolean {
  try {
    return policy.evaluate(policyInputOf(facts)).allow === next.allow;
  } catch {
    return false;
  }
}
