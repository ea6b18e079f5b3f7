import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningService } from "../../src/service/run-service.js";
import { createTopics } from "../kafka/kafka-test-kit.js";
import { type KafkaBroker, startKafka } from "../support/kafka-broker.js";
import {
  countOutcomes,
  demoTraffic,
  groupLag,
  produceLines,
  readTopic,
  startTestService,
  uniqueTopics,
  waitFor,
} from "./service-kit.js";

const { topics, groupId } = uniqueTopics("dlqfail");
let broker: KafkaBroker;
const services: RunningService[] = [];

beforeAll(async () => {
  broker = await startKafka();
  // One partition each, and no dead-letter topic yet: every dead letter fails until it exists.
  await createTopics(broker, { [topics.legacy]: 1, [topics.new]: 1 });
}, 120_000);

afterAll(async () => {
  for (const s of services) await s.stop();
  await broker?.stop();
});

describe("serve while the dead-letter topic fails", () => {
  it("keeps running, holds the dead letter's offset, stops when told, and sends it once the topic works", async () => {
    const traffic = await demoTraffic(200);
    await produceLines(broker, topics, [...traffic.lines, "{not an envelope"]);
    const failing = await startTestService({ broker, topics, groupId, windowSeconds: 2 });
    services.push(failing);
    let stoppedByItself = false;
    void failing.stopped.then(() => {
      stoppedByItself = true;
    });
    const all = traffic.expected.totals.pairs + traffic.expected.totals.unpaired;
    await waitFor("the valid events to be stored", async () => (await countOutcomes(failing.store)) >= all);
    await new Promise((r) => setTimeout(r, 1_500)); // several attempts at the dead letter
    expect(stoppedByItself).toBe(false); // a failed dead letter used to stop the service (exit 1)
    expect(await groupLag(broker, groupId, [topics.legacy])).toBeGreaterThanOrEqual(1);

    // The batch in hand waits on the dead letter: the stop must still end, and cleanly.
    await failing.stop();
    expect(await failing.stopped).toBe(0);
    expect(await groupLag(broker, groupId, [topics.legacy])).toBeGreaterThanOrEqual(1);

    await createTopics(broker, { [topics.deadLetter]: 1 });
    const working = await startTestService({ broker, topics, groupId, windowSeconds: 2 });
    services.push(working);
    // The demo's own rejected lines (malformed, conflicting) and ours, once the topic exists.
    const letters = await readTopic(broker, topics.deadLetter, traffic.expected.rejected.length + 1);
    expect(letters).toHaveLength(traffic.expected.rejected.length + 1);
    expect(letters.filter((l) => l.value === "{not an envelope")).toHaveLength(1);
    await waitFor(
      "every offset committed",
      async () => (await groupLag(broker, groupId, [topics.legacy, topics.new])) === 0,
    );
  }, 240_000);
});
