import { dirname, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { stageTransitionSchema } from "../../src/contracts/index.js";
import { openStore } from "../../src/store/open-store.js";
import { listStageTransitions } from "../../src/store/stage-transitions.js";
import { createTopics } from "../kafka/kafka-test-kit.js";
import { readTopic } from "../service/service-kit.js";
import { type KafkaBroker, startKafka } from "../support/kafka-broker.js";
import { runCli } from "./cli-harness.js";
import { editedConfig, gateFixture } from "./gate-fixture.js";

const STAGES_TOPIC = "promote-cli-stages";
let broker: KafkaBroker;
let config: string;

beforeAll(async () => {
  broker = await startKafka();
  await createTopics(broker, { [STAGES_TOPIC]: 1 });
  const fixture = await gateFixture(broker.brokers);
  config = editedConfig(fixture.config, (doc) => {
    const kafka = doc.kafka as { topics: Record<string, string> };
    kafka.topics.stages = STAGES_TOPIC;
  });
}, 240_000);

afterAll(async () => {
  await broker?.stop();
});

async function history(cohort: string) {
  const loaded = loadConfig(config);
  const store = await openStore(loaded.config.store, { baseDir: dirname(resolve(config)) });
  try {
    return await listStageTransitions(store, cohort);
  } finally {
    await store.close();
  }
}

describe("entitlement-diff promote (real Kafka broker)", () => {
  it("promotes a passing cohort one stage at a time and publishes each move to the stages topic", async () => {
    const skip = await runCli("promote", "--config", config, "--cohort", "clinicians", "--to", "live");
    expect(skip.code).toBe(64);
    expect(skip.stderr).toMatch(/promote one stage at a time \(next: canary\)/);

    const canary = await runCli(
      "promote",
      "--config",
      config,
      "--cohort",
      "clinicians",
      "--to",
      "canary",
      "--actor",
      "release-bot",
    );
    expect(canary.code).toBe(0);
    expect(canary.stdout).toMatch(/^clinicians: shadow -> canary \(gate pass, evaluation [0-9a-f-]{36}\)/);
    const back = await runCli("promote", "--config", config, "--cohort", "clinicians", "--to", "shadow");
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(/canary -> shadow \(rollback: no gate needed\)/);

    const messages = await readTopic(broker, STAGES_TOPIC, 2);
    const published = messages.map((m) => stageTransitionSchema.parse(JSON.parse(m.value)));
    expect(published.map((t) => [t.cohort, t.from, t.to, t.by])).toEqual([
      ["clinicians", "shadow", "canary", "release-bot"],
      ["clinicians", "canary", "shadow", published[1]?.by],
    ]);
    expect(await history("clinicians")).toEqual(published);
  }, 120_000);

  it("refuses to promote a failing cohort (exit 1), records nothing and publishes nothing", async () => {
    const r = await runCli("promote", "--config", config, "--cohort", "nurses", "--to", "canary");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^nurses: stays in shadow; gate fail:/);
    expect(r.stderr).toMatch(/promotion of nurses to canary refused: gate fail/);
    expect(await history("nurses")).toEqual([]);
  }, 60_000);

  it("exits 69 when the router's topic cannot be reached, saying the move is recorded and how to republish", async () => {
    const offline = editedConfig(config, (doc) => {
      (doc.kafka as { brokers: string[] }).brokers = ["127.0.0.1:9"];
    });
    const r = await runCli("promote", "--config", offline, "--cohort", "clinicians", "--to", "canary");
    expect(r.code).toBe(69);
    expect(r.stderr).toMatch(
      /shadow -> canary is recorded \(transition [0-9a-f-]{36}\) but was not published/,
    );
    expect(r.stderr).toMatch(/run the same promote again to republish it/);
    const again = await runCli("promote", "--config", config, "--cohort", "clinicians", "--to", "canary");
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^already in canary; transition [0-9a-f-]{36} published again/);
  }, 120_000);
});
