import { describe, expect, it } from "vitest";
import { parseMirrored } from "./parse-mirrored.js";

const token = {
  schema: "entitlement-diff.token.v1",
  side: "new",
  sessionId: "login-1",
  observedAt: "2026-11-01T10:00:00+01:00",
  event: "refreshed",
  token: "aGVhZGVy.cGF5bG9hZA.c2ln",
  refreshExpiresIn: 28_800,
};

describe("parseMirrored", () => {
  it("tells token lifecycle events from authorization events by their schema", () => {
    const parsed = parseMirrored(JSON.stringify(token));
    expect(parsed).toEqual({
      ok: true,
      kind: "token",
      event: token,
      observedAtMs: Date.parse("2026-11-01T09:00:00Z"),
    });
    const authz = parseMirrored(
      JSON.stringify({
        schema: "entitlement-diff.authz.v1",
        side: "legacy",
        correlationId: "c",
        observedAt: "2026-11-01T10:00:00Z",
        token: "aGVhZGVy.cGF5bG9hZA.c2ln",
        request: { action: "read", resource: { type: "lab_result" } },
        sessionId: "login-1",
      }),
    );
    expect(authz.ok && authz.kind === "authz" && authz.event.sessionId).toBe("login-1");
  });

  it("names the field of a bad token event, and what a bad line is", () => {
    const bad = (o: object) => {
      const p = parseMirrored(JSON.stringify({ ...token, ...o }));
      return p.ok ? "ok" : p.reason;
    };
    expect(bad({ event: "logout" })).toBe(
      'event: Invalid option: expected one of "issued"|"refreshed"|"revoked"',
    );
    expect(bad({ sessionId: "" })).toMatch(/^sessionId: /);
    expect(bad({ refreshExpiresIn: -1 })).toMatch(/^refreshExpiresIn: /);
    expect(bad({ token: "not a jws" })).toBe("token: token is not a compact JWS (header.payload.signature)");
    const notJson = parseMirrored("{");
    expect(notJson.ok ? "" : notJson.reason).toMatch(/^not JSON/);
  });
});
