import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningService } from "../../src/service/run-service.js";
import { type KafkaBroker, startKafka } from "../support/kafka-broker.js";
import {
  createMirrorTopics,
  demoTraffic,
  expectedFindingLines,
  produceLines,
  startTestService,
  storedFindings,
  uniqueTopics,
  waitUntilDone,
} from "./service-kit.js";

const { topics, groupId } = uniqueTopics("members");
let broker: KafkaBroker;
const members: RunningService[] = [];

beforeAll(async () => {
  broker = await startKafka();
  await createMirrorTopics(broker, topics, 4);
}, 120_000);

afterAll(async () => {
  // The second member borrows the store; the first one owns and closes it, so it stops last.
  for (const m of [...members].reverse()) await m.stop();
  await broker?.stop();
});

describe("two service instances in one consumer group", () => {
  it("split the partitions between them and still find every pair", async () => {
    const storeDir = mkdtempSync(join(tmpdir(), "members-store-"));
    const first = await startTestService({ broker, topics, groupId, storeDir });
    members.push(first);
    // chdb opens one data directory per process: the second member shares the first one's store.
    members.push(await startTestService({ broker, topics, groupId, store: first.store }));
    const traffic = await demoTraffic(3_000);
    await produceLines(broker, topics, traffic.lines);
    await waitUntilDone(broker, first.store, topics, groupId, traffic.expected);
    const findings = await storedFindings(first.store);
    expect(findings.lines).toEqual(expectedFindingLines(traffic.expected));
    expect(findings.maxCopies).toBe(1);
    // Both members did part of the work: each paired some requests itself.
    const [a, b] = members.map((m) => m.writer.stats().writtenRows);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
  }, 180_000);
});
