import { z } from "zod";
import { compactJws, rfc3339, sideSchema } from "./event.js";

/** Wire name of the mirrored token lifecycle event, version 1. See docs/events.md. */
export const TOKEN_EVENT_SCHEMA = "entitlement-diff.token.v1";

export const lifecycleEventSchema = z.enum(["issued", "refreshed", "revoked"]);
export type LifecycleEvent = z.infer<typeof lifecycleEventSchema>;
export const LIFECYCLE_EVENTS = lifecycleEventSchema.options;

/**
 * What a CIAM did to a session: a login (`issued`), a refresh or a logout (`revoked`), with the
 * access token it issued (or, for `revoked`, the one presented at logout). Refresh tokens are
 * never mirrored: they are long-lived credentials. Their lifetime comes from the token response
 * (`refresh_expires_in`), when the CIAM tells it.
 */
export const tokenEventSchema = z.object({
  schema: z.literal(TOKEN_EVENT_SCHEMA),
  side: sideSchema,
  /** The same login on both sides (assigned by the gateway), not either CIAM's own session id. */
  sessionId: z.string().min(1).max(200),
  observedAt: rfc3339,
  event: lifecycleEventSchema,
  token: compactJws,
  /** Seconds the refresh token issued with this access token is valid for, when known. */
  refreshExpiresIn: z
    .number()
    .int()
    .positive()
    .max(366 * 86_400)
    .optional(),
});
export type TokenEvent = z.infer<typeof tokenEventSchema>;
