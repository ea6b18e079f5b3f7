import { hash } from "node:crypto";
import type { AuthzRequest, ImpactConfig, LegacyDecision } from "../contracts/index.js";
import type { Claims } from "../identity/claims.js";
import { createIdentityRenamer } from "../identity/identity-renamer.js";
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
  const ids = createIdentityRenamer();
  const keys = Object.keys(token).sort();
  const renamedToken: Record<string, unknown> = {};
  for (const key of keys) if (identityClaims.has(key)) renamedToken[key] = ids.rename(token[key]);
  const doc = structuredClone({ resource: request.resource, context: request.context ?? {} }) as Record<
    string,
    unknown
  >;
  for (const path of identityAttributes) renameAt(doc, path, ids.rename);
  // An id seen anywhere, in any other claim or attribute, is the same person: renamed there too.
  for (const key of keys) if (!identityClaims.has(key)) renamedToken[key] = ids.known(token[key]);
  return {
    token: Object.fromEntries(keys.map((k) => [k, renamedToken[k]])),
    action: request.action,
    resource: ids.known(doc.resource) as Record<string, unknown>,
    context: ids.known(doc.context) as Record<string, unknown>,
  };
}

/** Renames the value at a dot path, through arrays (`resource.careTeam.id` reaches `[{ id }]`). */
function renameAt(node: unknown, path: readonly string[], rename: (v: unknown) => unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) renameAt(item, path, rename);
    return;
  }
  if (node === null || typeof node !== "object" || path.length === 0) return;
  const [key, ...rest] = path as [string, ...string[]];
  const record = node as Record<string, unknown>;
  if (!Object.hasOwn(record, key)) return;
  if (rest.length === 0) record[key] = rename(record[key]);
  else renameAt(record[key], rest, rename);
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
