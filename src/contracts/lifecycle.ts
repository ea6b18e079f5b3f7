import { z } from "zod";
import { DEFAULT_IDENTITY_CLAIMS } from "./latent.js";

/**
 * The token lifecycle mirror (docs/lifecycle.md): how the two sides' logins, refreshes and logouts
 * of one session are compared. The claim mappings checked are `identity.claimMappings`.
 */
export const lifecycleConfigSchema = z
  .object({
    /** Access (and refresh) token lifetimes, exp - iat, may differ by this much. */
    lifetimeToleranceSeconds: z.number().int().nonnegative().default(60),
    /**
     * The two sides' events of one session (a login, a refresh, a logout) belong together when
     * this close in event time; a refresh or logout without a counterpart this close is one-sided.
     */
    windowSeconds: z.number().positive().max(3_600).default(60),
    /** How often `serve` judges the stored lifecycle facts of sessions that moved. */
    sweepSeconds: z.number().int().min(1).max(3_600).default(10),
    /** Claims whose values are personal: claim drift shows their pseudonyms, never the values. */
    personalClaims: z.array(z.string().min(1)).default([...DEFAULT_IDENTITY_CLAIMS, "user_email"]),
  })
  .strict();
export type LifecycleConfig = z.infer<typeof lifecycleConfigSchema>;
