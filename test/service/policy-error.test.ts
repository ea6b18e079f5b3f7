import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningService } from "../../src/service/run-service.js";
import { buildFaultyBundle, type FaultyExpectation, faultyExpectation } from "../policy/faulty-policy.js";
import { type KafkaBroker, startKafka } from "../support/kafka-broker.js";
import {
  createMirrorTopics,
  type DemoTraffic,
  demoTraffic,
  produceLines,
  startTestService,
  storedFindings,
  uniqueTopics,
  waitUntilDone,
} from "./service-kit.js";

const { topics, groupId } = uniqueTopics("policy-error");
let broker: KafkaBroker;
let traffic: DemoTraffic;
let service: RunningService;
let expected: FaultyExpectation;

// Before policy_error existed, the first lab_result pair failed its diff, the pipeline retried it
// without end and its partition's commits stayed behind it: waitUntilDone timed out.
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "policy-error-service-"));
  const policyBundle = buildFaultyBundle(dir);
  broker = await startKafka();
  await createMirrorTopics(broker, topics, 4);
  traffic = await demoTraffic(2_000);
  expected = faultyExpectation(traffic.lines, traffic.expected.findings);
  await produceLines(broker, topics, traffic.lines);
  service = await startTestService({ broker, topics, groupId, workers: 2, policyBundle });
  await waitUntilDone(broker, service.store, topics, groupId, traffic.expected);
}, 240_000);

afterAll(async () => {
  await service?.stop();
  await broker?.stop();
});

describe("serve with a policy that cannot decide some requests (two differ workers, real broker)", () => {
  it("stores a policy_error finding for each such pair once, every other finding as usual, and commits", async () => {
    expect(expected.policyErrors.length).toBeGreaterThan(20);
    const { lines, maxCopies } = await storedFindings(service.store);
    expect(lines.filter((l) => l.endsWith(" policy_error new"))).toEqual(
      expected.policyErrors.map((id) => `${id} policy_error new`),
    );
    expect(lines.filter((l) => !l.includes(" policy_error "))).toEqual(expected.others);
    expect(maxCopies).toBe(1);
    expect(service.fatalError).toBeUndefined();
  });

  it("counts each such pair as a mismatch of its cohort, with the new decision left null", async () => {
    const { outcomes: table } = service.store.tables;
    const rows = await service.store.driver.query<{ n: string; mismatched: string; undecided: string }>(
      `SELECT count() AS n, countIf(mismatch) AS mismatched, countIf(new_allow IS NULL) AS undecided
       FROM ${table} FINAL WHERE has(finding_kinds, 'policy_error')`,
    );
    expect(rows.map((r) => [Number(r.n), Number(r.mismatched), Number(r.undecided)])).toEqual([
      [expected.policyErrors.length, expected.policyErrors.length, expected.policyErrors.length],
    ]);
  });
});
