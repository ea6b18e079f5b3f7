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
    // A few unsent dead letters do not hold the intake back: still ready, and it says why it waits.
    const ready = await readiness(failing);
    expect(ready.status).toBe(200);
    expect(ready.body.checks.deadLetters?.ok).toBe(true);
    const unsent = traffic.expected.rejected.length + 1; // the demo's own rejected lines, and ours
    expect(unsent).toBeLessThan(1_000);
    expect(ready.body.checks.deadLetters?.detail).toMatch(
      new RegExp(`^${unsent} unsent; the oldest for \\d+ s; latest failure at \\S+Z: .*do not exist`),
    );
    expect(await failuresCounted(failing)).toBeGreaterThanOrEqual(2);

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
    expect((await readiness(working)).body.checks.deadLetters).toEqual({ ok: true, detail: "0 unsent" });
    await working.stop();
  }, 240_000);

  it("says so while more than 1,000 dead letters hold its Kafka intake, and recovers by itself once the topic exists", async () => {
    const held = uniqueTopics("dlqheld");
    await createTopics(broker, { [held.topics.legacy]: 1, [held.topics.new]: 1 });
    const lines = Array.from({ length: 1_050 }, (_, i) => `{not an envelope ${i}`);
    await produceLines(broker, held.topics, lines);
    const service = await startTestService({
      broker,
      topics: held.topics,
      groupId: held.groupId,
      windowSeconds: 2,
    });
    services.push(service);
    // The gauges are set on the service's tick, the failure once the topic check has failed.
    await waitFor("the intake to wait on the dead letters", async () => {
      const r = await readiness(service);
      const unsent = await gaugeValue(service, "entitlement_diff_dead_letters_unsent");
      return /latest failure/.test(r.body.checks.deadLetters?.detail ?? "") && unsent === 1_001;
    });
    const held1 = await readiness(service);
    // Still ready: the HTTP intake does not need the dead-letter topic.
    expect([held1.status, held1.body.ready, held1.body.checks.deadLetters?.ok]).toEqual([200, true, false]);
    expect(held1.body.checks.deadLetters?.detail).toMatch(
      /^1001 unsent; the oldest for \d+ s; the Kafka intake waits for them; latest failure at \S+Z: .*do not exist/,
    );
    await waitFor(
      "the oldest dead letter's age",
      async () => (await gaugeValue(service, "entitlement_diff_dead_letter_oldest_unsent_seconds")) >= 1,
    );

    await createTopics(broker, { [held.topics.deadLetter]: 1 });
    // The retries (at most 30 s apart) find the topic: no restart needed.
    const letters = await readTopic(broker, held.topics.deadLetter, lines.length, 90_000);
    expect(new Set(letters.map((l) => l.value))).toEqual(new Set(lines));
    await waitFor(
      "every offset committed",
      async () => (await groupLag(broker, held.groupId, [held.topics.legacy, held.topics.new])) === 0,
      90_000,
    );
    const after = await readiness(service);
    expect([after.status, after.body.checks.deadLetters]).toEqual([200, { ok: true, detail: "0 unsent" }]);
    await service.stop();
    expect(await service.stopped).toBe(0);
  }, 240_000);

  it("stops within its wait, with exit 1 and nothing committed past them, while dead-letter sends hang", async () => {
    // kafkajs' idempotent producer retries a send without end while the broker is unreachable:
    // a batch waiting on more than 1,000 such sends used to hold the stop (and kafkajs' own) for good.
    const hung = uniqueTopics("dlqhang");
    await createTopics(broker, {
      [hung.topics.legacy]: 1,
      [hung.topics.new]: 1,
      [hung.topics.deadLetter]: 1,
    });
    const lines = Array.from({ length: 1_050 }, (_, i) => `{not an envelope ${i}`);
    await produceLines(broker, hung.topics, lines);
    const service = await startTestService({
      broker,
      topics: hung.topics,
      groupId: hung.groupId,
      windowSeconds: 2,
      stopStoreWaitMs: 2_000,
      wrapDeadLetters: (sink) => ({ send: () => new Promise(() => {}), close: () => sink.close() }),
    });
    services.push(service);
    await waitFor(
      "the intake to wait on the dead letters",
      async () => (await readiness(service)).body.checks.deadLetters?.ok === false,
    );
    const startedAt = Date.now();
    await service.stop();
    expect(await service.stopped).toBe(1);
    expect(Date.now() - startedAt).toBeLessThan(20_000);
    expect(await groupLag(broker, hung.groupId, [hung.topics.legacy])).toBe(lines.length);
  }, 120_000);

  it("abandons a batch in hand that never finishes, within the stop's wait, committing nothing of it", async () => {
    // A batch whose decode never answers (a wedged evaluation before the pool's watchdog, a key
    // fetch that hangs): kafkajs' own stop waits for the batch handler, so the stop must let go.
    const stuck = uniqueTopics("stuckbatch");
    await createTopics(broker, {
      [stuck.topics.legacy]: 1,
      [stuck.topics.new]: 1,
      [stuck.topics.deadLetter]: 1,
    });
    const traffic = await demoTraffic(200);
    await produceLines(broker, stuck.topics, traffic.lines);
    let decodes = 0;
    const service = await startTestService({
      broker,
      topics: stuck.topics,
      groupId: stuck.groupId,
      windowSeconds: 2,
      stopStoreWaitMs: 2_000,
      wrapEvaluator: (e) => ({
        ...e,
        decode: () => {
          decodes++;
          return new Promise(() => {});
        },
      }),
    });
    services.push(service);
    await waitFor("a batch in hand", async () => decodes > 0);
    const startedAt = Date.now();
    await service.stop();
    expect(await service.stopped).toBe(1);
    expect(Date.now() - startedAt).toBeLessThan(20_000);
    expect(await groupLag(broker, stuck.groupId, [stuck.topics.legacy, stuck.topics.new])).toBe(
      traffic.lines.length,
    );
  }, 120_000);
});

interface ReadyBody {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string } | undefined>;
}

async function readiness(service: RunningService): Promise<{ status: number; body: ReadyBody }> {
  const res = await fetch(`http://127.0.0.1:${service.port}/readyz`);
  return { status: res.status, body: (await res.json()) as ReadyBody };
}

function failuresCounted(service: RunningService): Promise<number> {
  return gaugeValue(service, "entitlement_diff_dead_letter_send_failures_total");
}

/** The value of a metric without labels, as a scrape would show it. */
async function gaugeValue(service: RunningService, name: string): Promise<number> {
  return Number(lastValue(await service.metrics.registry.getSingleMetricAsString(name)));
}

/** The value of the last sample line of a metric's exposition text. */
function lastValue(text: string): string {
  return text.trim().split("\n").at(-1)?.split(" ").at(-1) ?? "";
}
