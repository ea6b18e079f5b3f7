import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { buildLatentReport } from "../../src/latent/latent-report.js";
import { createLogger } from "../../src/logging/logger.js";
import { deployedVersions } from "../../src/promotion/deployed-versions.js";
import { kafkajsParts } from "../../src/service/kafkajs-parts.js";
import { type RunningService, startService } from "../../src/service/run-service.js";
import { readLatentEvidence } from "../../src/store/latent-entitlements.js";
import { expectPlantedLatent } from "../demo/planted-latent-expectations.js";
import { type KafkaBroker, startKafka } from "../support/kafka-broker.js";
import {
  createMirrorTopics,
  type DemoTraffic,
  demoTraffic,
  groupLag,
  produceLines,
  readTopic,
  type ServiceTopics,
  serviceEnv,
  waitFor,
  writeServiceConfig,
} from "./service-kit.js";

const suffix = randomBytes(3).toString("hex");
const topics: ServiceTopics = {
  legacy: `legacy-${suffix}`,
  new: `new-${suffix}`,
  deadLetter: `dlq-${suffix}`,
};
const groupId = `e2e-${suffix}`;
let broker: KafkaBroker;
let traffic: DemoTraffic;
let service: RunningService;
let configFile: string;

async function storedOutcomes(): Promise<number> {
  const [row] = await service.store.driver.query<{ n: string }>(
    `SELECT count() AS n FROM ${service.store.tables.outcomes} FINAL`,
  );
  return Number(row?.n ?? 0);
}

beforeAll(async () => {
  broker = await startKafka();
  await createMirrorTopics(broker, topics, 4);
  traffic = await demoTraffic(3_000);
  configFile = writeServiceConfig({
    brokers: broker.brokers,
    topics,
    storeDir: mkdtempSync(join(tmpdir(), "service-store-")),
    groupId,
    // The other service tests diff on the main thread; this one decodes and diffs in workers.
    workers: 2,
  });
  const env = serviceEnv();
  const loaded = loadConfig(configFile);
  const log = createLogger(loaded.config.logging.level);
  await produceLines(broker, topics, traffic.lines);
  service = await startService({
    loaded,
    env,
    log,
    kafka: (t) => kafkajsParts(loaded.config.kafka, t, env, log),
    port: 0,
  });
  const { pairs, unpaired } = traffic.expected.totals;
  let last = "";
  await waitFor(`${pairs + unpaired} outcomes stored and every offset committed`, async () => {
    const stored = await storedOutcomes();
    const lag = await groupLag(broker, groupId, [topics.legacy, topics.new]);
    last = `stored ${stored}, lag ${lag}, writer ${JSON.stringify(service.writer.stats())}`;
    return stored === pairs + unpaired && lag === 0;
  }).catch((err: Error) => {
    throw new Error(`${err.message}; last seen: ${last}`);
  });
}, 240_000);

afterAll(async () => {
  await service?.stop();
  await broker?.stop();
});

describe("serve (two differ workers): mirrored traffic from a real Kafka broker into the embedded ClickHouse store", () => {
  it("stores every planted finding exactly once, and nothing else", async () => {
    const rows = await service.store.driver.query<{
      correlation_id: string;
      kind: string;
      side: string;
      n: string;
    }>(
      `SELECT correlation_id, kind, side, count() AS n FROM ${service.store.tables.findings} FINAL GROUP BY correlation_id, kind, side`,
    );
    const stored = rows.map((r) => `${r.correlation_id} ${r.kind} ${r.side || "-"}`).sort();
    const expected = traffic.expected.findings
      .map((f) => `${f.correlationId} ${f.kind} ${f.side ?? "-"}`)
      .sort();
    expect(stored).toEqual(expected);
    expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
  });

  it("counts pairs and unpaired per cohort as the replay does", async () => {
    const rows = await service.store.driver.query<{ cohort: string; pairs: string; unpaired: string }>(
      `SELECT cohort, countIf(paired) AS pairs, countIf(NOT paired) AS unpaired FROM ${service.store.tables.outcomes} FINAL GROUP BY cohort`,
    );
    const got = Object.fromEntries(rows.map((r) => [r.cohort, [Number(r.pairs), Number(r.unpaired)]]));
    const want = Object.fromEntries(
      Object.entries(traffic.expected.cohorts)
        .filter(([, c]) => c.pairs + c.unpaired > 0)
        .map(([id, c]) => [id, [c.pairs, c.unpaired]]),
    );
    expect(got).toEqual(want);
  });

  it("sends malformed and conflicting messages to the dead-letter topic with reason and origin", async () => {
    const rejected = traffic.expected.rejected;
    const dead = await readTopic(broker, topics.deadLetter, rejected.length);
    expect(dead).toHaveLength(rejected.length);
    for (const r of rejected) {
      const match = dead.find((d) => d.headers["x-dlq-reason"]?.includes(r.reasonContains));
      expect(match, `a dead letter whose reason contains "${r.reasonContains}"`).toBeDefined();
      expect(match?.headers["x-source-topic"]).toMatch(new RegExp(`^(${topics.legacy}|${topics.new})$`));
      expect(match?.headers["x-source-offset"]).toMatch(/^\d+$/);
    }
  });

  it("finds the planted latent drift in the principals' entitlement matrix, and nothing latent over-permits besides", async () => {
    const deployed = deployedVersions(loadConfig(configFile));
    const query = {
      since: new Date(Date.now() - 86_400_000),
      until: new Date(Date.now() + 60_000),
      ...deployed,
    };
    const report = buildLatentReport(await readLatentEvidence(service.store, query), query);
    expectPlantedLatent(report, traffic.expected);
  });

  it("keeps the replay facts of every decision mismatch for impact, and a sample of the agreeing pairs", async () => {
    const rows = await service.store.driver.query<{ kind: string; n: string; replayable: string }>(
      `SELECT kind, count() AS n, countIf(replayable) AS replayable FROM ${service.store.tables.replayFacts} FINAL GROUP BY kind ORDER BY kind`,
    );
    const stored = Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
    const planted = (kind: string) => traffic.expected.findings.filter((f) => f.kind === kind).length;
    expect(stored.over_permission).toBe(planted("over_permission"));
    expect(stored.under_permission).toBe(planted("under_permission"));
    // 5 % of the agreeing pairs (deterministic by correlation id): roughly, not exactly.
    expect(stored.match).toBeGreaterThan(traffic.expected.totals.pairs * 0.02);
    expect(stored.match).toBeLessThan(traffic.expected.totals.pairs * 0.09);
    for (const r of rows) expect(Number(r.replayable), r.kind).toBe(Number(r.n));
  });

  it("never stores a raw token or subject id", async () => {
    const rows = await service.store.driver.query<Record<string, unknown>>(
      `SELECT * FROM ${service.store.tables.findings} FINAL LIMIT 200`,
    );
    const latentRows = await service.store.driver.query<Record<string, unknown>>(
      `SELECT * FROM ${service.store.tables.latent} FINAL LIMIT 200`,
    );
    expect(latentRows.length).toBeGreaterThan(0);
    const facts = await service.store.driver.query<Record<string, unknown>>(
      `SELECT * FROM ${service.store.tables.replayFacts} FINAL LIMIT 500`,
    );
    expect(facts.length).toBeGreaterThan(0);
    const text = JSON.stringify([...rows, ...latentRows, ...facts]);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./); // no JWS
    expect(text).not.toMatch(/"u-\d{4,}"/); // no legacy subject ids of the demo
  });
});
