import type { MirrorMessage } from "./mirror-consumer.js";

/** The original key bytes; for a message built elsewhere, its key encoded as UTF-8. */
export function rawKeyOf(message: MirrorMessage): Buffer | null {
  return message.rawKey ?? (message.key === null ? null : Buffer.from(message.key, "utf8"));
}
