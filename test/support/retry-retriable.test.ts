import { describe, expect, it } from "vitest";
import { retryRetriable } from "./retry-retriable.js";

const retriable = (message: string) => Object.assign(new Error(message), { retriable: true });

describe("retryRetriable", () => {
  it("retries retriable failures until the attempt succeeds", async () => {
    let calls = 0;
    const value = await retryRetriable(async () => {
      calls++;
      if (calls < 3) throw retriable("coordinator loading");
      return "ok";
    });
    expect({ value, calls }).toEqual({ value: "ok", calls: 3 });
  });

  it("does not retry other errors", async () => {
    let calls = 0;
    await expect(
      retryRetriable(async () => {
        calls++;
        throw new Error("unknown topic");
      }),
    ).rejects.toThrow("unknown topic");
    expect(calls).toBe(1);
  });

  it("gives up with the last error after the deadline", async () => {
    await expect(
      retryRetriable(async () => {
        throw retriable("still loading");
      }, 300),
    ).rejects.toThrow("still loading");
  });
});
