import { z } from "zod";
import { conditionsSchema } from "./conditions.js";
import { durationSchema } from "./duration.js";
import { impactConfigSchema } from "./impact.js";
import { latentConfigSchema } from "./latent.js";
import { lifecycleConfigSchema } from "./lifecycle.js";
import { storeConfigSchema } from "./store-config.js";

const ASYMMETRIC_ALGS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
] as const;
const SYMMETRIC_ALGS = ["HS256", "HS384", "HS512"] as const;
export const algorithmSchema = z.enum([...ASYMMETRIC_ALGS, ...SYMMETRIC_ALGS]);

export const keySourceSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("jwks-file"), path: z.string().min(1) }).strict(),
  z
    .object({
      type: z.literal("jwks-url"),
      url: z.url({ protocol: /^https?$/ }),
      timeoutMs: z.number().int().positive().default(5_000),
      cacheMaxAgeMs: z.number().int().positive().default(600_000),
      cooldownMs: z.number().int().nonnegative().default(30_000),
    })
    .strict(),
  z
    .object({
      type: z.literal("hmac-secret-env"),
      /** Name of the environment variable that holds the shared secret (never the secret itself). */
      env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "an environment variable name such as LEGACY_JWT_SECRET"),
    })
    .strict(),
]);
export type KeySource = z.infer<typeof keySourceSchema>;

export const issuerConfigSchema = z
  .object({
    issuer: z.string().min(1),
    audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    keys: keySourceSchema,
    algorithms: z.array(algorithmSchema).min(1),
    clockToleranceSeconds: z.number().int().nonnegative().max(600).default(30),
    requiredClaims: z.array(z.string().min(1)).default(["exp"]),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    // Mixing HMAC and public-key algorithms for one issuer invites algorithm-confusion attacks.
    const symmetric = cfg.algorithms.filter((a) => a.startsWith("HS"));
    const secretKeys = cfg.keys.type === "hmac-secret-env";
    if (secretKeys && symmetric.length !== cfg.algorithms.length) {
      ctx.addIssue({
        code: "custom",
        path: ["algorithms"],
        message: "an hmac-secret-env key allows only HS256/HS384/HS512",
      });
    }
    if (!secretKeys && symmetric.length > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["algorithms"],
        message: `HMAC algorithms (${symmetric.join(", ")}) need keys.type hmac-secret-env`,
      });
    }
  });
export type IssuerConfig = z.infer<typeof issuerConfigSchema>;

const rate = z.number().min(0).max(1);

/** The six thresholds without defaults: the shape of a per-cohort override, where an omitted field inherits. */
const gateThresholdFields = z
  .object({
    minPairs: z.number().int().nonnegative(),
    maxMismatchRate: rate,
    confidence: z.number().gt(0.5).lt(1),
    maxOverPermission: z.number().int().nonnegative(),
    maxUnpairedRate: rate,
    maxObservedDriftRate: rate,
    /**
     * Modelled over-permissions no traffic exercised (docs/latent.md) a cohort may have and still
     * pass; not checked when unset. Needs the `latent` section.
     */
    maxLatentOverPermission: z.number().int().nonnegative(),
    /**
     * Sessions with a token lifecycle finding of each kind (docs/lifecycle.md) a cohort may have
     * and still pass; 0 when unset and the config has a `lifecycle` section, not checked without.
     */
    maxLifetimeDrift: z.number().int().nonnegative(),
    maxSessionDrift: z.number().int().nonnegative(),
    maxClaimDrift: z.number().int().nonnegative(),
  })
  .strict();

export const gateThresholdsSchema = gateThresholdFields.extend({
  confidence: z.number().gt(0.5).lt(1).default(0.95),
  maxOverPermission: z.number().int().nonnegative().default(0),
  maxLatentOverPermission: z.number().int().nonnegative().optional(),
  maxLifetimeDrift: z.number().int().nonnegative().optional(),
  maxSessionDrift: z.number().int().nonnegative().optional(),
  maxClaimDrift: z.number().int().nonnegative().optional(),
});
export type GateThresholds = z.infer<typeof gateThresholdsSchema>;

export const cohortSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "lower-case letters, digits, - and _ (max 64)"),
    description: z.string().optional(),
    when: conditionsSchema,
  })
  .strict();
export type CohortDefinition = z.infer<typeof cohortSchema>;

export const UNASSIGNED_COHORT = "unassigned";

/**
 * How a legacy token's claim appears in the new token: the claim's name on each side and, for
 * renamed values (roles), a one-to-one table; values not in the table are the same on both sides.
 */
export const claimMappingSchema = z
  .object({
    legacy: z.string().min(1),
    new: z.string().min(1),
    values: z.record(z.string(), z.string()).optional(),
  })
  .strict();
export type ClaimMapping = z.infer<typeof claimMappingSchema>;

/** A request path a cohort's gate must have seen at least `minPairs` times before it can pass. */
export const coverageRequirementSchema = z
  .object({
    action: z.string().min(1),
    resourceType: z.string().min(1),
    /** Only pairs the legacy rules decided with this rule count; any rule when omitted. */
    legacyRuleId: z.string().min(1).optional(),
    minPairs: z.number().int().positive(),
  })
  .strict();
export type CoverageRequirement = z.infer<typeof coverageRequirementSchema>;

export const gatesConfigSchema = z
  .object({
    default: gateThresholdsSchema,
    cohorts: z.record(z.string(), gateThresholdFields.partial()).default({}),
    /** The evidence window of `gate` and the API when no --since is given: the last `window`. */
    window: durationSchema.default("7d"),
    /** Count only outcomes produced under the deployed policy bundle and legacy rules. */
    pinToDeployed: z.boolean().default(true),
    /** Per cohort: request paths that must each have been observed before the gate can pass. */
    coverage: z.record(z.string(), z.array(coverageRequirementSchema)).default({}),
  })
  .strict();
export type GatesConfig = z.infer<typeof gatesConfigSchema>;

const envVarName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, "an environment variable name such as KAFKA_BROKERS");

export const kafkaConfigSchema = z
  .object({
    /** host:port list; the variable named by `brokersEnv`, when set, overrides it (comma-separated). */
    brokers: z
      .array(z.string().regex(/^[^\s:]+:\d{1,5}$/, "host:port"))
      .min(1)
      .default(["127.0.0.1:9092"]),
    brokersEnv: envVarName.default("KAFKA_BROKERS"),
    clientId: z.string().min(1).default("entitlement-diff"),
    groupId: z.string().min(1).default("entitlement-diff"),
    topics: z
      .object({
        legacy: z.string().min(1).default("ciam.mirror.legacy"),
        /** May equal `legacy`: one topic for both sides works too. */
        new: z.string().min(1).default("ciam.mirror.new"),
        deadLetter: z.string().min(1).default("ciam.mirror.dlq"),
        /** Where `promote` publishes each stage transition for the traffic router. */
        stages: z.string().min(1).default("ciam.cohort.stages"),
        /**
         * Token lifecycle events of both sides (docs/events.md), keyed by sessionId; read when the
         * config has a `lifecycle` section. Co-partitioned with the mirror topics like them.
         */
        tokens: z.string().min(1).default("ciam.mirror.tokens"),
      })
      .strict()
      .default({
        legacy: "ciam.mirror.legacy",
        new: "ciam.mirror.new",
        deadLetter: "ciam.mirror.dlq",
        stages: "ciam.cohort.stages",
        tokens: "ciam.mirror.tokens",
      }),
    /** Where a new consumer group starts: the beginning of the topics, or only new messages. */
    fromBeginning: z.boolean().default(true),
    commitIntervalMs: z.number().int().min(50).max(60_000).default(1_000),
    sessionTimeoutMs: z.number().int().min(6_000).max(300_000).default(30_000),
  })
  .strict();
export type KafkaConfig = z.infer<typeof kafkaConfigSchema>;

export const serverConfigSchema = z
  .object({
    host: z.string().min(1).default("0.0.0.0"),
    port: z.number().int().min(0).max(65_535).default(8080),
    /** Largest accepted NDJSON body of POST /api/v1/events. */
    bodyLimitBytes: z
      .number()
      .int()
      .positive()
      .max(100 * 2 ** 20)
      .default(10 * 2 ** 20),
  })
  .strict();
export type ServerConfig = z.infer<typeof serverConfigSchema>;

export const API_ROLES = ["reviewer", "approver", "gate", "admin", "ingest"] as const;
export const apiRoleSchema = z.enum(API_ROLES);
export type ApiRole = z.infer<typeof apiRoleSchema>;

/**
 * Who may call the review API: bearer JWTs of this issuer and audience, verified against its
 * public keys, carrying roles in `rolesClaim`. Only public-key algorithms: the API never shares a
 * secret with the identity provider.
 */
export const apiAuthConfigSchema = z
  .object({
    issuer: z.string().min(1),
    audience: z.string().min(1),
    keys: z.discriminatedUnion("type", [keySourceSchema.options[0], keySourceSchema.options[1]]),
    algorithms: z.array(z.enum(ASYMMETRIC_ALGS)).min(1).default(["ES256"]),
    clockToleranceSeconds: z.number().int().nonnegative().max(600).default(30),
    /** Dot path of the roles claim: an array of role names or one string. */
    rolesClaim: z.string().min(1).default("roles"),
    /**
     * A private JWK file for `entitlement-diff api-token` (local use without an identity
     * provider). Production configs leave it out and point `keys` at the organisation's issuer.
     */
    localSigningKey: z.string().min(1).optional(),
    /** Write routes (waivers, gate, promote): requests per client address per minute. */
    writeRateLimitPerMinute: z.number().int().positive().default(60),
  })
  .strict();
export type ApiAuthConfig = z.infer<typeof apiAuthConfigSchema>;

export const metricsConfigSchema = z
  .object({
    /** How often `serve` decides every cohort's gate (not recorded) for the gate gauges. */
    gateRefreshSeconds: z.number().int().min(5).max(3_600).default(60),
  })
  .strict();

export const loggingConfigSchema = z
  .object({ level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info") })
  .strict();

export const configSchema = z
  .object({
    version: z.literal(1),
    issuers: z.object({ legacy: issuerConfigSchema, new: issuerConfigSchema }).strict(),
    identity: z
      .object({
        legacySubjectClaim: z.string().min(1).default("legacy_sub"),
        claimMappings: z.array(claimMappingSchema).default([]),
      })
      .strict()
      .superRefine((identity, ctx) => {
        identity.claimMappings.forEach((m, i) => {
          const targets = Object.values(m.values ?? {});
          const twice = targets.find((t, j) => targets.indexOf(t) !== j);
          if (twice !== undefined)
            ctx.addIssue({
              code: "custom",
              path: ["claimMappings", i, "values"],
              message: `two legacy values map to "${twice}": a mapping must be one to one to be read back`,
            });
        });
      })
      .default({ legacySubjectClaim: "legacy_sub", claimMappings: [] }),
    legacy: z.object({ rules: z.string().min(1) }).strict(),
    policy: z
      .object({
        /** An `opa build -t wasm` bundle (.tar.gz) or a bare policy.wasm. */
        bundle: z.string().min(1),
        entrypoint: z.string().min(1).default("authz/decision"),
        /** Upper bound of the Wasm linear memory, in 64 KiB pages. */
        maxMemoryPages: z.number().int().min(2).max(65_536).default(1_024),
      })
      .strict(),
    pairing: z
      .object({
        windowSeconds: z.number().positive().max(86_400).default(30),
        maxPending: z.number().int().positive().default(200_000),
      })
      .strict()
      .default({ windowSeconds: 30, maxPending: 200_000 }),
    verification: z
      .object({ cacheSize: z.number().int().positive().default(100_000) })
      .strict()
      .default({ cacheSize: 100_000 }),
    evaluation: z
      .object({
        /**
         * Worker threads for `serve` that decode and validate the mirrored lines, verify,
         * evaluate, classify and encode the store's rows (0: all on the main thread). Each has its
         * own Wasm instance and verification cache.
         */
        workers: z.number().int().min(0).max(64).default(0),
        /**
         * A worker with work outstanding that answers nothing for this long is taken for wedged
         * (an evaluation that never ends, a hung key fetch): it is terminated and replaced, and
         * the pipeline retries what it held. Far above any answer's time, even a remote key
         * set's fetch with its retries.
         */
        workerTimeoutSeconds: z.number().int().min(5).max(3_600).default(60),
      })
      .strict()
      .default({ workers: 0, workerTimeoutSeconds: 60 }),
    kafka: kafkaConfigSchema.default(kafkaConfigSchema.parse({})),
    server: serverConfigSchema.default(serverConfigSchema.parse({})),
    /** The review API's authentication; without it only /healthz and /readyz are served. */
    api: apiAuthConfigSchema.optional(),
    logging: loggingConfigSchema.default({ level: "info" }),
    metrics: metricsConfigSchema.default({ gateRefreshSeconds: 60 }),
    store: storeConfigSchema.default(storeConfigSchema.parse({})),
    cohorts: z.array(cohortSchema).default([]),
    /** The entitlement matrix for latent drift (docs/latent.md); off when omitted. */
    latent: latentConfigSchema.optional(),
    /** What `serve` keeps of pairs for `impact` to replay (docs/impact.md); off when omitted. */
    impact: impactConfigSchema.optional(),
    /** The token lifecycle mirror (docs/lifecycle.md); off when omitted. */
    lifecycle: lifecycleConfigSchema.optional(),
    gates: gatesConfigSchema,
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const ids = new Set<string>();
    cfg.cohorts.forEach((c, i) => {
      if (c.id === UNASSIGNED_COHORT) {
        ctx.addIssue({
          code: "custom",
          path: ["cohorts", i, "id"],
          message: `"${UNASSIGNED_COHORT}" is reserved`,
        });
      }
      if (ids.has(c.id))
        ctx.addIssue({ code: "custom", path: ["cohorts", i, "id"], message: `duplicate cohort "${c.id}"` });
      ids.add(c.id);
    });
    const latentGated = [cfg.gates.default, ...Object.values(cfg.gates.cohorts)].some(
      (t) => t.maxLatentOverPermission !== undefined,
    );
    if (latentGated && cfg.latent === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["latent"],
        message: "gates use maxLatentOverPermission, which needs the latent entitlement matrix",
      });
    const lifecycleGated = [cfg.gates.default, ...Object.values(cfg.gates.cohorts)].some(
      (t) =>
        t.maxLifetimeDrift !== undefined || t.maxSessionDrift !== undefined || t.maxClaimDrift !== undefined,
    );
    if (lifecycleGated && cfg.lifecycle === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["lifecycle"],
        message:
          "gates use maxLifetimeDrift, maxSessionDrift or maxClaimDrift, which need the token lifecycle mirror",
      });
    for (const section of ["cohorts", "coverage"] as const) {
      for (const id of Object.keys(cfg.gates[section])) {
        if (!ids.has(id) && id !== UNASSIGNED_COHORT) {
          ctx.addIssue({
            code: "custom",
            path: ["gates", section, id],
            message: `gate ${section === "cohorts" ? "override" : "coverage"} for unknown cohort "${id}"`,
          });
        }
      }
    }
  });
export type Config = z.infer<typeof configSchema>;
