import { dirname, resolve } from "node:path";
import type { Counter } from "prom-client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { GateEvaluation } from "../../src/contracts/index.js";
import type { PairOptions } from "../../src/diff/pair-differ.js";
import { cohortStatuses } from "../../src/promotion/cohort-status.js";
import { deployedVersions } from "../../src/promotion/deployed-versions.js";
import type { RunningService } from "../../src/service/run-service.js";
import { openStore } from "../../src/store/open-store.js";
import { type Evaluator, type EventHandle, JudgementFailed } from "../../src/stream/evaluator.js";
import { runCli } from "../cli/cli-harness.js";
import { type KafkaBroker, startKafka } from "../support/kafka-broker.js";
import {
  createMirrorTopics,
  type DemoTraffic,
  demoTraffic,
  expectedFindingLines,
  groupLag,
  produceLines,
  readTopic,
  serviceEnv,
  startTestService,
  storedFindings,
  uniqueTopics,
  waitFor,
  waitUntilOutcomes,
} from "./service-kit.js";

const { topics, groupId } = uniqueTopics("set-aside");
let broker: KafkaBroker;
let service: RunningService;
let traffic: DemoTraffic;
/** The request whose judgement throws, as a fault in our own code would, until it is "fixed". */
let poisonId: string;
let poisonLines: string[];
let fixed = false;
let stopped = false;
let replayedUnpaired: string[] = [];
const env = serviceEnv();
const tries: PairOptions[] = [];

/** A correlation id with exactly one line of each side, which the demo pairs without a finding of its own making. */
function plantedRequest(lines: readonly string[], unpairedIds: ReadonlySet<string>): string {
  const sides = new Map<string, string[]>();
  for (const line of lines) {
    try {
      const { correlationId, side } = JSON.parse(line) as { correlationId?: string; side?: string };
      if (typeof correlationId === "string" && typeof side === "string")
        sides.set(correlationId, [...(sides.get(correlationId) ?? []), side]);
    } catch {
      // the demo's malformed lines
    }
  }
  for (const [id, s] of sides)
    if (s.length === 2 && s.includes("legacy") && s.includes("new") && !unpairedIds.has(id)) return id;
  throw new Error("the demo traffic holds no plain pair");
}

/** The pipeline's evaluator, but judging the planted pair throws until `fixed`. */
function poisoning(evaluator: Evaluator): Evaluator {
  const idOf = new Map<EventHandle, string>();
  return {
    ...evaluator,
    decode: async (lines) => {
      const decoded = await evaluator.decode(lines);
      for (const d of decoded) if (d.ok && d.kind === "authz") idOf.set(d.handle, d.correlationId);
      return decoded;
    },
    pair: (legacy, next, options) => {
      if (fixed || idOf.get(legacy) !== poisonId) return evaluator.pair(legacy, next, options);
      tries.push(options ?? {});
      return Promise.reject(new JudgementFailed(`planted: judging ${poisonId} threw`, "threw"));
    },
  };
}

async function countOf(counter: Counter<string>, labels: Record<string, string>): Promise<number> {
  const { values } = await counter.get();
  return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;
}

async function gates(): Promise<GateEvaluation[]> {
  const statuses = await cohortStatuses(
    service.store,
    service.loaded.config,
    deployedVersions(service.loaded),
    {
      evaluatedBy: "test",
      now: new Date(),
    },
  );
  return statuses.map((s) => s.gate);
}

const setAsideCheckOf = (g: GateEvaluation) => g.checks.find((c) => c.id === "setAside");

const waitForOutcomes = (want: number) => waitUntilOutcomes(broker, service.store, topics, groupId, want);

const allOutcomes = () => traffic.expected.totals.pairs + traffic.expected.totals.unpaired;

beforeAll(async () => {
  broker = await startKafka();
  await createMirrorTopics(broker, topics, 2);
  traffic = await demoTraffic(600);
  const unpaired = new Set(
    traffic.expected.findings.filter((f) => f.kind === "unpaired").map((f) => f.correlationId),
  );
  poisonId = plantedRequest(traffic.lines, unpaired);
  poisonLines = traffic.lines.filter((l) => l.includes(`"correlationId":"${poisonId}"`));
  expect(poisonLines).toHaveLength(2);
  await produceLines(broker, topics, traffic.lines);
  service = await startTestService({ broker, topics, groupId, env, wrapEvaluator: poisoning });
  // Everything but the planted pair, and the group committed past it.
  await waitForOutcomes(allOutcomes() - 1);
}, 240_000);

afterAll(async () => {
  if (!stopped) await service?.stop();
  await broker?.stop();
});

describe("serve, when judging one pair fails again and again (real broker, embedded store)", () => {
  it("narrows each try, then sets the pair aside: both events dead-lettered whole, with the reason and their source", async () => {
    expect(tries).toEqual([
      {},
      { onlyDecisions: true },
      { skipPolicy: expect.stringMatching(/judging it failed twice/) },
    ]);
    const dead = await readTopic(broker, topics.deadLetter, traffic.expected.rejected.length + 2);
    const setAside = dead.filter((m) => m.headers["x-dlq-reason"]?.startsWith("set aside"));
    expect(setAside.map((m) => m.value).sort()).toEqual([...poisonLines].sort());
    for (const m of setAside) {
      expect(m.headers["x-dlq-reason"]).toMatch(
        new RegExp(
          `^set aside, not retried: judging it failed 3 times \\(the latest: planted: judging ${poisonId} threw\\)`,
        ),
      );
      expect([topics.legacy, topics.new]).toContain(m.headers["x-source-topic"]);
      expect(Number(m.headers["x-source-offset"])).toBeGreaterThanOrEqual(0);
    }
    expect(new Set(setAside.map((m) => m.headers["x-source-topic"]))).toEqual(
      new Set([topics.legacy, topics.new]),
    );
    expect(await countOf(service.metrics.eventsRejected, { reason: "set_aside" })).toBe(2);
  });

  it("records it in set_aside_pairs, stores every other finding once and nothing of it", async () => {
    const rows = await service.store.driver.query<{
      correlation_id: string;
      sources: string[];
      reason: string;
    }>(`SELECT correlation_id, sources, reason FROM ${service.store.tables.setAside}`);
    expect(rows.map((r) => r.correlation_id)).toEqual([poisonId]);
    expect(rows[0]?.sources.map((s) => s.split("/")[0]).sort()).toEqual([topics.legacy, topics.new].sort());
    const { lines, maxCopies } = await storedFindings(service.store);
    expect(lines).toEqual(
      expectedFindingLines(traffic.expected).filter((l) => !l.startsWith(`${poisonId} `)),
    );
    expect(maxCopies).toBe(1);
    expect(service.fatalError).toBeUndefined();
  });

  it("holds every cohort's gate short of pass, naming the request, whatever its cohort", async () => {
    const decided = await gates();
    expect(decided.length).toBeGreaterThan(1);
    for (const gate of decided) {
      expect(gate.status, gate.cohort).not.toBe("pass");
      expect(setAsideCheckOf(gate), gate.cohort).toMatchObject({ outcome: "insufficient" });
      expect(setAsideCheckOf(gate)?.message, gate.cohort).toContain(poisonId);
    }
  });

  it("does not judge them when their dead letters are replayed into the mirror topics: the window closed on them", async () => {
    fixed = true;
    await produceLines(broker, topics, poisonLines);
    await waitFor(
      "the replayed events to be read and committed",
      async () => (await groupLag(broker, groupId, [topics.legacy, topics.new])) === 0,
    );
    const stored = await service.store.driver.query<{ paired: number; only_side: string }>(
      `SELECT toUInt8(paired) AS paired, only_side FROM ${service.store.tables.outcomes} FINAL
       WHERE correlation_id = {id:String} ORDER BY only_side`,
      { id: poisonId },
    );
    // Each half stored alone, as an unpaired request: wrong evidence, and no judgement of the pair.
    expect(stored).toEqual([
      { paired: 0, only_side: "legacy" },
      { paired: 0, only_side: "new" },
    ]);
    replayedUnpaired = (await storedFindings(service.store)).lines.filter((l) =>
      l.startsWith(`${poisonId} `),
    );
    expect(replayedUnpaired).toEqual([`${poisonId} unpaired legacy`, `${poisonId} unpaired new`]);
    for (const gate of await gates())
      expect(setAsideCheckOf(gate), gate.cohort).toMatchObject({ outcome: "insufficient" });
    expect(tries).toHaveLength(3);
  });

  it("judges them with judge-set-aside once serve is stopped, and lets the gates go", async () => {
    await service.stop();
    stopped = true;
    for (const [name, value] of Object.entries(env)) if (process.env[name] !== value) vi.stubEnv(name, value);
    try {
      const run = await runCli("judge-set-aside", "--config", service.loaded.file);
      expect(run).toMatchObject({ code: 0, stderr: "" });
      expect(run.stdout).toContain(
        `judged and stored 1 of 1 requests set aside unjudged\n  judged: ${poisonId}\n`,
      );
      const store = await openStore(service.loaded.config.store, {
        baseDir: dirname(resolve(service.loaded.file)),
        env,
      });
      try {
        const { lines, maxCopies } = await storedFindings(store);
        // The pair's findings now, beside the unpaired halves the replay above stored.
        expect(lines).toEqual([...expectedFindingLines(traffic.expected), ...replayedUnpaired].sort());
        expect(maxCopies).toBe(1);
        const paired = await store.driver.query<{ n: string }>(
          `SELECT count() AS n FROM ${store.tables.outcomes} FINAL WHERE correlation_id = {id:String} AND paired`,
          { id: poisonId },
        );
        expect(paired.map((r) => Number(r.n))).toEqual([1]);
        const statuses = await cohortStatuses(
          store,
          service.loaded.config,
          deployedVersions(service.loaded),
          {
            evaluatedBy: "test",
            now: new Date(),
          },
        );
        for (const { gate } of statuses)
          expect(setAsideCheckOf(gate), gate.cohort).toMatchObject({ outcome: "pass" });
      } finally {
        await store.close();
      }
      const again = await runCli("judge-set-aside", "--config", service.loaded.file);
      expect(again).toMatchObject({ code: 0, stdout: "no request is set aside unjudged: nothing to do\n" });
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
