import type { AuthzRequest, LegacyDecision } from "../contracts/index.js";
import type { Claims } from "../identity/claims.js";

/** The model of the old system: deterministic, default deny, any matching deny wins. */
export interface LegacyEngine {
  /** sha256 (hex) of the rules file as loaded, for provenance. */
  readonly rulesSha256: string;
  decide(claims: Claims, request: AuthzRequest): LegacyDecision;
}
