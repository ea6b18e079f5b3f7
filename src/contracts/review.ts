import { z } from "zod";
import { findingKindSchema, rootCauseSchema, severitySchema } from "./findings.js";

/** Mismatches that share kind, request path, legacy rule and policy reasons: what a reviewer triages. */
export const driftGroupSchema = z.object({
  cohort: z.string(),
  kind: findingKindSchema,
  severity: severitySchema,
  action: z.string(),
  resourceType: z.string(),
  legacyRuleId: z.string().nullable(),
  policyReasons: z.array(z.string()),
  /** Why the decisions differ (over- and under-permissions); null for other kinds or when unknown. */
  cause: rootCauseSchema.nullable(),
  /** Findings in the group; `pairs` counts each pair once. */
  findings: z.number().int().nonnegative(),
  pairs: z.number().int().nonnegative(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  /** A few pair ids to open (GET /api/v1/mismatches/:pairId). */
  examplePairIds: z.array(z.string()),
});
export type DriftGroup = z.infer<typeof driftGroupSchema>;

export const driftPageSchema = z.object({
  groups: z.array(driftGroupSchema),
  /** Opaque; pass as `cursor` for the next page. Null on the last page. */
  nextCursor: z.string().nullable(),
});
export type DriftPage = z.infer<typeof driftPageSchema>;

const sideDecisionSchema = z.object({ allow: z.boolean().nullable() });

/** One stored pair: both sides' decisions side by side and its findings, ids pseudonymized. */
export const mismatchDetailSchema = z.object({
  pairId: z.string(),
  correlationId: z.string(),
  cohort: z.string(),
  paired: z.boolean(),
  onlySide: z.enum(["legacy", "new"]).nullable(),
  action: z.string(),
  resourceType: z.string(),
  eventTime: z.string(),
  legacy: sideDecisionSchema.extend({ ruleId: z.string().nullable() }),
  new: sideDecisionSchema.extend({ reasons: z.array(z.string()) }),
  subjects: z.object({ legacyPseudonym: z.string().nullable(), newPseudonym: z.string().nullable() }),
  resourcePseudonym: z.string().nullable(),
  policyBundleSha256: z.string(),
  legacyRulesSha256: z.string(),
  findings: z.array(
    z.object({
      kind: findingKindSchema,
      severity: severitySchema,
      side: z.enum(["legacy", "new"]).nullable(),
      cause: rootCauseSchema.nullable(),
      detail: z.string(),
    }),
  ),
});
export type MismatchDetail = z.infer<typeof mismatchDetailSchema>;
