import type { Side } from "../contracts/index.js";

/** Where a mirrored line goes: its side's topic, keyed by its correlationId. */
export interface LineRoute {
  side: Side;
  key: string | null;
}

/**
 * Routes a line as the gateways would: by its `side`, keyed by its `correlationId` so both halves
 * of a request land on the same partition number. A line that is not a JSON object with a side
 * (a mirror writer died mid-line) goes to the legacy topic without a key, like any garbage a
 * gateway might emit; the service dead-letters it.
 */
export function routeLine(line: string): LineRoute {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return MALFORMED;
  }
  if (typeof parsed !== "object" || parsed === null) return MALFORMED;
  const { side, correlationId } = parsed as { side?: unknown; correlationId?: unknown };
  if (side !== "legacy" && side !== "new") return MALFORMED;
  return { side, key: typeof correlationId === "string" && correlationId !== "" ? correlationId : null };
}

const MALFORMED: LineRoute = Object.freeze({ side: "legacy", key: null });
