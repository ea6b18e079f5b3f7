import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpMirrorProducer, HttpIngestError } from "./http-mirror-producer.js";

interface Seen {
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

let server: Server | undefined;

/** A real HTTP server on loopback that answers with `statuses` in turn and records each request. */
async function ingest(
  statuses: Array<[number, Record<string, string>?]>,
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer(async (req: IncomingMessage, res) => {
    let body = "";
    for await (const chunk of req) body += String(chunk);
    seen.push({ authorization: req.headers.authorization, contentType: req.headers["content-type"], body });
    const [status, headers] = statuses[Math.min(seen.length - 1, statuses.length - 1)] ?? [500];
    res.writeHead(status, headers).end(JSON.stringify({ status }));
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

afterEach(async () => {
  const open = server;
  server = undefined;
  if (open) await new Promise((resolve) => open.close(resolve));
});

describe("the simulator's HTTP sender", () => {
  it("posts a batch as NDJSON with the bearer token", async () => {
    const { url, seen } = await ingest([[202]]);
    const producer = createHttpMirrorProducer({ url, token: "t0k" });
    await producer.send("ignored", [
      { key: "a", value: '{"n":1}' },
      { key: "b", value: '{"n":2}' },
    ]);
    expect(seen).toEqual([
      { authorization: "Bearer t0k", contentType: "application/x-ndjson", body: '{"n":1}\n{"n":2}\n' },
    ]);
  });

  it("waits out a 503 as Retry-After says, then sends the same batch again", async () => {
    const { url, seen } = await ingest([[503, { "retry-after": "1" }], [202]]);
    const started = Date.now();
    await createHttpMirrorProducer({ url }).send("t", [{ key: null, value: "{}" }]);
    expect(seen).toHaveLength(2);
    expect(seen[1]?.body).toBe(seen[0]?.body);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("fails at once on a refusal that retrying cannot fix, with the status", async () => {
    const { url, seen } = await ingest([[401]]);
    const failure = createHttpMirrorProducer({ url, token: "bad" }).send("t", [{ key: null, value: "{}" }]);
    await expect(failure).rejects.toThrow(HttpIngestError);
    await expect(failure).rejects.toThrow(/401/);
    expect(seen).toHaveLength(1);
  });

  it("gives up on an unreachable service after its retry time", async () => {
    const producer = createHttpMirrorProducer({ url: "http://127.0.0.1:9", retryForMs: 1_500 });
    await expect(producer.send("t", [{ key: null, value: "{}" }])).rejects.toThrow(/unreachable/);
  });
});
