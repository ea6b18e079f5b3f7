import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_LEGACY_JWT_SECRET, LEGACY_JWT_SECRET_ENV } from "../../examples/health-tech/demo-secrets.js";
import { generateDemoTraffic } from "../../examples/health-tech/generator/traffic.js";
import { DEMO_CONFIG_FILE } from "../../examples/health-tech/paths.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { PairDiffer } from "../../src/diff/pair-differ.js";
import type { ObservedEvent, PairOutcome } from "../../src/diff/pair-outcome.js";
import { parseEvent } from "../../src/ingest/parse-event.js";
import { createServiceMetrics } from "../../src/metrics/catalog.js";
import { loadRuntime, type Runtime } from "../../src/runtime/load-runtime.js";
import { createWorkerPoolDiffer } from "../../src/runtime/worker-pool-differ.js";

const env = { ...process.env, [LEGACY_JWT_SECRET_ENV]: DEMO_LEGACY_JWT_SECRET };
const metrics = createServiceMetrics();
let runtime: Runtime;
let pool: PairDiffer & { close(): Promise<void> };
/** Demo requests seen on both sides, and a few seen on one side only. */
const pairs: Array<[ObservedEvent, ObservedEvent]> = [];
const singles: ObservedEvent[] = [];

beforeAll(async () => {
  const bySide = new Map<string, Partial<Record<"legacy" | "new", ObservedEvent>>>();
  for (const line of generateDemoTraffic({ events: 3_000, legacySecret: DEMO_LEGACY_JWT_SECRET }).lines) {
    const parsed = parseEvent(line);
    if (!parsed.ok) continue;
    const sides = bySide.get(parsed.event.correlationId) ?? {};
    sides[parsed.event.side] = { event: parsed.event, observedAtMs: parsed.observedAtMs };
    bySide.set(parsed.event.correlationId, sides);
  }
  for (const sides of bySide.values()) {
    if (sides.legacy && sides.new) pairs.push([sides.legacy, sides.new]);
    else singles.push((sides.legacy ?? sides.new) as ObservedEvent);
  }
  runtime = await loadRuntime(loadConfig(DEMO_CONFIG_FILE), env);
  pool = await createWorkerPoolDiffer({ workers: 2, configFile: DEMO_CONFIG_FILE, env, metrics });
}, 120_000);

afterAll(async () => {
  await pool?.close();
  runtime?.close();
});

describe("the differ on worker threads", () => {
  it("gives every pair and unpaired event the outcome the in-process differ gives", async () => {
    expect(pairs.length).toBeGreaterThan(1_000);
    const [inWorkers, inProcess] = await Promise.all([
      Promise.all(pairs.map(([l, n]) => pool.diffPair(l, n))),
      Promise.all(pairs.map(([l, n]) => runtime.differ.diffPair(l, n))),
    ]);
    // Each worker tracks the principals it has seen itself, so a principal's entitlements may be
    // reported once per worker instead of once: the same rows, written idempotently.
    const withoutEntitlements = (os: PairOutcome[]) => os.map(({ entitlements: _, ...o }) => o);
    expect(withoutEntitlements(inWorkers)).toEqual(withoutEntitlements(inProcess));
    const reported = (os: PairOutcome[]) =>
      new Map(
        os.flatMap((o) =>
          o.entitlements ? [[`${o.cohort} ${o.entitlements.subject}`, o.entitlements]] : [],
        ),
      );
    const fromWorkers = reported(inWorkers);
    const fromProcess = reported(inProcess);
    expect(fromProcess.size).toBeGreaterThan(100);
    expect([...fromWorkers.keys()].sort()).toEqual([...fromProcess.keys()].sort());
    for (const [who, e] of fromWorkers) expect(e, who).toEqual(fromProcess.get(who));
    expect(inWorkers.some((o) => o.findings.some((f) => f.kind === "over_permission"))).toBe(true);
    const single = singles[0] ?? pairs[0]?.[0];
    if (!single) throw new Error("no demo event");
    expect(await pool.diffUnpaired(single, "no partner")).toEqual(
      await runtime.differ.diffUnpaired(single, "no partner"),
    );
  });

  it("reports the workers' timings and refused tokens to the service's metrics", async () => {
    const text = await metrics.registry.metrics();
    const count = (stage: string) =>
      Number(
        text
          .split("\n")
          .find((l) => l.startsWith(`entitlement_diff_evaluation_duration_seconds_count{stage="${stage}"}`))
          ?.split(" ")
          .at(-1),
      );
    expect(count("legacy")).toBeGreaterThan(1_000);
    expect(count("opa")).toBe(count("legacy"));
    expect(text).toMatch(
      /entitlement_diff_token_verification_failures_total\{side="new",reason="wrong_audience"\} [1-9]/,
    );
  });

  it("fails to start with the worker's reason when the config cannot be loaded", async () => {
    await expect(
      createWorkerPoolDiffer({ workers: 1, configFile: "/nonexistent/config.yaml", env }),
    ).rejects.toThrow(/a differ worker could not start: .*nonexistent/);
  });
});
