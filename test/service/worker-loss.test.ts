import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Counter } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningService } from "../../src/service/run-service.js";
import { buildSlowBundle, type FaultyExpectation, plantSlowRequest } from "../policy/faulty-policy.js";
import { type KafkaBroker, startKafka } from "../support/kafka-broker.js";
import {
  createMirrorTopics,
  demoTraffic,
  produceLines,
  startTestService,
  storedFindings,
  uniqueTopics,
  waitUntilDone,
} from "./service-kit.js";

const { topics, groupId } = uniqueTopics("worker-loss");
let broker: KafkaBroker;
let service: RunningService;
let slowId: string;
let expected: FaultyExpectation;

/** A counter's value for one label set (0 when never counted). */
async function countOf(counter: Counter<string>, labels: Record<string, string>): Promise<number> {
  const { values } = await counter.get();
  const same = (l: object) =>
    Object.entries(labels).every(([k, v]) => (l as Record<string, unknown>)[k] === v);
  return values.find((v) => same(v.labels))?.value ?? 0;
}

// One request the new policy takes tens of seconds to decide: each worker that evaluates it is
// given up after 5 s of silence. Before workers blamed the job they were judging, the pair was
// retried without end, every try taking a worker (and the pairs waiting in it) down with it, and
// its partition's commits stayed behind it: waitUntilDone timed out.
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "worker-loss-service-"));
  const policyBundle = buildSlowBundle(dir);
  broker = await startKafka();
  await createMirrorTopics(broker, topics, 2);
  const traffic = await demoTraffic(600);
  const planted = plantSlowRequest(traffic.lines, traffic.expected.findings);
  slowId = planted.slowId;
  expected = planted.expected;
  await produceLines(broker, topics, planted.lines);
  service = await startTestService({
    broker,
    topics,
    groupId,
    workers: 2,
    policyBundle,
    workerTimeoutSeconds: 5,
    // Room for the slow evaluation to run until its worker is given up, rather than to fail
    // at once for want of memory (which policy_error already covers).
    maxMemoryPages: 32_768,
  });
  await waitUntilDone(broker, service.store, topics, groupId, traffic.expected, 180_000);
}, 300_000);

afterAll(async () => {
  await service?.stop();
  await broker?.stop();
});

describe("serve when judging one pair ends its differ worker (two workers, real broker, real policy)", () => {
  it("gives up two workers on it, then stores it once as policy_error, every other finding as usual, and commits", async () => {
    const { lines, maxCopies } = await storedFindings(service.store);
    expect(lines.filter((l) => l.includes(" policy_error "))).toEqual([`${slowId} policy_error new`]);
    expect(lines.filter((l) => !l.includes(" policy_error "))).toEqual(expected.others);
    expect(maxCopies).toBe(1);
    expect(await countOf(service.metrics.differWorkerExits, { reason: "unresponsive" })).toBe(2);
    expect(await countOf(service.metrics.eventsRejected, { reason: "set_aside" })).toBe(0);
    expect(service.fatalError).toBeUndefined();
  });

  it("says why in the finding: which worker loss, twice, and that the policy was not asked again", async () => {
    const rows = await service.store.driver.query<{ detail: string }>(
      `SELECT detail FROM ${service.store.tables.findings} FINAL WHERE kind = 'policy_error'`,
    );
    expect(rows.map((r) => r.detail)).toEqual([
      expect.stringMatching(
        /^the new policy could not decide this request: judging it failed twice \(the latest: a differ worker did not answer its oldest job or decode for 5 s \(.*\) and was terminated, while it was judging this request\); the policy was not asked again$/,
      ),
    ]);
  });
});
