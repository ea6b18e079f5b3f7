import { z } from "zod";

/** A database name is interpolated into DDL, so only plain identifiers are accepted. */
export const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

const envVarName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, "an environment variable name such as ENTITLEMENT_DIFF_PSEUDONYM_KEY");

export const DEFAULT_STORE_PATH = ".entitlement-diff/chdb";
export const DEFAULT_DATABASE = "entitlement_diff";
export const DEFAULT_RETENTION_DAYS = 30;
export const DEFAULT_PSEUDONYM_KEY_ENV = "ENTITLEMENT_DIFF_PSEUDONYM_KEY";
export const DEFAULT_BATCH = { maxRows: 5_000, maxDelayMs: 500 } as const;

export const storeBatchSchema = z
  .object({
    /** A batch is written as soon as it holds this many outcomes... */
    maxRows: z.number().int().positive().max(1_000_000).default(DEFAULT_BATCH.maxRows),
    /** ...or when its oldest outcome has waited this long. */
    maxDelayMs: z.number().int().positive().max(60_000).default(DEFAULT_BATCH.maxDelayMs),
  })
  .strict();

/** The `store:` section of the config file (docs/store.md). */
export const storeConfigSchema = z
  .object({
    driver: z.enum(["embedded", "clickhouse"]).default("embedded"),
    /** Data directory of the embedded engine, relative to the config file. Ignored by `clickhouse`. */
    path: z.string().min(1).default(DEFAULT_STORE_PATH),
    /** Overridden by CLICKHOUSE_DATABASE for the clickhouse driver. */
    database: z
      .string()
      .regex(DATABASE_NAME, "letters, digits and _ (max 63), not starting with a digit")
      .default(DEFAULT_DATABASE),
    retentionDays: z.number().int().min(1).max(3_650).default(DEFAULT_RETENTION_DAYS),
    /** Name of the environment variable holding the HMAC key for pseudonymized ids (never the key itself). */
    pseudonymKeyEnv: envVarName.default(DEFAULT_PSEUDONYM_KEY_ENV),
    batch: storeBatchSchema.default({ ...DEFAULT_BATCH }),
  })
  .strict();

export type StoreConfig = z.infer<typeof storeConfigSchema>;
export type StoreBatchConfig = z.infer<typeof storeBatchSchema>;
