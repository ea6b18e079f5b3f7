import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEMO_LEGACY_JWT_SECRET,
  DEMO_PSEUDONYM_KEY,
  LEGACY_JWT_SECRET_ENV,
} from "../../examples/health-tech/demo-secrets.js";
import { generateDemoTraffic } from "../../examples/health-tech/generator/traffic.js";
import { DEMO_CONFIG_FILE } from "../../examples/health-tech/paths.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { ObservedEvent } from "../../src/diff/pair-outcome.js";
import { parseEvent } from "../../src/ingest/parse-event.js";
import { createServiceMetrics } from "../../src/metrics/catalog.js";
import { loadRuntime, type Runtime } from "../../src/runtime/load-runtime.js";
import { createWorkerPool } from "../../src/runtime/worker-pool.js";
import { decodeRows, type EncodedRows, textOf } from "../../src/store/encoded-rows.js";
import type { LatentRow } from "../../src/store/outcome-rows.js";
import { pseudonymizerFromEnv } from "../../src/store/pseudonymize.js";
import type { Evaluator, EventHandle } from "../../src/stream/evaluator.js";
import {
  createOutcomeMaker,
  type MadeOutcome,
  type OutcomeMaker,
  summaryOf,
} from "../../src/stream/outcome-maker.js";

const config = loadConfig(DEMO_CONFIG_FILE);
const env = {
  ...process.env,
  [LEGACY_JWT_SECRET_ENV]: DEMO_LEGACY_JWT_SECRET,
  [config.config.store.pseudonymKeyEnv]: DEMO_PSEUDONYM_KEY,
};
const metrics = createServiceMetrics();
let runtime: Runtime;
let pool: Evaluator & { close(): Promise<void> };
/** The same, in this thread. */
let inProcess: OutcomeMaker;
/** Demo requests seen on both sides, and a few seen on one side only. */
const pairs: Array<[ObservedEvent, ObservedEvent]> = [];
const singles: ObservedEvent[] = [];
/** The line each event was parsed from. */
const lineOf = new Map<ObservedEvent, string>();

beforeAll(async () => {
  const bySide = new Map<string, Partial<Record<"legacy" | "new", ObservedEvent>>>();
  for (const line of generateDemoTraffic({ events: 3_000, legacySecret: DEMO_LEGACY_JWT_SECRET }).lines) {
    const parsed = parseEvent(line);
    if (!parsed.ok) continue;
    const sides = bySide.get(parsed.event.correlationId) ?? {};
    const observed = { event: parsed.event, observedAtMs: parsed.observedAtMs };
    lineOf.set(observed, line);
    sides[parsed.event.side] = observed;
    bySide.set(parsed.event.correlationId, sides);
  }
  for (const sides of bySide.values()) {
    if (sides.legacy && sides.new) pairs.push([sides.legacy, sides.new]);
    else singles.push((sides.legacy ?? sides.new) as ObservedEvent);
  }
  runtime = await loadRuntime(config, env);
  inProcess = createOutcomeMaker({
    differ: runtime.differ,
    provenance: runtime.provenance,
    pseudonymizer: pseudonymizerFromEnv(config.config.store.pseudonymKeyEnv, env),
  });
  pool = await createWorkerPool({ workers: 2, configFile: DEMO_CONFIG_FILE, env, metrics });
}, 120_000);

afterAll(async () => {
  await pool?.close();
  runtime?.close();
});

describe("the outcome maker on worker threads", () => {
  it("gives every pair and unpaired event the rows and counts the in-process maker gives", async () => {
    expect(pairs.length).toBeGreaterThan(1_000);
    // Most pairs decoded on one lane (one worker holds both halves); every third with its halves
    // on two lanes (the second goes as its line), and every fifth parsed here (HTTP ingest).
    const handles = await Promise.all(
      pairs.map(async ([l, n], i) => {
        if (i % 5 === 0) return [pool.inline(l), pool.inline(n)] as const;
        const lanes = [i, i % 3 === 0 ? i + 1 : i];
        const decoded = await pool.decode(
          [l, n].map((e, k) => ({ text: lineOf.get(e) ?? "", lane: lanes[k] ?? 0 })),
        );
        return decoded.map((d) => {
          if (!d.ok || d.kind !== "authz") throw new Error("a demo event did not decode");
          return d.handle;
        });
      }),
    );
    const [inWorkers, here] = await Promise.all([
      Promise.all(handles.map(([l, n]) => pool.pair(l as EventHandle, n as EventHandle))),
      Promise.all(pairs.map(([l, n]) => inProcess.pair(l, n))),
    ]);
    // Each worker tracks the principals it has seen itself, so a principal's entitlements may be
    // reported once per worker instead of once: the same rows, written idempotently.
    const withoutLatent = (made: MadeOutcome[]) => made.map((m) => ({ ...texts(m.rows), latent: "" }));
    expect(withoutLatent(inWorkers)).toEqual(withoutLatent(here));
    expect(inWorkers.map((m) => m.summary)).toEqual(here.map((m) => summaryOf(m.summary)));
    // A second worker's first sighting of a principal comes later: the same cell, seen later.
    const latent = (made: MadeOutcome[]) =>
      new Set(
        made.flatMap((m) =>
          decodeRows<LatentRow>(m.rows.latent).map(({ seen_at: _, ...cell }) => JSON.stringify(cell)),
        ),
      );
    const fromWorkers = latent(inWorkers);
    const fromProcess = latent(here);
    expect(fromProcess.size).toBeGreaterThan(100);
    expect([...fromWorkers].sort()).toEqual([...fromProcess].sort());
    expect(inWorkers.some((m) => m.summary.findings.some((f) => f.kind === "over_permission"))).toBe(true);
    expect(inWorkers.some((m) => textOf(m.rows.findings).includes('"resource_pseudonym":"hmac:'))).toBe(true);
    const single = singles[0] ?? pairs[0]?.[0];
    if (!single) throw new Error("no demo event");
    const alone = await pool.unpaired(pool.inline(single), "no partner");
    const aloneHere = await inProcess.unpaired(single, "no partner");
    expect(texts(alone.rows)).toEqual(texts(aloneHere.rows));
    expect(alone.summary).toEqual(summaryOf(aloneHere.summary));
  });

  it("hands back text and the counts only, never raw ids or tokens", async () => {
    const [l, n] = pairs.find(([legacy]) => legacy.event.request.resource.id !== undefined) ?? [];
    if (!l || !n) throw new Error("no demo pair with a resource id");
    const made = await pool.pair(pool.inline(l), pool.inline(n));
    // The rows cross as bytes in a transferred buffer, off the main thread's heap.
    expect(made.rows.outcome).toBeInstanceOf(Uint8Array);
    const crossed = JSON.stringify(texts(made.rows)) + JSON.stringify(made.summary);
    expect(crossed).not.toContain(l.event.token);
    expect(crossed).not.toContain(n.event.token);
    expect(crossed).not.toContain(`"${l.event.request.resource.id}"`);
    expect(Object.keys(made.summary).sort()).toEqual(
      ["cohort", "findings", "mismatch", "observedDrift", "onlySide", "paired"].sort(),
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

  it("verifies a token once for all workers: one worker's verification fills the others' caches", async () => {
    // Two requests of one principal with the same two tokens, decoded on lanes of different workers.
    const key = ([l, n]: [ObservedEvent, ObservedEvent]) => `${l.event.token} ${n.event.token}`;
    const seen = new Map<string, [ObservedEvent, ObservedEvent]>();
    const twins = pairs.flatMap((p) => {
      const first = seen.get(key(p));
      if (first) return [[first, p] as const];
      seen.set(key(p), p);
      return [];
    });
    const [a, b] = twins[0] ?? [];
    if (!a || !b) throw new Error("no two demo pairs share their tokens");
    const own = createServiceMetrics();
    const fresh = await createWorkerPool({ workers: 2, configFile: DEMO_CONFIG_FILE, env, metrics: own });
    try {
      const onLane = async ([l, n]: [ObservedEvent, ObservedEvent], lane: number) => {
        const decoded = await fresh.decode([l, n].map((e) => ({ text: lineOf.get(e) ?? "", lane })));
        const [hl, hn] = decoded.map((d) => {
          if (!d.ok || d.kind !== "authz") throw new Error("a demo event did not decode");
          return d.handle;
        });
        return fresh.pair(hl as EventHandle, hn as EventHandle);
      };
      const first = await onLane(a, 0);
      const second = await onLane(b, 1);
      expect(second.summary.cohort).toBe(first.summary.cohort);
      const text = await own.registry.metrics();
      for (const side of ["legacy", "new"])
        expect(text, side).toContain(`entitlement_diff_token_verifications_total{side="${side}"} 1\n`);
    } finally {
      await fresh.close();
    }
  });

  it("fails to start with the worker's reason when the config cannot be loaded", async () => {
    await expect(
      createWorkerPool({ workers: 1, configFile: "/nonexistent/config.yaml", env }),
    ).rejects.toThrow(/a differ worker could not start: .*nonexistent/);
  });
});

/** Rows as text, however they crossed (a worker sends bytes). */
function texts(rows: EncodedRows): Record<keyof EncodedRows, string> {
  return {
    outcome: textOf(rows.outcome),
    findings: textOf(rows.findings),
    latent: textOf(rows.latent),
    replay: textOf(rows.replay),
    uses: textOf(rows.uses),
    facts: textOf(rows.facts),
    setAside: textOf(rows.setAside),
  };
}
