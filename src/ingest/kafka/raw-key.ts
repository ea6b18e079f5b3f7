import type { MirrorMessage } from "./mirror-consumer.js";

/** The original key bytes; for a message built elsewhere, its key encoded as UTF-8. No key, no bytes. */
export function rawKeyOf(message: MirrorMessage): Buffer | null {
  if (message.key === null) return null;
  return message.rawKey ?? Buffer.from(message.key, "utf8");
}
