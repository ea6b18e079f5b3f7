import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningService } from "../../src/service/run-service.js";
import { StoreError } from "../../src/store/store-errors.js";
import { type KafkaBroker, startKafka } from "../support/kafka-broker.js";
import {
  countOutcomes,
  createMirrorTopics,
  demoTraffic,
  expectedFindingLines,
  groupLag,
  produceLines,
  serviceEnv,
  startTestService,
  storedFindings,
  uniqueTopics,
  waitFor,
  waitUntilDone,
} from "./service-kit.js";

const { topics, groupId } = uniqueTopics("storefail");
let broker: KafkaBroker;
let service: RunningService;

beforeAll(async () => {
  broker = await startKafka();
}, 120_000);

afterAll(async () => {
  await broker?.stop();
});

describe("serve while the store fails", () => {
  let storeDown = true;
  let failedInserts = 0;
  // Before the next suite starts its own: chdb opens one data directory per process.
  afterAll(async () => {
    await service?.stop();
  });
  beforeAll(async () => {
    await createMirrorTopics(broker, topics, 3);
    service = await startTestService({
      broker,
      topics,
      groupId,
      wrapSink: (sink) => async (rows) => {
        if (storeDown) {
          failedInserts++;
          throw new StoreError("injected: store unreachable");
        }
        await sink(rows);
      },
    });
  }, 120_000);

  it("pauses, commits nothing past the failure, and stores everything once it recovers", async () => {
    const traffic = await demoTraffic(2_000);
    await produceLines(broker, topics, traffic.lines);
    const produced = await groupLag(broker, groupId, [topics.legacy, topics.new]);
    await waitFor(
      "the writer to report the store unhealthy and pause",
      async () => !service.writer.healthy && service.writer.paused,
    );
    await new Promise((r) => setTimeout(r, 1_500)); // several commit intervals with the store down
    expect(failedInserts).toBeGreaterThan(0);
    expect(await countOutcomes(service.store)).toBe(0);
    // Only offsets whose outcomes needed no storing (dead letters, duplicates at a partition's head)
    // may be committed: at most a handful, never the stream.
    expect(await groupLag(broker, groupId, [topics.legacy, topics.new])).toBeGreaterThan(produced - 10);

    storeDown = false;
    await waitUntilDone(broker, service.store, topics, groupId, traffic.expected);
    const findings = await storedFindings(service.store);
    expect(findings.lines).toEqual(expectedFindingLines(traffic.expected));
    expect(findings.maxCopies).toBe(1);
    expect(service.writer.healthy).toBe(true);
    // The waits above have their own deadlines; the backoff may reach several seconds while down.
  }, 240_000);
});

describe("a stop while the store fails", () => {
  const stopping = uniqueTopics("storefailstop");
  const storeDir = mkdtempSync(join(tmpdir(), "service-store-"));
  const env = serviceEnv();
  let failing: RunningService | undefined;
  let recovered: RunningService | undefined;

  afterAll(async () => {
    await failing?.stop();
    await recovered?.stop();
  });

  it("ends within its wait, exits 1, commits nothing unstored, and a restart stores it all once", async () => {
    await createMirrorTopics(broker, stopping.topics, 3);
    let insertsTried = 0;
    failing = await startTestService({
      broker,
      ...stopping,
      storeDir,
      env,
      stopStoreWaitMs: 2_000,
      wrapSink: () => async () => {
        insertsTried++;
        throw new StoreError("injected: store unreachable");
      },
    });
    const traffic = await demoTraffic(2_000);
    await produceLines(broker, stopping.topics, traffic.lines);
    const produced = await groupLag(broker, stopping.groupId, [stopping.topics.legacy, stopping.topics.new]);
    const running = failing;
    await waitFor(
      "the writer to fail and pause",
      async () => !running.writer.healthy && running.writer.paused,
    );

    // Without the wait the stop never ends: the writer retries a failing store for as long as it takes.
    await failing.stop();
    expect(await failing.stopped).toBe(1);
    expect(insertsTried).toBeGreaterThan(0);
    expect(
      await groupLag(broker, stopping.groupId, [stopping.topics.legacy, stopping.topics.new]),
    ).toBeGreaterThan(produced - 10);

    recovered = await startTestService({ broker, ...stopping, storeDir, env });
    await waitUntilDone(broker, recovered.store, stopping.topics, stopping.groupId, traffic.expected);
    const findings = await storedFindings(recovered.store);
    expect(findings.lines).toEqual(expectedFindingLines(traffic.expected));
    expect(findings.maxCopies).toBe(1);
  }, 240_000);
});
