import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { type KafkaBroker, startKafka } from "../support/kafka-broker.js";
import {
  countOutcomes,
  createMirrorTopics,
  type DemoTraffic,
  demoTraffic,
  expectedFindingLines,
  groupLag,
  produceLines,
  serviceEnv,
  storedFindings,
  uniqueTopics,
  waitFor,
  writeServiceConfig,
} from "./service-kit.js";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin", "entitlement-diff.js");
const { topics, groupId } = uniqueTopics("crash");
const env = serviceEnv();
let broker: KafkaBroker;
let traffic: DemoTraffic;
let config: string;
let storeDir: string;
const children: ChildProcess[] = [];

/** The service as its own process, as operators run it: `entitlement-diff serve`. */
function serve(): ChildProcess {
  const child = spawn(process.execPath, [BIN, "serve", "--config", config], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4_000);
  });
  child.once("exit", (code, signal) => {
    if (code !== 0 && signal === null) process.stderr.write(`serve exited ${code}:\n${stderr}\n`);
  });
  children.push(child);
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => {
    if (child.exitCode !== null || child.signalCode !== null)
      r({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => r({ code, signal }));
  });

const lag = () => groupLag(broker, groupId, [topics.legacy, topics.new]);

beforeAll(async () => {
  expect(
    existsSync(join(ROOT, "dist", "src", "cli", "entry.js")),
    "dist/ is built by npm install (prepare)",
  ).toBe(true);
  broker = await startKafka();
  await createMirrorTopics(broker, topics, 3);
  traffic = await demoTraffic(16_000);
  storeDir = mkdtempSync(join(tmpdir(), "crash-store-"));
  config = writeServiceConfig({ brokers: broker.brokers, topics, storeDir, groupId });
  await produceLines(broker, topics, traffic.lines);
}, 180_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await broker?.stop();
});

describe("serve killed with SIGKILL mid-stream and restarted", () => {
  it("ends with exactly the store content of a run without the crash, and exits 0 on SIGTERM", async () => {
    const total = await lag();
    const first = serve();
    await waitFor("part of the stream committed", async () => {
      const l = await lag();
      return l < total * 0.8 && l > 0;
    });
    first.kill("SIGKILL");
    expect((await exited(first)).signal).toBe("SIGKILL");

    const second = serve();
    await waitFor("every offset committed after the restart", async () => (await lag()) === 0, 150_000);
    // Outcomes still waiting in the writer are flushed by a graceful stop.
    second.kill("SIGTERM");
    expect(await exited(second)).toEqual({ code: 0, signal: null });

    const loaded = loadConfig(config);
    const store: Store = await openStore(loaded.config.store, { baseDir: storeDir, env });
    try {
      const { pairs, unpaired } = traffic.expected.totals;
      expect(await countOutcomes(store)).toBe(pairs + unpaired);
      const findings = await storedFindings(store);
      expect(findings.lines).toEqual(expectedFindingLines(traffic.expected));
      expect(findings.maxCopies).toBe(1);
    } finally {
      await store.close();
    }
  }, 240_000);
});
