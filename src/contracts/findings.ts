import { z } from "zod";
import { sideSchema } from "./event.js";

export const findingKindSchema = z.enum([
  "over_permission",
  "under_permission",
  "subject_mismatch",
  "token_invalid",
  "policy_error",
  "unpaired",
  "observed_drift",
  "lifetime_drift",
  "session_drift",
  "claim_drift",
]);
export type FindingKind = z.infer<typeof findingKindSchema>;
export const FINDING_KINDS = findingKindSchema.options;

/**
 * Why a decision mismatch happens, from evaluating both models on both tokens' claims (the 2 x 2):
 * `policy_logic`, the models disagree on the same claims (fix the Rego); `claim_mapping`, the
 * models agree once the claims are mapped but the tokens carry different claims (fix the identity
 * migration); `both`.
 */
export const rootCauseSchema = z.enum(["policy_logic", "claim_mapping", "both"]);
export type RootCause = z.infer<typeof rootCauseSchema>;

export const severitySchema = z.enum(["critical", "high", "medium", "low"]);
export type Severity = z.infer<typeof severitySchema>;

export const SEVERITY_OF: Readonly<Record<FindingKind, Severity>> = {
  over_permission: "critical",
  under_permission: "high",
  subject_mismatch: "high",
  token_invalid: "high",
  // The new policy could not decide the request (a Rego runtime error, a result outside the
  // contract). A gateway fails closed or open on it: either way the two systems are not at parity.
  policy_error: "high",
  unpaired: "medium",
  observed_drift: "medium",
  // Token lifecycle (docs/lifecycle.md). A logout that does not end the session on the other side
  // keeps a stolen token useful; claims that do not map feed every decision with wrong facts.
  lifetime_drift: "medium",
  session_drift: "high",
  claim_drift: "high",
};

/** Findings of the token lifecycle mirror: about a session, not a request. */
export const LIFECYCLE_KINDS: ReadonlySet<FindingKind> = new Set([
  "lifetime_drift",
  "session_drift",
  "claim_drift",
]);

/** Kinds that make a pair count as a mismatch in the gate's mismatch rate. */
export const MISMATCH_KINDS: ReadonlySet<FindingKind> = new Set([
  "over_permission",
  "under_permission",
  "subject_mismatch",
  "token_invalid",
  "policy_error",
]);

export const legacyDecisionViewSchema = z.object({
  allow: z.boolean().nullable(),
  ruleId: z.string().nullable(),
});
export const newDecisionViewSchema = z.object({
  allow: z.boolean().nullable(),
  reasons: z.array(z.string()),
});

/** One finding, as reported. `allow: null` means that side was not evaluated (e.g. invalid token, unpaired). */
export const findingSchema = z.object({
  correlationId: z.string(),
  cohort: z.string(),
  kind: findingKindSchema,
  severity: severitySchema,
  /** The side the finding is about, for token_invalid, policy_error (always new), unpaired and observed_drift. */
  side: sideSchema.nullable(),
  action: z.string(),
  resourceType: z.string(),
  legacy: legacyDecisionViewSchema,
  new: newDecisionViewSchema,
  /** Human-readable explanation: verification error, differing subjects, observed vs modelled decision. */
  detail: z.string(),
  observedAt: z.string(),
  /** For over- and under-permissions of two verified tokens: why the decisions differ. */
  cause: rootCauseSchema.optional(),
});
export type Finding = z.infer<typeof findingSchema>;
