import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { loadConfig } from "../../src/config/load-config.js";
import type { ApiRole } from "../../src/contracts/index.js";
import { createLogger } from "../../src/logging/logger.js";
import { loadLocalSigningKey, localSigningConfig } from "../../src/server/auth/local-signing-key.js";
import { mintApiToken } from "../../src/server/auth/mint-api-token.js";
import { kafkajsParts } from "../../src/service/kafkajs-parts.js";
import { type RunningService, startService } from "../../src/service/run-service.js";
import { type KafkaBroker, startKafka } from "../support/kafka-broker.js";
import {
  createMirrorTopics,
  demoTraffic,
  serviceEnv,
  uniqueTopics,
  waitFor,
  writeServiceConfig,
} from "./service-kit.js";

/** Small, so a few hundred demo lines exceed it; one pair of lines (~2.5 KB) fits many times. */
const BODY_LIMIT = 64 * 1024;

const { topics, groupId } = uniqueTopics("http");
let broker: KafkaBroker;
let service: RunningService;
/** A bearer token per role, from the demo's local signing key (the demo config has an api section). */
let tokenFor: (role: ApiRole) => Promise<string>;
let ingestToken: string;
/** Both lines of complete requests of the demo traffic, by correlationId (no planted specials). */
let pairs: { id: string; legacy: string; next: string }[];
let nextPair = 0;
const takePairs = (n: number) => {
  const taken = pairs.slice(nextPair, nextPair + n);
  nextPair += n;
  if (taken.length < n) throw new Error("the test ran out of demo pairs; generate more traffic");
  return taken;
};

beforeAll(async () => {
  broker = await startKafka();
  await createMirrorTopics(broker, topics, 1);
  const file = writeServiceConfig({
    brokers: broker.brokers,
    topics,
    storeDir: mkdtempSync(join(tmpdir(), "http-store-")),
    groupId,
    // The demo's events are dated by the generator, 25 requests a second of event time, but are
    // posted test after test, seconds of wall time apart. An HTTP stream is always caught up, so
    // its silence moves its time on: with the kit's 5 s window, a loaded machine's pause between
    // two posts gave up the next request's legacy half as unpaired before its partner came.
    windowSeconds: 600,
  });
  const config = parse(readFileSync(file, "utf8")) as { server: Record<string, unknown> };
  config.server.bodyLimitBytes = BODY_LIMIT;
  writeFileSync(file, stringify(config));
  pairs = completePairs((await demoTraffic(1_000)).lines);
  const env = serviceEnv();
  const loaded = loadConfig(file);
  const log = createLogger(loaded.config.logging.level);
  const api = localSigningConfig(loaded);
  const signing = await loadLocalSigningKey(loaded, api);
  tokenFor = (role) =>
    mintApiToken(api, signing, { subject: `gateway-${role}`, roles: [role], ttlSeconds: 600 });
  ingestToken = await tokenFor("ingest");
  service = await startService({
    loaded,
    env,
    log,
    kafka: (t) => kafkajsParts(loaded.config.kafka, t, env, log),
    port: 0,
  });
}, 240_000);

afterAll(async () => {
  await service?.stop();
  await broker?.stop();
});

function completePairs(lines: readonly string[]): { id: string; legacy: string; next: string }[] {
  const byId = new Map<string, string[]>();
  for (const line of lines) {
    let id: string;
    try {
      id = (JSON.parse(line) as { correlationId: string }).correlationId;
    } catch {
      continue;
    }
    byId.set(id, [...(byId.get(id) ?? []), line]);
  }
  return [...byId]
    .filter(([, l]) => l.length === 2 && l.some((x) => x.includes('"side":"legacy"')))
    .filter(([, l]) => l.every((x) => x.includes('"resource":{') && x.includes('"type"')))
    .map(([id, l]) => {
      const legacy = l.find((x) => x.includes('"side":"legacy"')) ?? "";
      const next = l.find((x) => x.includes('"side":"new"')) ?? "";
      return { id, legacy, next };
    })
    .filter((p) => p.legacy && p.next);
}

async function post(body: string, contentType = "application/x-ndjson", token: string | null = ingestToken) {
  const res = await fetch(`http://127.0.0.1:${service.port}/api/v1/events`, {
    method: "POST",
    headers: { "content-type": contentType, ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Paired outcomes stored per correlationId (FINAL: after deduplication). */
async function storedPairs(ids: string[]): Promise<Map<string, number>> {
  const rows = await service.store.driver.query<{ correlation_id: string; n: string }>(
    `SELECT correlation_id, count() AS n FROM ${service.store.tables.outcomes} FINAL
     WHERE paired AND correlation_id IN {ids:Array(String)} GROUP BY correlation_id`,
    { ids },
  );
  return new Map(rows.map((r) => [r.correlation_id, Number(r.n)]));
}

async function waitUntilStored(ids: string[]): Promise<Map<string, number>> {
  let stored = new Map<string, number>();
  try {
    await waitFor(
      `${ids.length} pairs posted over HTTP to be stored`,
      async () => {
        stored = await storedPairs(ids);
        return stored.size === ids.length;
      },
      30_000,
    );
  } catch (error) {
    // Once (CI, 2026-12-07, a loaded machine) five pairs were not stored in 30 s (the window,
    // above); what the store and the pipeline hold then says where they are.
    const where = await whereAre(ids).catch((e: unknown) => ({ unknown: String(e) }));
    throw new Error(`${String(error)}; ${JSON.stringify(where)}`);
  }
  return stored;
}

async function whereAre(ids: string[]): Promise<Record<string, unknown>> {
  const outcomes = await service.store.driver.query<Record<string, unknown>>(
    `SELECT correlation_id, paired, only_side FROM ${service.store.tables.outcomes}
     WHERE correlation_id IN {ids:Array(String)}`,
    { ids },
  );
  return {
    outcomes,
    pending: service.pipeline.pendingEvents(),
    writer: service.writer.stats(),
    deadLettersUnsent: service.pipeline.deadLettersUnsent,
  };
}

describe("POST /api/v1/events into the running service", () => {
  it("accepts the valid lines (202), lists each rejected line with its number and reason, and stores the pairs", async () => {
    const posted = takePairs(20);
    const lines = posted.flatMap((p) => [p.legacy, p.next]);
    lines.splice(4, 0, '{"schema":"authz-event","side":"legacy","correlationId":"cut-off');
    lines.splice(9, 0, JSON.stringify({ side: "new", correlationId: "no-token" }));
    lines.splice(12, 0, ""); // blank lines are skipped, but still counted in line numbers
    const res = await post(`${lines.join("\r\n")}\n`);
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(40);
    expect(res.body.rejectedTotal).toBe(2);
    const rejected = res.body.rejected as { line: number; reason: string }[];
    expect(rejected.map((r) => r.line)).toEqual([5, 10]);
    expect(rejected[0]?.reason).toMatch(/^not JSON/);
    expect(rejected[1]?.reason).toMatch(/^schema: .*token: /);
    const stored = await waitUntilStored(posted.map((p) => p.id));
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
  });

  it("pairs the two sides of a request posted in separate requests", async () => {
    const posted = takePairs(10);
    const first = await post(posted.map((p) => p.legacy).join("\n"));
    expect(first).toMatchObject({ status: 202, body: { accepted: 10, rejected: [] } });
    const second = await post(posted.map((p) => p.next).join("\n"));
    expect(second).toMatchObject({ status: 202, body: { accepted: 10, rejected: [] } });
    await waitUntilStored(posted.map((p) => p.id));
  });

  it("answers 400 when no line is valid, with the reasons", async () => {
    const res = await post("not json\n{}\n");
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("no valid event in the body");
    const details = res.body.details as { accepted: number; rejected: { line: number }[] };
    expect(details.accepted).toBe(0);
    expect(details.rejected.map((r) => r.line)).toEqual([1, 2]);
  });

  it("refuses token lifecycle events by line when the config has no lifecycle section", async () => {
    const token = JSON.stringify({
      schema: "entitlement-diff.token.v1",
      side: "legacy",
      sessionId: "login-1",
      observedAt: new Date().toISOString(),
      event: "issued",
      token: "aGVhZGVy.cGF5bG9hZA.c2ln",
    });
    const res = await post(`${token}\n`);
    expect(res.status).toBe(400);
    const details = res.body.details as { rejected: { line: number; reason: string }[] };
    expect(details.rejected).toEqual([
      { line: 1, reason: "a token lifecycle event, but the config has no lifecycle section" },
    ]);
  });

  it("answers 413 above server.bodyLimitBytes and takes nothing from that body", async () => {
    const big = takePairs(40);
    const body = big.flatMap((p) => [p.legacy, p.next]).join("\n");
    expect(Buffer.byteLength(body)).toBeGreaterThan(BODY_LIMIT);
    const res = await post(body);
    expect(res.status).toBe(413);
    expect(res.body.error).toBe("body too large");
    // A pair posted after it is stored; by then the oversized one would have been too.
    const after = takePairs(1);
    expect((await post(`${after[0]?.legacy}\n${after[0]?.next}`)).status).toBe(202);
    await waitUntilStored(after.map((p) => p.id));
    expect((await storedPairs(big.map((p) => p.id))).size).toBe(0);
  });

  it("takes events only with a token of the ingest role: 401 without one, 403 with another role", async () => {
    const [pair] = takePairs(1);
    const body = `${pair?.legacy}\n${pair?.next}`;
    expect((await post(body, undefined, null)).status).toBe(401);
    expect((await post(body, undefined, await tokenFor("reviewer"))).status).toBe(403);
  });

  it("answers 415 to a body that is not text", async () => {
    const res = await post("\u0000\u0001", "application/octet-stream");
    expect(res.status).toBe(415);
  });
});

describe("the review API and pages in the running service", () => {
  const get = (path: string, token?: string) =>
    fetch(`http://127.0.0.1:${service.port}${path}`, {
      redirect: "manual",
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  it("serves the cohorts to a reviewer, and the pages only after login", async () => {
    const reviewer = await tokenFor("reviewer");
    const cohorts = await get("/api/v1/cohorts", reviewer);
    expect(cohorts.status).toBe(200);
    const body = (await cohorts.json()) as { cohorts: Array<{ cohort: string }> };
    expect(body.cohorts.map((c) => c.cohort)).toContain("clinicians");
    expect((await get("/api/v1/cohorts")).status).toBe(401);
    const page = await get("/");
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toMatch(/^\/login/);
    const overview = await get("/", reviewer);
    expect(overview.status).toBe(200);
    expect(await overview.text()).toContain("<h1>Cohorts</h1>");
    expect((await get("/api/v1/openapi.json")).status).toBe(200);
  });
});

describe("GET /metrics of the running service", () => {
  it("counts what the service did, by side, cohort and outcome, without any id, for a reviewer", async () => {
    const posted = takePairs(5);
    const res = await post(
      [...posted.map((p) => p.legacy), ...posted.map((p) => p.next), "not json"].join("\n"),
    );
    expect(res.status).toBe(202);
    await waitUntilStored(posted.map((p) => p.id));
    const scrape = await fetch(`http://127.0.0.1:${service.port}/metrics`, {
      headers: { authorization: `Bearer ${await tokenFor("reviewer")}` },
    });
    expect(scrape.status).toBe(200);
    const text = await scrape.text();
    const value = (series: RegExp) =>
      text
        .split("\n")
        .filter((l) => series.test(l))
        .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
    expect(value(/^entitlement_diff_events_consumed_total\{side="legacy"\}/)).toBeGreaterThanOrEqual(5);
    expect(value(/^entitlement_diff_pairs_evaluated_total\{/)).toBeGreaterThanOrEqual(5);
    expect(value(/^entitlement_diff_events_rejected_total\{reason="not_json"\}/)).toBeGreaterThanOrEqual(1);
    expect(
      value(/^entitlement_diff_evaluation_duration_seconds_count\{stage="pair"\}/),
    ).toBeGreaterThanOrEqual(5);
    expect(value(/^entitlement_diff_store_batch_duration_seconds_count/)).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(
      /^entitlement_diff_deployed_info\{policy_bundle_sha256="[0-9a-f]{64}",legacy_rules_sha256="[0-9a-f]{64}"\} 1$/m,
    );
    // Decided from the store at start (and every metrics.gateRefreshSeconds), for every cohort.
    expect(text).toMatch(/^entitlement_diff_gate_status\{cohort="clinicians",status="pass"\} [01]$/m);
    expect(text).toMatch(/^entitlement_diff_cohort_stage\{cohort="clinicians",stage="shadow"\} 1$/m);
    for (const p of posted) expect(text).not.toContain(p.id);
    expect((await fetch(`http://127.0.0.1:${service.port}/metrics`)).status).toBe(401);
  });
});
