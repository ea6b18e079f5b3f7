import { TOKEN_EVENT_SCHEMA, type TokenEvent, tokenEventSchema } from "../contracts/index.js";
import { describeIssues, type ParsedEvent, parseEventValue } from "./parse-event.js";

export type ParsedTokenEvent = { ok: true; event: TokenEvent; observedAtMs: number };

/** A mirrored line of either kind: an authorization event or a token lifecycle event (by `schema`). */
export type ParsedMirrored =
  | ({ kind: "authz" } & Extract<ParsedEvent, { ok: true }>)
  | ({ kind: "token" } & ParsedTokenEvent)
  | { ok: false; reason: string };

/** As parseEvent, for topics and files that may carry token lifecycle events too. Never throws. */
export function parseMirrored(text: string): ParsedMirrored {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
  if (!isTokenEvent(json)) {
    const parsed = parseEventValue(json);
    return parsed.ok ? { kind: "authz", ...parsed } : parsed;
  }
  const result = tokenEventSchema.safeParse(json);
  if (!result.success) return { ok: false, reason: describeIssues(result.error) };
  const observedAtMs = Date.parse(result.data.observedAt);
  if (!Number.isFinite(observedAtMs)) return { ok: false, reason: "observedAt: not a valid date" };
  return { ok: true, kind: "token", event: result.data, observedAtMs };
}

function isTokenEvent(json: unknown): boolean {
  return (
    typeof json === "object" && json !== null && (json as { schema?: unknown }).schema === TOKEN_EVENT_SCHEMA
  );
}
