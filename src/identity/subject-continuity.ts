import type { Claims } from "./claims.js";

export type ContinuityResult = { same: true } | { same: false; detail: string };

/**
 * Do the two tokens name the same person? The new token carries the legacy id in
 * `legacySubjectClaim`; when it does not (e.g. users created just in time in the new CIAM),
 * the two `sub` values must be equal. Details never include the ids themselves.
 */
export function checkSubjectContinuity(
  legacy: Claims,
  next: Claims,
  legacySubjectClaim: string,
): ContinuityResult {
  const legacySub = legacy.sub;
  if (typeof legacySub !== "string" || legacySub === "") {
    return { same: false, detail: "the legacy token has no sub" };
  }
  if (Object.hasOwn(next, legacySubjectClaim)) {
    return next[legacySubjectClaim] === legacySub
      ? { same: true }
      : { same: false, detail: `the new token's ${legacySubjectClaim} differs from the legacy sub` };
  }
  return next.sub === legacySub
    ? { same: true }
    : {
        same: false,
        detail: `the new token has no ${legacySubjectClaim} claim and its sub differs from the legacy sub`,
      };
}
