import { describe, expect, it } from "vitest";
import type { MirrorMessage } from "../ingest/kafka/mirror-consumer.js";
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
  it("keeps the first failure's time and the latest error until a send succeeds, and rethrows", async () => {
    const outcomes = [new Error("not authorized"), new Error("leader moved"), undefined];
    let clock = 1_000;
    const failures: unknown[] = [];
    const sent: string[] = [];
    const watched = watchDeadLetters(
      {
        send: async (_m, reason) => {
          const error = outcomes.shift();
          if (error) throw error;
          sent.push(reason);
        },
        close: async () => {},
      },
      (error) => failures.push(error),
      () => clock,
    );
    expect(watched.failing).toBeUndefined();
    await expect(watched.send(message, "bad")).rejects.toThrow("not authorized");
    clock = 5_000;
    await expect(watched.send(message, "bad")).rejects.toThrow("leader moved");
    expect(watched.failing).toEqual({ error: "Error: leader moved", sinceMs: 1_000 });
    expect(failures).toHaveLength(2);
    await watched.send(message, "bad");
    expect(watched.failing).toBeUndefined();
    expect(sent).toEqual(["bad"]);
  });
});
