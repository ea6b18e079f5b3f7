import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../logging/logger.js";
import { createApp, type Readiness } from "./app.js";
import type { IntakeEvent } from "./ingest-route.js";

const accepted: IntakeEvent[] = [];
let ready: Readiness = { ready: false, checks: { kafka: { ok: false } } };
let accepting = true;
let base = "";
let close: () => void = () => {};

const line = (correlationId: string) =>
  JSON.stringify({
    schema: "entitlement-diff.authz.v1",
    side: "legacy",
    correlationId,
    observedAt: "2026-11-01T10:00:00Z",
    token: "aGVhZGVy.cGF5bG9hZA.c2ln",
    request: { action: "read", resource: { type: "patient_record" } },
  });

beforeAll(async () => {
  const app = createApp({
    config: { host: "127.0.0.1", port: 0, bodyLimitBytes: 4_096 },
    intake: (event) => {
      accepted.push(event);
      return event.kind === "token" && event.event.sessionId === "refused" ? "no lifecycle here" : undefined;
    },
    readiness: () => ready,
    accepting: () => accepting,
    log: createLogger("silent"),
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});

afterAll(() => close());

const post = (body: string, type = "application/x-ndjson") =>
  fetch(`${base}/api/v1/events`, { method: "POST", body, headers: { "content-type": type } });

describe("HTTP app", () => {
  it("answers liveness always and readiness from its checks", async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    ready = { ready: true, checks: { kafka: { ok: true } } };
    const r = await fetch(`${base}/readyz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual(ready);
  });

  it("accepts every valid NDJSON line and reports each bad one with its line number", async () => {
    accepted.length = 0;
    const r = await post([line("a"), "{oops", "", line("b"), '{"schema":"x"}'].join("\n"));
    expect(r.status).toBe(202);
    const body = (await r.json()) as { accepted: number; rejected: { line: number; reason: string }[] };
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((x) => x.line)).toEqual([2, 5]);
    expect(body.rejected[0]?.reason).toMatch(/^not JSON/);
    expect(accepted.map((e) => (e.kind === "authz" ? e.event.correlationId : ""))).toEqual(["a", "b"]);
  });

  it("takes token lifecycle events in the same body, and names what is wrong with a bad one", async () => {
    accepted.length = 0;
    const token = {
      schema: "entitlement-diff.token.v1",
      side: "new",
      sessionId: "login-1",
      observedAt: "2026-11-01T10:00:00Z",
      event: "revoked",
      token: "aGVhZGVy.cGF5bG9hZA.c2ln",
    };
    const r = await post(
      [
        line("a"),
        JSON.stringify(token),
        JSON.stringify({ ...token, event: "expired" }),
        JSON.stringify({ ...token, sessionId: "refused" }),
      ].join("\n"),
    );
    const body = (await r.json()) as { accepted: number; rejected: { line: number; reason: string }[] };
    expect(body.accepted).toBe(2);
    expect(body.rejected).toEqual([
      { line: 3, reason: 'event: Invalid option: expected one of "issued"|"refreshed"|"revoked"' },
      { line: 4, reason: "no lifecycle here" },
    ]);
    expect(
      accepted.map((e) => `${e.kind} ${e.kind === "token" ? e.event.sessionId : e.event.correlationId}`),
    ).toEqual(["authz a", "token login-1", "token refused"]);
  });

  it("answers 503 with Retry-After while it must not take events, and takes nothing", async () => {
    accepted.length = 0;
    accepting = false;
    const r = await post(line("a"));
    accepting = true;
    expect(r.status).toBe(503);
    expect(r.headers.get("retry-after")).toBe("5");
    expect(accepted).toEqual([]);
  });

  it("answers 400 when nothing is valid, 413 past the body limit, 415 for other content types", async () => {
    const bad = await post("{nope");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "no valid event in the body" });
    expect((await post(line("x").repeat(40))).status).toBe(413);
    expect((await post("a=b", "application/x-www-form-urlencoded")).status).toBe(415);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});
