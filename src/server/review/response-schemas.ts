import { z } from "zod";
import {
  gateEvaluationSchema,
  gateEvidenceSchema,
  gateStatusSchema,
  stageSchema,
  stageTransitionSchema,
  waiverSchema,
} from "../../contracts/index.js";

// The review API's answers. The contracts' schemas where a body is one of their documents; here
// only the envelopes and the views the API adds. The OpenAPI document is generated from these.

/** One reason a request was refused: where in the request (`["query", "limit"]`) and why. */
export const requestIssueSchema = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
});
export type RequestIssue = z.infer<typeof requestIssueSchema>;

export const validationErrorSchema = z.object({
  error: z.literal("bad request"),
  details: z.array(requestIssueSchema),
});

/** 401, 403, 404, 413, 415, 429, 500, 503: what went wrong in words. */
export const errorSchema = z.object({ error: z.string(), details: z.string().nullable() });

export const promotionRefusedSchema = z.object({
  error: z.literal("conflict"),
  details: gateEvaluationSchema.describe("the gate evaluation that refused the promotion (recorded)"),
});

export type ApiErrorBody =
  | z.infer<typeof validationErrorSchema>
  | z.infer<typeof errorSchema>
  | z.infer<typeof promotionRefusedSchema>;

export const trendPointSchema = gateEvidenceSchema.extend({ at: z.string().describe("start of the step") });

export const cohortOverviewSchema = z.object({
  cohort: z.string(),
  stage: stageSchema,
  stageSince: z.string().nullable(),
  gate: gateEvaluationSchema.describe("decided now on the configured window; not recorded"),
  lastRecorded: z
    .object({ id: z.string(), status: gateStatusSchema, evaluatedAt: z.string(), evaluatedBy: z.string() })
    .nullable(),
  trend: z
    .array(trendPointSchema)
    .describe("counts over the gate window in up to 24 steps; empty steps left out"),
});
export type CohortOverviewView = z.infer<typeof cohortOverviewSchema>;

export const cohortListSchema = z.object({ cohorts: z.array(cohortOverviewSchema) });

/** A promotion that happened or was not needed; a refused one is a 409 (promotionRefusedSchema). */
export const promoteOutcomeSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("moved"),
    transition: stageTransitionSchema,
    gate: gateEvaluationSchema.nullable().describe("the recorded evaluation; null for a rollback"),
  }),
  z.object({
    kind: z.literal("unchanged"),
    stage: stageSchema,
    republished: stageTransitionSchema
      .nullable()
      .describe("the transition in force, published again; null when another run published it"),
  }),
]);

export const waiverListSchema = z.object({ waivers: z.array(waiverSchema) });

export const gateEvaluationPageSchema = z.object({
  evaluations: z.array(gateEvaluationSchema).describe("newest first"),
  nextCursor: z.string().nullable().describe("opaque; pass as cursor for the next page; null on the last"),
});
