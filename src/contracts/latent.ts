import { z } from "zod";

/** The two directions a modelled entitlement can differ in, named as the findings of traffic. */
export const latentDirectionSchema = z.enum(["over_permission", "under_permission"]);
export type LatentDirection = z.infer<typeof latentDirectionSchema>;

/**
 * A representative resource a principal might ask for, written in terms of the principal's own
 * claims: a string `$legacy.<claim path>` or `$new.<claim path>` (optionally `[index]` into a list
 * claim) is replaced by that claim's value; a missing claim leaves the attribute (or list element)
 * out. `$$` starts a literal string beginning with `$`.
 */
export const latentScenarioSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "lower-case letters, digits, - and _ (max 64)"),
    description: z.string().optional(),
    resource: z
      .record(z.string(), z.unknown())
      .refine(
        (r) => !Object.hasOwn(r, "type"),
        "the resource type comes from resourceTypes, not the scenario",
      ),
    context: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type LatentScenario = z.infer<typeof latentScenarioSchema>;

/** Ids and personal attributes (OIDC standard claims): only their equality may matter to a model. */
export const DEFAULT_IDENTITY_CLAIMS = [
  "sub",
  "legacy_sub",
  "client_id",
  "proxy_for",
  "sid",
  "jti",
  "email",
  "name",
  "given_name",
  "family_name",
  "preferred_username",
  "phone_number",
];

/**
 * The entitlement matrix evaluated for every principal seen (docs/latent.md): each action x
 * resource type x scenario under the legacy rules (legacy token) and the new policy (new token).
 */
export const latentConfigSchema = z
  .object({
    actions: z.array(z.string().min(1)).min(1),
    resourceTypes: z.array(z.string().min(1)).min(1),
    scenarios: z.array(latentScenarioSchema).min(1),
    /**
     * Claims whose values identify someone (the principal, the patients a caregiver acts for):
     * principals equal up to a renaming of these values share one evaluation of the matrix.
     */
    identityClaims: z.array(z.string().min(1)).default(DEFAULT_IDENTITY_CLAIMS),
    /** Distinct claim shapes whose matrix is kept evaluated (per differ thread). */
    cacheSize: z.number().int().positive().default(10_000),
    /** A principal already reported is reported again after this much event time (store TTL). */
    refreshSeconds: z.number().int().positive().default(21_600),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const ids = cfg.scenarios.map((s) => s.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i)
        ctx.addIssue({ code: "custom", path: ["scenarios", i, "id"], message: `duplicate scenario "${id}"` });
    });
  });
export type LatentConfig = z.infer<typeof latentConfigSchema>;

/** One cell of the matrix where the two models decide differently. */
export const entitlementDifferenceSchema = z.object({
  action: z.string(),
  resourceType: z.string(),
  scenario: z.string(),
  direction: latentDirectionSchema,
  legacyRuleId: z.string().nullable(),
  newReasons: z.array(z.string()),
});
export type EntitlementDifference = z.infer<typeof entitlementDifferenceSchema>;

/**
 * One modelled difference of a cohort, with how many of its principals have it and whether
 * traffic ever showed it: `latent` when no pair of the cohort on this action and resource type
 * was found to differ in the same direction.
 */
export const latentEntitlementSchema = entitlementDifferenceSchema.extend({
  cohort: z.string(),
  principals: z.number().int().nonnegative(),
  principalsEvaluated: z.number().int().nonnegative(),
  /** Compared pairs of the cohort on this action and resource type in the window. */
  observedPairs: z.number().int().nonnegative(),
  /** Of those, pairs with a finding of this direction. */
  observedFindings: z.number().int().nonnegative(),
  latent: z.boolean(),
});
export type LatentEntitlement = z.infer<typeof latentEntitlementSchema>;

export const latentReportSchema = z.object({
  since: z.string(),
  until: z.string(),
  policyBundleSha256: z.string(),
  legacyRulesSha256: z.string(),
  /** Principals whose entitlement matrix was evaluated, per cohort. */
  principalsEvaluated: z.record(z.string(), z.number().int().nonnegative()),
  entitlements: z.array(latentEntitlementSchema),
});
export type LatentReport = z.infer<typeof latentReportSchema>;
