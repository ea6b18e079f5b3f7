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

const { topics, groupId } = uniqueTopics("congested");
/** Each insert takes this long: the kit's writer (500 outcomes a batch) then falls far behind. */
const INSERT_MS = 300;
let broker: KafkaBroker;
let sampler: NodeJS.Timeout | undefined;
let service: RunningService;

afterAll(async () => {
  clearInterval(sampler);
  await service?.stop();
  await broker?.stop();
});

/**
 * A store that is healthy but slow: the writer's queue fills past its limit, so batch handlers
 * wait for it to catch up (and then pause the consumer) without any insert failing. Waiting for
 * the store is not silence of the gateways: no pair may be split into two unpaired halves.
 */
describe("serve while the store is slow but healthy", () => {
  const states: { paused: boolean; healthy: boolean }[] = [];
  let inserts = 0;
  let maxQueued = 0;
  beforeAll(async () => {
    broker = await startKafka();
    await createMirrorTopics(broker, topics, 3);
    service = await startTestService({
      broker,
      topics,
      groupId,
      // Wider than the kit's usual 2 s: 20,000 events produced while the service runs on a
      // loaded machine can leave one side's chunk seconds behind the other's (true silence).
      windowSeconds: 5,
      wrapSink: (sink) => async (rows) => {
        inserts++;
        await new Promise((r) => setTimeout(r, INSERT_MS));
        await sink(rows);
      },
    });
    service.writer.onStateChange((s) => states.push({ ...s }));
    sampler = setInterval(() => {
      maxQueued = Math.max(maxQueued, service.writer.stats().queuedRows);
    }, 20);
  }, 120_000);

  it("holds intake back until the store catches up, and stores every finding once, none invented", async () => {
    const traffic = await demoTraffic(20_000);
    await produceLines(broker, topics, traffic.lines);
    await waitUntilDone(broker, service.store, topics, groupId, traffic.expected, 180_000);

    expect(states.some((s) => s.paused && s.healthy)).toBe(true); // it really was congested
    expect(service.writer.stats().failedAttempts).toBe(0);
    expect(inserts).toBeGreaterThan(4);
    // Intake was held: the queue stayed near the writer's limit (4 x 500 outcomes) plus what a
    // batch in hand still adds (~3,000 seen), not the ~7,500 of a service that kept fetching.
    expect(maxQueued).toBeLessThan(4 * 500 + 2_000);
    const findings = await storedFindings(service.store);
    expect(findings.lines).toEqual(expectedFindingLines(traffic.expected));
    expect(findings.maxCopies).toBe(1);
  }, 240_000);
});
