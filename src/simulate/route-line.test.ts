import { describe, expect, it } from "vitest";
import { routeLine } from "./route-line.js";

describe("routeLine", () => {
  it("routes an envelope to its side, keyed by its correlationId", () => {
    expect(routeLine('{"side":"new","correlationId":"c-1","token":"t"}')).toEqual({
      side: "new",
      key: "c-1",
    });
    expect(routeLine('{"side":"legacy","correlationId":"c-2"}')).toEqual({ side: "legacy", key: "c-2" });
  });

  it("keeps an invalid envelope with a side on its side (the service dead-letters it there)", () => {
    expect(routeLine('{"side":"new","correlationId":"c-3","request":{}}')).toEqual({
      side: "new",
      key: "c-3",
    });
    expect(routeLine('{"side":"new"}')).toEqual({ side: "new", key: null });
  });

  it("sends lines that are not JSON envelopes to the legacy topic without a key", () => {
    for (const line of [
      '{"side":"legacy","correlationId":"c-4","tok',
      "",
      "[1,2]",
      "null",
      '{"side":"both"}',
    ])
      expect(routeLine(line), line).toEqual({ side: "legacy", key: null });
  });
});
