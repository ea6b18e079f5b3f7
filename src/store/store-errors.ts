import { EntitlementDiffError } from "../errors/errors.js";

/**
 * The store cannot be reached or refused an operation. Exit 69 (EX_UNAVAILABLE): a gate that
 * cannot read its evidence must fail loudly, never pass.
 */
export class StoreError extends EntitlementDiffError {
  readonly exitCode = 69;
  override name = "StoreError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The store's schema does not fit this build (e.g. migrated by a newer version). Exit 78. */
export class StoreSchemaError extends EntitlementDiffError {
  readonly exitCode = 78;
  override name = "StoreSchemaError";
}

/** The pseudonymization key is missing or too weak. Exit 78 (EX_CONFIG). */
export class PseudonymKeyError extends EntitlementDiffError {
  readonly exitCode = 78;
  override name = "PseudonymKeyError";
}

/** A write was not stored because the writer was closed first; the caller must not commit it. */
export class WriterClosedError extends EntitlementDiffError {
  readonly exitCode = 69;
  override name = "WriterClosedError";
}

/** First line of an error's message: server errors carry long stack traces. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n", 1)[0] ?? message;
}
