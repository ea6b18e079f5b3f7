import { hash } from "node:crypto";
import type { AuthzEvent, TokenEvent } from "../contracts/index.js";
import { readNdjsonBatches } from "./ndjson-lines.js";
import { parseMirrored } from "./parse-mirrored.js";

export interface SourcePosition {
  file: string;
  line: number;
}

export type SourceItem =
  | {
      type: "event";
      event: AuthzEvent;
      observedAtMs: number;
      /** sha256 of the exact line: a byte-for-byte redelivery has the same fingerprint. */
      fingerprint: string;
      at: SourcePosition;
      bytesRead: number;
    }
  | {
      /** A token lifecycle event (docs/events.md). */
      type: "token";
      event: TokenEvent;
      observedAtMs: number;
      at: SourcePosition;
      bytesRead: number;
    }
  | { type: "rejected"; at: SourcePosition; reason: string; bytesRead: number };

/** The events of one NDJSON file, in batches; bad lines become `rejected` items with file, line and reason. */
export async function* fileEvents(file: string, maxLineBytes?: number): AsyncGenerator<SourceItem[]> {
  for await (const lines of readNdjsonBatches(file, maxLineBytes)) {
    yield lines.map((l): SourceItem => {
      const at = { file, line: l.line };
      if (!("text" in l)) return { type: "rejected", at, reason: "line too long", bytesRead: l.bytesRead };
      const parsed = parseMirrored(l.text);
      if (!parsed.ok) return { type: "rejected", at, reason: parsed.reason, bytesRead: l.bytesRead };
      if (parsed.kind === "token")
        return {
          type: "token",
          event: parsed.event,
          observedAtMs: parsed.observedAtMs,
          at,
          bytesRead: l.bytesRead,
        };
      const fingerprint = hash("sha256", l.text, "base64url");
      return {
        type: "event",
        event: parsed.event,
        observedAtMs: parsed.observedAtMs,
        fingerprint,
        at,
        bytesRead: l.bytesRead,
      };
    });
  }
}
