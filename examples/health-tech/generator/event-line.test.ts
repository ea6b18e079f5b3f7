import { describe, expect, it } from "vitest";
import { parseEvent } from "../../../src/ingest/parse-event.js";
import { eventLine, lineWithoutResourceType, truncatedLine } from "./event-line.js";

const TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1LTEwMDEyMyJ9.c2ln";
const REQUEST = JSON.stringify({ action: "read", resource: { type: "lab_result", ownerId: "u-100123" } });
const at = Date.parse("2026-03-02T07:00:00.120Z");

describe("eventLine", () => {
  it("writes a valid event, with or without the observed decision", () => {
    const withDecision = parseEvent(eventLine("legacy", "abc", at, TOKEN, REQUEST, false));
    expect(withDecision).toMatchObject({
      ok: true,
      event: {
        side: "legacy",
        correlationId: "abc",
        observedAt: "2026-03-02T07:00:00.120Z",
        token: TOKEN,
        request: { action: "read", resource: { type: "lab_result", ownerId: "u-100123" } },
        observedDecision: { allow: false },
      },
    });
    const without = parseEvent(eventLine("new", "abc", at, TOKEN, REQUEST, undefined));
    expect(without.ok && without.event.observedDecision).toBeUndefined();
  });
});

describe("malformed lines", () => {
  const line = eventLine("new", "abc", at, TOKEN, REQUEST, true);

  it("a truncated line is not JSON", () => {
    const parsed = parseEvent(truncatedLine(line));
    expect(parsed.ok ? "" : parsed.reason).toContain("not JSON");
  });

  it("a line without resource.type fails the schema on that field", () => {
    const parsed = parseEvent(lineWithoutResourceType(line));
    expect(parsed.ok ? "" : parsed.reason).toContain("request.resource.type");
  });
});
