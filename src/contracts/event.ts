import { z } from "zod";

/** Wire name of the mirrored authorization event, version 1. See docs/events.md. */
export const AUTHZ_EVENT_SCHEMA = "entitlement-diff.authz.v1";

export const sideSchema = z.enum(["legacy", "new"]);
export type Side = z.infer<typeof sideSchema>;
export const SIDES: readonly Side[] = ["legacy", "new"];

/** A compact JWS: three base64url segments. Signature checks happen later, in identity/. */
export const compactJws = z
  .string()
  .max(16_384, "token longer than 16384 characters")
  .regex(
    /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/,
    "token is not a compact JWS (header.payload.signature)",
  );

export const rfc3339 = z.iso.datetime({
  offset: true,
  message: "observedAt must be an RFC 3339 timestamp with a zone",
});

export const resourceSchema = z.looseObject({
  type: z.string().min(1).max(200),
  id: z.string().min(1).max(500).optional(),
});

export const authzRequestSchema = z.object({
  action: z.string().min(1).max(200),
  resource: resourceSchema,
  context: z.record(z.string(), z.unknown()).optional(),
});

export const observedDecisionSchema = z.object({ allow: z.boolean() });

export const authzEventSchema = z.object({
  schema: z.literal(AUTHZ_EVENT_SCHEMA),
  side: sideSchema,
  correlationId: z.string().min(1).max(200),
  observedAt: rfc3339,
  token: compactJws,
  request: authzRequestSchema,
  observedDecision: observedDecisionSchema.optional(),
  /**
   * The login this request belongs to, as in the token lifecycle events (docs/events.md): lets a
   * request after a one-sided logout show that the other side still accepts the session.
   */
  sessionId: z.string().min(1).max(200).optional(),
});

export type AuthzEvent = z.infer<typeof authzEventSchema>;
export type AuthzRequest = z.infer<typeof authzRequestSchema>;
export type Resource = z.infer<typeof resourceSchema>;
