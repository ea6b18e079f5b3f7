import { hash } from "node:crypto";
import type { Config, Side } from "../contracts/index.js";
import type { VerifiedToken } from "../identity/jose-verifier.js";

/** The issuer settings of a side (issuer, audiences, algorithms, key source, tolerances), hashed. */
export function issuerPrint(config: Config, side: Side): string {
  return hash("sha256", JSON.stringify(config.issuers[side]), "base64url");
}

/**
 * Whether another differ worker may take this outcome as its own. A key set is fetched by each
 * worker on its own: a token refused for a kid one worker does not know yet (a key rotation) may
 * be one another worker knows, so such refusals stay where they arose.
 */
export function isShareable(outcome: VerifiedToken): boolean {
  return outcome.valid || outcome.reason !== "unknown_key";
}
