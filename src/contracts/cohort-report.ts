import { z } from "zod";
import { gateEvidenceSchema } from "./gate.js";
import { gateEvaluationSchema } from "./gate-evaluation.js";
import { latentEntitlementSchema } from "./latent.js";
import { driftGroupSchema } from "./review.js";
import { stageSchema } from "./stage.js";
import { waiverSchema } from "./waiver.js";

export const COHORT_REPORT_SCHEMA = "entitlement-diff.cohort-report.v1";

/** `entitlement-diff report --cohort`: one cohort from the store, as the review pages show it. */
export const cohortStoreReportSchema = z.object({
  schema: z.literal(COHORT_REPORT_SCHEMA),
  generatedAt: z.string(),
  cohort: z.string(),
  stage: stageSchema,
  stageSince: z.string().nullable(),
  /** Decided when the report was made, on the configured window; not recorded. */
  gate: gateEvaluationSchema,
  trend: z.array(gateEvidenceSchema.extend({ at: z.string() })),
  drift: z.array(driftGroupSchema),
  /** True when `drift` was cut at the report's limit. */
  driftTruncated: z.boolean(),
  waivers: z.array(waiverSchema),
  /** Latent entitlement drift under the deployed versions, when the config has a latent section. */
  latent: z
    .object({
      principalsEvaluated: z.number().int().nonnegative(),
      entitlements: z.array(latentEntitlementSchema),
    })
    .optional(),
});
export type CohortStoreReport = z.infer<typeof cohortStoreReportSchema>;
