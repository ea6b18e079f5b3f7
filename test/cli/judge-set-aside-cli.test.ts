import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DEMO_LEGACY_JWT_SECRET, LEGACY_JWT_SECRET_ENV } from "../../examples/health-tech/demo-secrets.js";
import { SET_ASIDE_REMAIN_EXIT } from "../../src/cli/judge-set-aside-command.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { Side } from "../../src/contracts/index.js";
import { createKafkajsDeadLetterSink } from "../../src/ingest/kafka/kafkajs-dead-letter.js";
import type { DeadLetterSink, MirrorMessage } from "../../src/ingest/kafka/mirror-consumer.js";
import { openStore } from "../../src/store/open-store.js";
import { type SetAsideEvent, setAsideRows } from "../../src/store/set-aside-pairs.js";
import { storeSink } from "../../src/store/write-rows.js";
import { createTopics } from "../kafka/kafka-test-kit.js";
import { demoTraffic, PSEUDONYM_ENV, uniqueTopics, writeServiceConfig } from "../service/service-kit.js";
import { type KafkaBroker, startKafka } from "../support/kafka-broker.js";
import { runCli } from "./cli-harness.js";
import { editedConfig } from "./gate-fixture.js";

/**
 * `judge-set-aside` on a store holding three set-asides (pairs A and B, a lone legacy event C),
 * and a real dead-letter topic holding: a conflicting duplicate of A's legacy event (sent first,
 * as serve does), another event of A set aside from another source, A's two set-aside letters,
 * B's legacy one only, C's, and the set-aside letter of a request the store does not hold
 * unjudged.
 */
const { topics } = uniqueTopics("judge-set-aside");
const REASON = "set aside, not retried: judging it failed 3 times (the latest: a test)";
let broker: KafkaBroker;
let config: string;
let sink: DeadLetterSink;
const lines = new Map<string, Partial<Record<Side, string>>>();
let ids: { a: string; b: string; c: string; other: string };
let nextOffset = 0;
/** Where each set-aside event "was read": the store's sources and the letters' headers agree. */
const origins = new Map<string, { topic: string; partition: number; offset: number }>();

const line = (id: string, side: Side) => lines.get(id)?.[side] ?? "";
const originOf = (id: string, side: Side) => {
  const key = `${id}/${side}`;
  const known = origins.get(key);
  if (known) return known;
  const made = { topic: side === "legacy" ? topics.legacy : topics.new, partition: 0, offset: nextOffset++ };
  origins.set(key, made);
  return made;
};

function plainPairs(all: readonly string[]): string[] {
  for (const text of all) {
    try {
      const e = JSON.parse(text) as { correlationId: string; side: Side };
      const sides = lines.get(e.correlationId) ?? {};
      sides[e.side] = sides[e.side] ? "duplicate" : text;
      lines.set(e.correlationId, sides);
    } catch {
      // the demo's malformed lines
    }
  }
  return [...lines]
    .filter(([, s]) => s.legacy && s.new && s.legacy !== "duplicate" && s.new !== "duplicate")
    .map(([id]) => id);
}

function setAsideOf(id: string, sides: readonly Side[]): SetAsideEvent[] {
  return sides.map((side) => {
    const { topic, partition, offset } = originOf(id, side);
    const observedAtMs = Date.parse((JSON.parse(line(id, side)) as { observedAt: string }).observedAt);
    return { side, correlationId: id, observedAtMs, source: `${topic}/${partition}@${offset}` };
  });
}

function letter(id: string, side: Side, value = line(id, side)): MirrorMessage {
  return { ...originOf(id, side), key: id, value: Buffer.from(value), timestampMs: Date.now() };
}

async function storedOf(idList: string[]) {
  const loaded = loadConfig(config);
  const store = await openStore(loaded.config.store, { baseDir: dirname(resolve(config)), env: process.env });
  try {
    return await store.driver.query<{
      correlation_id: string;
      paired: number;
      only_side: string;
      action: string;
    }>(
      `SELECT correlation_id, toUInt8(paired) AS paired, only_side, action FROM ${store.tables.outcomes} FINAL
       WHERE has({ids:Array(String)}, correlation_id) ORDER BY correlation_id, only_side`,
      { ids: idList },
    );
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  vi.stubEnv(LEGACY_JWT_SECRET_ENV, DEMO_LEGACY_JWT_SECRET);
  vi.stubEnv(PSEUDONYM_ENV, "judge-set-aside-test-key-0123456789abcdef");
  broker = await startKafka();
  await createTopics(broker, { [topics.deadLetter]: 2 });
  config = writeServiceConfig({
    brokers: broker.brokers,
    topics,
    storeDir: mkdtempSync(join(tmpdir(), "judge-set-aside-store-")),
    groupId: "judge-set-aside",
  });
  const [a, b, c, other] = plainPairs((await demoTraffic(300)).lines);
  if (!a || !b || !c || !other) throw new Error("the demo traffic holds too few plain pairs");
  ids = { a, b, c, other };
  const loaded = loadConfig(config);
  const store = await openStore(loaded.config.store, { baseDir: dirname(resolve(config)), env: process.env });
  try {
    await storeSink(store)([
      setAsideRows(setAsideOf(a, ["legacy", "new"]), REASON),
      setAsideRows(setAsideOf(b, ["legacy", "new"]), REASON),
      setAsideRows(setAsideOf(c, ["legacy"]), REASON),
    ]);
  } finally {
    await store.close();
  }
  sink = createKafkajsDeadLetterSink({
    brokers: broker.brokers,
    clientId: "judge-set-aside-test",
    topic: topics.deadLetter,
  });
  const conflicting = line(a, "legacy").replace(/"action":"[a-z_]+"/, '"action":"delete"');
  expect(conflicting).not.toBe(line(a, "legacy"));
  await sink.send(
    { ...letter(a, "legacy", conflicting), offset: 900 },
    "a different legacy event for correlationId was already seen; the first one is kept",
  );
  // Set aside too, but read from another offset than the store recorded (an earlier, different
  // event of the same request): never judged in the place of the one the store names.
  await sink.send({ ...letter(a, "legacy", conflicting), offset: 901 }, REASON);
  for (const [id, side] of [
    [a, "legacy"],
    [a, "new"],
    [b, "legacy"],
    [c, "legacy"],
    [other, "legacy"],
  ] as const)
    await sink.send(letter(id, side), REASON);
}, 180_000);

afterAll(async () => {
  await sink?.close();
  await broker?.stop();
  vi.unstubAllEnvs();
});

describe("entitlement-diff judge-set-aside (real broker, embedded store)", () => {
  it("judges what the dead-letter topic holds into the store, says what it could not, and exits 1 while any remains", async () => {
    const run = await runCli("judge-set-aside", "--config", config);
    expect(run.stderr).toBe("entitlement-diff: 1 of 3 set-aside requests remain unjudged\n");
    expect(run.code).toBe(SET_ASIDE_REMAIN_EXIT);
    const judged = [
      [ids.a, `  judged: ${ids.a}`],
      [ids.c, `  judged: ${ids.c} (legacy only)`],
    ].sort(([x = ""], [y = ""]) => x.localeCompare(y)); // in correlation id order, as the store lists them
    expect(run.stdout.split("\n")).toEqual([
      "judged and stored 2 of 3 requests set aside unjudged",
      ...judged.map(([, l]) => l),
      `  not in the dead-letter topic: ${ids.b} (new)`,
      "ignored: 2 set-aside dead letters of no open request (judged since, sent twice, or another source)",
      "",
    ]);
    const action = (id: string) =>
      (JSON.parse(line(id, "legacy")) as { request: { action: string } }).request.action;
    expect(await storedOf([ids.a, ids.b, ids.c, ids.other])).toEqual(
      [
        { correlation_id: ids.a, paired: 1, only_side: "", action: action(ids.a) },
        { correlation_id: ids.c, paired: 0, only_side: "legacy", action: action(ids.c) },
      ].sort((x, y) => x.correlation_id.localeCompare(y.correlation_id)),
    );
    expect(action(ids.a)).not.toBe("delete"); // the event serve kept, not the conflicting one
  });

  it("judges the rest once its dead letter is there too, then finds nothing to do", async () => {
    await sink.send(letter(ids.b, "new"), REASON);
    const run = await runCli("judge-set-aside", "--config", config);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `judged and stored 1 of 1 requests set aside unjudged\n  judged: ${ids.b}\n`,
    );
    expect((await storedOf([ids.b])).map((o) => o.paired)).toEqual([1]);
    const again = await runCli("judge-set-aside", "--config", config);
    expect(again).toMatchObject({ code: 0, stdout: "no request is set aside unjudged: nothing to do\n" });
  });

  it("says which topic is missing (exit 78) when the config names no such dead-letter topic", async () => {
    const loaded = loadConfig(config);
    const store = await openStore(loaded.config.store, {
      baseDir: dirname(resolve(config)),
      env: process.env,
    });
    try {
      await storeSink(store)([setAsideRows(setAsideOf(ids.other, ["legacy", "new"]), REASON)]);
    } finally {
      await store.close();
    }
    const elsewhere = editedConfig(config, (doc) => {
      (doc.kafka as { topics: Record<string, string> }).topics.deadLetter = "no-such-dlq";
    });
    // Set aside an hour or two ago (the demo's traffic): not asked for since a minute ago.
    const recent = await runCli("judge-set-aside", "--config", elsewhere, "--since", "1m");
    expect(recent).toMatchObject({ code: 0, stdout: "no request is set aside unjudged: nothing to do\n" });
    const run = await runCli("judge-set-aside", "--config", elsewhere);
    expect(run).toMatchObject({ code: 78, stdout: "" });
    expect(run.stderr).toMatch(
      /^entitlement-diff: TopicLayoutError: these Kafka topics do not exist: no-such-dlq;/,
    );
  });
});
