import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningService } from "../../src/service/run-service.js";
import { type KafkaBroker, startKafka } from "../support/kafka-broker.js";
import {
  countOutcomes,
  createMirrorTopics,
  demoTraffic,
  expectedFindingLines,
  produceLines,
  startTestService,
  storedFindings,
  uniqueTopics,
  waitFor,
  waitUntilDone,
} from "./service-kit.js";

const { topics, groupId } = uniqueTopics("restart");
let broker: KafkaBroker;
let service: RunningService;

beforeAll(async () => {
  broker = await startKafka();
  await createMirrorTopics(broker, topics, 3);
  // The gateways (our producer) reconnect after the restart too, which can take seconds; a window
  // shorter than that would rightly give the partners still in their hands up as unpaired.
  service = await startTestService({ broker, topics, groupId, windowSeconds: 20 });
}, 120_000);

afterAll(async () => {
  await service?.stop();
  await broker?.stop();
});

describe("serve across a broker restart", () => {
  it("recovers by itself and loses nothing", async () => {
    const traffic = await demoTraffic(4_000);
    const half = Math.floor(traffic.lines.length / 2);
    await produceLines(broker, topics, traffic.lines.slice(0, half));
    await waitFor("some outcomes stored", async () => (await countOutcomes(service.store)) > 100);
    await broker.restart();
    await produceLines(broker, topics, traffic.lines.slice(half));
    // A service that gives up (a fatal consumer error) says so, rather than "store is closed".
    const gaveUp = service.stopped.then((code) => {
      throw new Error(`the service stopped by itself with exit code ${code}: ${service.fatalError}`);
    });
    await Promise.race([
      waitUntilDone(broker, service.store, topics, groupId, traffic.expected, 180_000),
      gaveUp,
    ]);
    const findings = await storedFindings(service.store);
    expect(findings.lines).toEqual(expectedFindingLines(traffic.expected));
    expect(findings.maxCopies).toBe(1);
  }, 240_000);
});
