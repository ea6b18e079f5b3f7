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
  startTestService,
  storedFindings,
  uniqueTopics,
  waitFor,
  waitUntilDone,
} from "./service-kit.js";

const { topics, groupId } = uniqueTopics("storefail");
let broker: KafkaBroker;
let service: RunningService;

afterAll(async () => {
  await service?.stop();
  await broker?.stop();
});

describe("serve while the store fails", () => {
  let storeDown = true;
  let failedInserts = 0;
  beforeAll(async () => {
    broker = await startKafka();
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
