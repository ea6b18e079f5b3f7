import type { z } from "zod";
import { type AuthzEvent, authzEventSchema } from "../contracts/index.js";

export type ParsedEvent =
  | { ok: true; event: AuthzEvent; observedAtMs: number }
  | { ok: false; reason: string };

/**
 * Parses one mirrored event (an NDJSON line or a Kafka message value). Never throws: every problem
 * becomes a reason a person can act on, naming the field.
 */
export function parseEvent(text: string): ParsedEvent {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
  return parseEventValue(json);
}

/** The same, for a line already parsed as JSON. */
export function parseEventValue(json: unknown): ParsedEvent {
  const result = authzEventSchema.safeParse(json);
  if (!result.success) return { ok: false, reason: describeIssues(result.error) };
  const observedAtMs = Date.parse(result.data.observedAt);
  if (!Number.isFinite(observedAtMs)) return { ok: false, reason: "observedAt: not a valid date" };
  return { ok: true, event: result.data, observedAtMs };
}

const MAX_ISSUES = 3;

export function describeIssues(error: z.ZodError): string {
  const parts = error.issues.slice(0, MAX_ISSUES).map((issue) => {
    const path = issue.path.map(String).join(".");
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  const more = error.issues.length - MAX_ISSUES;
  return more > 0 ? `${parts.join("; ")}; and ${more} more` : parts.join("; ");
}
