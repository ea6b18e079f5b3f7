import { hash } from "node:crypto";
import type { AuthzEvent } from "../contracts/index.js";
import { readNdjsonBatches } from "./ndjson-lines.js";
import { parseEvent } from "./parse-event.js";

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
  | { type: "rejected"; at: SourcePosition; reason: string; bytesRead: number };

/** The events of one NDJSON file, in batches; bad lines become `rejected` items with file, line and reason. */
export async function* fileEvents(file: string, maxLineBytes?: number): AsyncGenerator<SourceItem[]> {
  for await (const lines of readNdjsonBatches(file, maxLineBytes)) {
    yield lines.map((l): SourceItem => {
      const at = { file, line: l.line };
      if (!("text" in l)) return { type: "rejected", at, reason: "line too long", bytesRead: l.bytesRead };
      const parsed = parseEvent(l.text);
      if (!parsed.ok) return { type: "rejected", at, reason: parsed.reason, bytesRead: l.bytesRead };
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
