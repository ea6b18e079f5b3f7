import { z } from "zod";
import { findingKindSchema } from "./findings.js";

/**
 * What a waiver covers: a cohort and, optionally, narrower fields of a finding. Every field given
 * must equal the finding's; `policyReason` must be one of the new policy's reasons for it.
 */
export const waiverScopeSchema = z
  .object({
    cohort: z.string().min(1),
    kind: findingKindSchema.exclude(["unpaired"]).optional(),
    action: z.string().min(1).optional(),
    resourceType: z.string().min(1).optional(),
    legacyRuleId: z.string().min(1).optional(),
    policyReason: z.string().min(1).optional(),
  })
  .strict();
export type WaiverScope = z.infer<typeof waiverScopeSchema>;

/** An accepted difference as a person files it (POST /api/v1/waivers, or the store API). */
export const waiverRequestSchema = z
  .object({
    owner: z.string().min(1).max(200),
    reason: z.string().min(1).max(2_000),
    /** The ticket that tracks the fix, e.g. SEC-1234 or a URL. */
    ticket: z.string().min(1).max(500),
    scope: waiverScopeSchema,
    /** RFC 3339; the waiver stops applying at this instant. */
    expiresAt: z.iso.datetime({ offset: true }),
    /** Over-permissions are never waived unless this is set on purpose. */
    allowOverPermission: z.boolean().default(false),
  })
  .strict()
  .superRefine((w, ctx) => {
    if (w.scope.kind === "over_permission" && !w.allowOverPermission)
      ctx.addIssue({
        code: "custom",
        path: ["allowOverPermission"],
        message: "a waiver of over_permission needs allowOverPermission: true",
      });
  });
export type WaiverRequest = z.input<typeof waiverRequestSchema>;

/** A stored waiver: the request plus who filed it and when. Append-only: never changed. */
export const waiverSchema = z.object({
  id: z.string(),
  owner: z.string(),
  reason: z.string(),
  ticket: z.string(),
  scope: waiverScopeSchema,
  expiresAt: z.string(),
  allowOverPermission: z.boolean(),
  createdBy: z.string(),
  createdAt: z.string(),
});
export type Waiver = z.infer<typeof waiverSchema>;
