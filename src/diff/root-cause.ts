import type { RootCause } from "../contracts/index.js";
import type { ClaimTranslator } from "../identity/claim-mapping.js";
import type { Claims } from "../identity/claims.js";

/** Both models as functions of claims, for the same request. */
export interface Models {
  legacyAllows(claims: Claims): boolean;
  policyAllows(claims: Claims): boolean;
}

/**
 * The 2 x 2 cross-evaluation of a decision mismatch. Each model is also run on the other token's
 * claims mapped into its shape (claim-mapping.ts):
 * - the models agree on the legacy claims and on the new claims: the tokens differ, the rules do
 *   not: `claim_mapping`;
 * - otherwise, if each model decides the same on either token, the tokens carry the same
 *   information and the rules differ: `policy_logic`;
 * - otherwise both differ: `both`.
 */
export function attributeRootCause(
  models: Models,
  tokens: { legacy: Claims; new: Claims },
  translate: ClaimTranslator,
): RootCause {
  const legacyAsNew = translate.legacyIntoNew(tokens.legacy, tokens.new);
  const newAsLegacy = translate.newIntoLegacy(tokens.new, tokens.legacy);
  const legacyOnLegacy = models.legacyAllows(tokens.legacy);
  const policyOnNew = models.policyAllows(tokens.new);
  const policyOnLegacy = models.policyAllows(legacyAsNew);
  const legacyOnNew = models.legacyAllows(newAsLegacy);
  const rulesAgree = legacyOnLegacy === policyOnLegacy && legacyOnNew === policyOnNew;
  if (rulesAgree) return "claim_mapping";
  const tokensAgree = policyOnLegacy === policyOnNew && legacyOnNew === legacyOnLegacy;
  return tokensAgree ? "policy_logic" : "both";
}
