import type { EntitlementDifference } from "../contracts/index.js";

/** Latent drift is a property of one policy bundle and one rules version: both are required. */
export interface LatentQuery {
  since: Date;
  until: Date;
  policyBundleSha256: string;
  legacyRulesSha256: string;
  /** One cohort, or all when omitted. */
  cohort?: string;
  /**
   * A principal is stored again only every `latent.refreshSeconds` of event time: one active in
   * the window may have been stored up to that long before it. Sightings that early count too.
   */
  sightingSlackSeconds?: number;
}

/** A differing cell of the matrix with the number of a cohort's principals (latest shape) that have it. */
export interface StoredDifference extends EntitlementDifference {
  cohort: string;
  principals: number;
}

/** What traffic showed on one request path of a cohort. */
export interface ObservedPathCounts {
  cohort: string;
  action: string;
  resourceType: string;
  /** Pairs whose two decisions were compared. */
  pairs: number;
  overPermission: number;
  underPermission: number;
}

export interface StoredLatentEvidence {
  principalsEvaluated: Record<string, number>;
  differences: StoredDifference[];
  observed: ObservedPathCounts[];
}
