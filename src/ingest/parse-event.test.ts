import { describe, expect, it } from "vitest";
import { parseEvent } from "./parse-event.js";

const good = {
  schema: "entitlement-diff.authz.v1",
  side: "legacy",
  correlationId: "c-1",
  observedAt: "2026-11-01T10:00:00.120+01:00",
  token: "aGVhZGVy.cGF5bG9hZA.c2ln",
  request: { action: "read", resource: { type: "patient_record", ownerId: "u-1" } },
};

describe("parseEvent", () => {
  it("accepts a valid envelope and reads the event time with its zone", () => {
    const r = parseEvent(JSON.stringify(good));
    expect(r).toMatchObject({ ok: true, observedAtMs: Date.parse("2026-11-01T09:00:00.120Z") });
    expect(r.ok && r.event.request.resource).toEqual({ type: "patient_record", ownerId: "u-1" });
  });

  it.each([
    ["not JSON", "{", /^not JSON/],
    ["a wrong schema version", JSON.stringify({ ...good, schema: "entitlement-diff.authz.v2" }), /^schema:/],
    ["an unknown side", JSON.stringify({ ...good, side: "both" }), /^side:/],
    [
      "a time without zone",
      JSON.stringify({ ...good, observedAt: "2026-11-01T10:00:00" }),
      /^observedAt: .*RFC 3339/,
    ],
    [
      "a token that is not a JWS",
      JSON.stringify({ ...good, token: "opaque-token" }),
      /^token: .*compact JWS/,
    ],
    [
      "a missing resource type",
      JSON.stringify({ ...good, request: { action: "read", resource: {} } }),
      /^request\.resource\.type:/,
    ],
    ["an empty correlation id", JSON.stringify({ ...good, correlationId: "" }), /^correlationId:/],
  ])("rejects %s with a reason that names the field", (_name, text, reason) => {
    const r = parseEvent(text);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(reason);
  });

  it("never throws, whatever the input", () => {
    for (const text of ["null", "[]", "42", '"x"', '{"schema":null}', "\u0000"]) {
      expect(parseEvent(text).ok).toBe(false);
    }
  });
});
