import type { MirrorMessage } from "./mirror-consumer.js";

/**
 * The key bytes exactly as they were in Kafka, for messages our consumer delivered.
 * `MirrorMessage.key` is text, and a key that is not valid UTF-8 does not survive decoding; the
 * dead-letter sink must forward the original bytes, so the consumer remembers them here (weakly:
 * they go when the message does).
 */
const rawKeys = new WeakMap<MirrorMessage, Buffer>();

export function rememberRawKey(message: MirrorMessage, key: Buffer): void {
  rawKeys.set(message, key);
}

/** The original key bytes; for a message built elsewhere, its key encoded as UTF-8. */
export function rawKeyOf(message: MirrorMessage): Buffer | null {
  return rawKeys.get(message) ?? (message.key === null ? null : Buffer.from(message.key, "utf8"));
}
