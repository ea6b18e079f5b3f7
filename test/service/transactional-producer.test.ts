import { Kafka, logLevel, type Message } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIRROR_PARTITIONER } from "../../src/ingest/kafka/kafka-producer.js";
import type { RunningService } from "../../src/service/run-service.js";
import { createTopics } from "../kafka/kafka-test-kit.js";
import { type KafkaBroker, startKafka } from "../support/kafka-broker.js";
import {
  countOutcomes,
  demoTraffic,
  expectedFindingLines,
  groupLag,
  routeOf,
  type ServiceTopics,
  startTestService,
  storedFindings,
  uniqueTopics,
  waitFor,
  waitUntilDone,
} from "./service-kit.js";

const { topics, groupId } = uniqueTopics("txn");
let broker: KafkaBroker;
let service: RunningService | undefined;

beforeAll(async () => {
  broker = await startKafka();
  await createTopics(broker, { [topics.legacy]: 2, [topics.new]: 2, [topics.deadLetter]: 1 });
}, 120_000);

afterAll(async () => {
  await service?.stop();
  await broker?.stop();
});

/** Sends lines in one transaction per chunk, as a gateway with exactly-once delivery would. */
async function produceInTransactions(
  lines: readonly string[],
  end: "commit" | "abort",
  chunk = 100,
): Promise<void> {
  const kafka = new Kafka({ clientId: "txn-gateway", brokers: broker.brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({
    transactionalId: `gateway-${groupId}-${end}`,
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: MIRROR_PARTITIONER,
  });
  await producer.connect();
  try {
    for (let i = 0; i < lines.length; i += chunk) {
      const tx = await producer.transaction();
      for (const [topic, messages] of byTopic(topics, lines.slice(i, i + chunk)))
        await tx.send({ topic, messages });
      await (end === "commit" ? tx.commit() : tx.abort());
    }
  } finally {
    await producer.disconnect();
  }
}

function byTopic(t: ServiceTopics, lines: readonly string[]): Map<string, Message[]> {
  const out = new Map<string, Message[]>();
  for (const line of lines) {
    const { side, key } = routeOf(line);
    const topic = side === "new" ? t.new : t.legacy;
    out.set(topic, [...(out.get(topic) ?? []), { key, value: line }]);
  }
  return out;
}

describe("serve with gateways that mirror in Kafka transactions", () => {
  it("stores what was committed, never what was aborted, and commits past the last transaction marker", async () => {
    const traffic = await demoTraffic(300);
    await produceInTransactions(traffic.lines, "commit");
    service = await startTestService({ broker, topics, groupId, windowSeconds: 2 });
    // Lag 0 means the group committed past the markers that end both topics' partitions.
    await waitUntilDone(broker, service.store, topics, groupId, traffic.expected);
    // Then an aborted transaction with requests of their own, read while the service runs: its
    // fetches hold nothing but aborted records and the abort marker.
    const aborted = traffic.lines.slice(0, 40).flatMap((line) => {
      try {
        const e = JSON.parse(line) as { correlationId?: string };
        return typeof e.correlationId === "string"
          ? [JSON.stringify({ ...e, correlationId: `aborted-${e.correlationId}` })]
          : [];
      } catch {
        return [];
      }
    });
    expect(aborted.length).toBeGreaterThan(20);
    await produceInTransactions(aborted, "abort", 1_000);
    await waitFor(
      "the group to commit past the aborted transaction",
      async () => (await groupLag(broker, groupId, [topics.legacy, topics.new])) === 0,
    );
    expect(await countOutcomes(service.store)).toBe(
      traffic.expected.totals.pairs + traffic.expected.totals.unpaired,
    );
    const stored = await storedFindings(service.store);
    expect(stored.lines).toEqual(expectedFindingLines(traffic.expected));
    const [row] = await service.store.driver.query<{ n: string }>(
      `SELECT count() AS n FROM ${service.store.tables.outcomes} WHERE startsWith(correlation_id, 'aborted-')`,
    );
    expect(Number(row?.n)).toBe(0);
  }, 240_000);
});
