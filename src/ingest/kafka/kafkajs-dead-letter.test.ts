import { describe, expect, it } from "vitest";
import { DLQ_HEADERS, deadLetterHeaders } from "./kafkajs-dead-letter.js";
import type { MirrorMessage } from "./mirror-consumer.js";
import { rawKeyOf } from "./raw-key.js";

const message = (key: string | null): MirrorMessage => ({
  topic: "ciam.mirror.legacy",
  partition: 3,
  offset: 41,
  key,
  value: Buffer.from("{not json"),
  timestampMs: 0,
});

describe("deadLetterHeaders", () => {
  it("says why, where from and when", () => {
    expect(deadLetterHeaders(message("k"), "not JSON", new Date("2026-01-02T03:04:05.000Z"))).toEqual({
      [DLQ_HEADERS.reason]: "not JSON",
      [DLQ_HEADERS.sourceTopic]: "ciam.mirror.legacy",
      [DLQ_HEADERS.sourcePartition]: "3",
      [DLQ_HEADERS.sourceOffset]: "41",
      [DLQ_HEADERS.at]: "2026-01-02T03:04:05.000Z",
    });
  });

  it("cuts a very long reason", () => {
    const reason = deadLetterHeaders(message("k"), "x".repeat(5_000), new Date(0))[DLQ_HEADERS.reason];
    expect(reason).toHaveLength(2_001);
    expect(reason?.endsWith("…")).toBe(true);
  });
});

describe("rawKeyOf", () => {
  it("returns the bytes the consumer saw, even when they are not UTF-8", () => {
    const bytes = Buffer.from([0xff, 0x00, 0xfe]);
    const m = { ...message(bytes.toString("utf8")), rawKey: bytes };
    expect(rawKeyOf(m)).toEqual(bytes);
  });

  it("encodes the text key of a message built elsewhere, and keeps a missing key missing", () => {
    expect(rawKeyOf(message("corr-1"))).toEqual(Buffer.from("corr-1"));
    expect(rawKeyOf(message(null))).toBeNull();
  });
});
