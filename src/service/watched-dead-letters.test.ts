import { describe, expect, it } from "vitest";
import type { MirrorMessage } from "../ingest/kafka/mirror-consumer.js";
import { httpOnlyParts, NO_DEAD_LETTER_TOPIC } from "./http-only-parts.js";
import { watchDeadLetters } from "./watched-dead-letters.js";

const message: MirrorMessage = {
  topic: "L",
  partition: 0,
  offset: 3,
  key: null,
  value: Buffer.from("{"),
  timestampMs: 0,
};

describe("watchDeadLetters", () => {
  it("keeps the latest failure until a send that started after it succeeds, and rethrows", async () => {
    const settle: ((error?: Error) => void)[] = [];
    let clock = 1_000;
    const failures: unknown[] = [];
    const watched = watchDeadLetters(
      {
        send: () => new Promise<void>((resolve, reject) => settle.push((e) => (e ? reject(e) : resolve()))),
        close: async () => {},
      },
      (error) => failures.push(error),
      () => clock,
    );
    expect(watched.latestFailure).toBeUndefined();
    const early = watched.send(message, "bad"); // started at 1,000
    clock = 2_000;
    const failing = watched.send(message, "bad");
    settle[1]?.(new Error("not authorized"));
    await expect(failing).rejects.toThrow("not authorized");
    expect(watched.latestFailure).toEqual({ error: "Error: not authorized", atMs: 2_000 });
    settle[0]?.(); // began before the failure: says nothing about the topic now
    await early;
    expect(watched.latestFailure).toBeDefined();
    clock = 3_000;
    const later = watched.send(message, "bad");
    settle[2]?.();
    await later;
    expect(watched.latestFailure).toBeUndefined();
    expect(failures).toHaveLength(1);
  });

  it("passes on that a service has no dead-letter topic (serve --no-kafka), so the pipeline sends nothing there", () => {
    const parts = httpOnlyParts();
    expect(watchDeadLetters(parts.deadLetters, () => {}).missing).toBe(NO_DEAD_LETTER_TOPIC);
    expect(
      watchDeadLetters({ send: async () => {}, close: async () => {} }, () => {}).missing,
    ).toBeUndefined();
  });
});
