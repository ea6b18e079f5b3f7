import { z } from "zod";
import {
  cohortSchema,
  findingKindSchema,
  rootCauseSchema,
  severitySchema,
  stageSchema,
  waiverRequestSchema,
} from "../../contracts/index.js";

// What each review route accepts, as one object `{ params, query, body }` per route, so a refused
// field is named with where it was (`["query", "limit"]`). Queries are strict: a misspelt filter
// is an error, not silently "everything". The OpenAPI parameters are generated from these.

/** A route that takes no query parameters still refuses them. */
const noQuery = z.object({}).strict();

const rfc3339 = z.iso
  .datetime({ offset: true, message: "an RFC 3339 time, e.g. 2026-11-01T00:00:00Z" })
  .transform((text) => new Date(text));

/** Query values are text; a page size is a whole number within bounds, `fallback` when absent. */
function pageLimit(max: number, fallback: number) {
  return z
    .string()
    .regex(/^\d{1,4}$/, "a whole number")
    .transform(Number)
    .pipe(z.number().int().min(1).max(max))
    .default(fallback)
    .describe(`page size, 1..${max}; default ${fallback}`);
}

const cursor = z.string().min(1).max(2_000).describe("nextCursor of the previous page");

/** Filters name cohorts by id; a well-formed id that is not configured filters to nothing. */
const cohortFilter = cohortSchema.shape.id.optional().describe("only this cohort");

const gateWindowQuery = z
  .object({
    since: rfc3339
      .optional()
      .describe("start of the evidence window (RFC 3339); default: until - gates.window"),
    until: rfc3339.optional().describe("end of the evidence window (RFC 3339), exclusive; default: now"),
  })
  .strict()
  .refine((w) => !w.since || !w.until || w.since < w.until, {
    path: ["until"],
    message: "until must be after since",
  });

const cohortParams = z.object({ id: z.string().describe("a configured cohort id, or unassigned") });

export const cohortsInput = z.object({ query: noQuery });

export const cohortGateInput = z.object({ params: cohortParams, query: gateWindowQuery });

export const promoteInput = z.object({
  params: cohortParams,
  query: noQuery,
  body: z.object({ to: stageSchema }).strict(),
});

export const driftInput = z.object({
  query: z
    .object({
      cohort: cohortFilter,
      kind: findingKindSchema.optional(),
      severity: severitySchema.optional(),
      cause: rootCauseSchema.optional().describe("only over- and under-permissions of this root cause"),
      since: rfc3339.optional().describe("findings observed at or after (RFC 3339)"),
      until: rfc3339.optional().describe("findings observed before (RFC 3339); default: now"),
      limit: pageLimit(500, 50),
      cursor: cursor.optional(),
    })
    .strict(),
});

export const latentInput = z.object({
  query: z
    .object({
      cohort: cohortFilter,
      since: rfc3339
        .optional()
        .describe("principals sighted at or after (RFC 3339); default: until - gates.window"),
      until: rfc3339.optional().describe("principals sighted before (RFC 3339); default: now"),
      latent: z
        .enum(["true", "false"])
        .transform((v) => v === "true")
        .optional()
        .describe("true: only the differences traffic never exercised"),
    })
    .strict()
    .refine((w) => !w.since || !w.until || w.since < w.until, {
      path: ["until"],
      message: "until must be after since",
    }),
});

export const mismatchInput = z.object({
  params: z.object({
    // A correlation id pasted here is the likely mistake: say what a pair id looks like.
    pairId: z
      .string()
      .regex(/^[0-9a-f]{64}$/, "a pair id is 64 lower-case hex digits (from a drift group's examplePairIds)"),
  }),
  query: noQuery,
});

export const waiversInput = z.object({ query: z.object({ cohort: cohortFilter }).strict() });

export const createWaiverInput = z.object({ query: noQuery, body: waiverRequestSchema });

export const gateEvaluationsInput = z.object({
  query: z
    .object({
      cohort: cohortFilter,
      // Each evaluation is a whole audit document, and the page looks one ahead within the
      // store's 500: 200 is plenty.
      limit: pageLimit(200, 50),
      cursor: cursor.optional(),
    })
    .strict(),
});

export const metricsInput = z.object({ query: noQuery });
