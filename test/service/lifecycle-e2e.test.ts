import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoadedConfig } from "../../src/config/load-config.js";
import type { FindingKind } from "../../src/contracts/index.js";
import { deployedVersions } from "../../src/promotion/deployed-versions.js";
import { decideCohortGate } from "../../src/promotion/evaluate-cohort-gate.js";
import type { RunningService } from "../../src/service/run-service.js";
import { createSessionSweep } from "../../src/service/session-sweep.js";
import { createPseudonymizer } from "../../src/store/pseudonymize.js";
import { createTopics } from "../kafka/kafka-test-kit.js";
import { type KafkaBroker, startKafka } from "../support/kafka-broker.js";
import {
  countOutcomes,
  type DemoTraffic,
  demoTraffic,
  groupLag,
  PSEUDONYM_ENV,
  produceLines,
  produceTokenLines,
  serviceEnv,
  startTestService,
  uniqueTopics,
  waitFor,
} from "./service-kit.js";

/**
 * The token lifecycle mirror on the real broker and the real store: the demo's token events on
 * their own topic, its requests naming their sessions on the mirror topics. What the session judge
 * stores must be exactly the planted lifecycle drift of the ground truth, each finding once.
 */
const { topics: base, groupId } = uniqueTopics("lifecycle");
const topics = { ...base, tokens: `${base.legacy.replace("legacy", "tokens")}` };
const WINDOW_SECONDS = 5;
const LIFECYCLE_KINDS: FindingKind[] = ["lifetime_drift", "session_drift", "claim_drift"];
let broker: KafkaBroker;
let traffic: DemoTraffic;
let service: RunningService;
let env: Record<string, string>;
let loaded: LoadedConfig;

async function storedLifecycle(): Promise<string[]> {
  const rows = await service.store.driver.query<{ line: string }>(
    `SELECT concat(correlation_id, ' ', kind, ' ', side, ' ', action, ' ', cohort) AS line
FROM ${service.store.tables.findings} FINAL
WHERE kind IN {kinds:Array(String)}`,
    { kinds: LIFECYCLE_KINDS },
  );
  return rows.map((r) => r.line).sort();
}

function expectedLifecycle(): string[] {
  const pseudonyms = createPseudonymizer(Buffer.from(env[PSEUDONYM_ENV] ?? "", "utf8"));
  return traffic.expected.lifecycle.findings
    .map((f) => `${pseudonyms.session(f.sessionId)} ${f.kind} ${f.side} ${f.action} ${f.cohort}`)
    .sort();
}

beforeAll(async () => {
  broker = await startKafka();
  await createTopics(broker, {
    [topics.legacy]: 3,
    [topics.new]: 3,
    [topics.tokens]: 3,
    [topics.deadLetter]: 1,
  });
  // Few principals, slow traffic: each logs in, many refresh, some log out, within minutes.
  traffic = await demoTraffic(6_000, {
    principals: 300,
    requestsPerSecond: 2,
    lifecycleWindowSeconds: WINDOW_SECONDS,
  });
  await produceTokenLines(broker, topics.tokens, traffic.tokenLines);
  await produceLines(broker, topics, traffic.lines);
  env = serviceEnv();
  service = await startTestService({ broker, topics, groupId, env, lifecycleWindowSeconds: WINDOW_SECONDS });
  loaded = service.loaded;
}, 240_000);

afterAll(async () => {
  await service?.stop();
  await broker?.stop();
});

describe("the token lifecycle mirror in serve", () => {
  it("plants lifecycle drift of every kind in this traffic", () => {
    const kinds = new Set(traffic.expected.lifecycle.findings.map((f) => f.kind));
    expect([...kinds].sort()).toEqual(["claim_drift", "lifetime_drift", "session_drift"]);
    const planted = new Set(traffic.expected.lifecycle.findings.map((f) => f.planted));
    expect(planted.has("logout-not-propagated")).toBe(true);
    expect(planted.has("refresh-fails-on-new")).toBe(true);
  });

  it("stores exactly the planted lifecycle findings, once each, and commits every topic", async () => {
    const { pairs, unpaired } = traffic.expected.totals;
    const want = expectedLifecycle();
    let last = "";
    await waitFor(
      "every outcome and exactly the planted lifecycle findings stored, every offset committed",
      async () => {
        const stored = await countOutcomes(service.store);
        const lifecycle = await storedLifecycle();
        const lag = await groupLag(broker, groupId, [topics.legacy, topics.new, topics.tokens]);
        last = `outcomes ${stored}/${pairs + unpaired}, lifecycle ${lifecycle.length}/${want.length}, lag ${lag}`;
        return stored === pairs + unpaired && lag === 0 && JSON.stringify(lifecycle) === JSON.stringify(want);
      },
      150_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last seen: ${last}`);
    });
    const [copies] = await service.store.driver.query<{ n: number | string }>(
      `SELECT max(c) AS n FROM (SELECT count() AS c FROM ${service.store.tables.findings} FINAL
WHERE kind IN {kinds:Array(String)} GROUP BY pair_id, side)`,
      { kinds: LIFECYCLE_KINDS },
    );
    expect(Number(copies?.n)).toBe(1);
  }, 180_000);

  it("a second member's sweep over the same store stores nothing new", async () => {
    const before = await storedLifecycle();
    const sweep = createSessionSweep({
      store: service.store,
      config: { identity: loaded.config.identity, lifecycle: loaded.config.lifecycle ?? never() },
      lagOf: () => ({ remaining: 0, ageMs: 0 }),
    });
    const result = await sweep();
    expect(result.sessions).toBeGreaterThan(0);
    expect(result.findings).toBe(before.length);
    expect(await storedLifecycle()).toEqual(before);
  });

  it("fails the gate of a cohort with lifecycle drift on its session budgets, counting sessions", async () => {
    const cohort = "billing";
    const sessions = new Set(
      traffic.expected.lifecycle.findings
        .filter((f) => f.cohort === cohort && f.kind === "session_drift")
        .map((f) => f.sessionId),
    );
    expect(sessions.size).toBeGreaterThan(0);
    const evaluation = await decideCohortGate(service.store, loaded.config, deployedVersions(loaded), {
      cohort,
      since: new Date(Date.now() - 6 * 3_600_000),
      until: new Date(Date.now() + 60_000),
      evaluatedBy: "test",
      now: new Date(),
    });
    expect(evaluation.status).toBe("fail");
    expect(evaluation.lifecycle?.sessionDrift).toBe(sessions.size);
    const check = evaluation.checks.find((c) => c.id === "lifecycle");
    expect(check?.outcome).toBe("fail");
    expect(check?.message).toContain(
      `${sessions.size} session${sessions.size === 1 ? "" : "s"} with session drift > allowed 0`,
    );
  });
});

function never(): never {
  throw new Error("the test config has a lifecycle section");
}
