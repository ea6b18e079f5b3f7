#!/usr/bin/env node
/**
 * `npm run bench`: throughput of the core on one thread, on the demo's data at 1M events, and the
 * cost of each stage (parse/validate, verify, legacy, OPA, classify). Prints figures; asserts nothing.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoLegacySecret, LEGACY_JWT_SECRET_ENV } from "../examples/health-tech/demo-secrets.js";
import { writeDemoFiles } from "../examples/health-tech/generator/write-demo-files.js";
import { DEMO_CONFIG_FILE } from "../examples/health-tech/paths.js";
import { loadConfig } from "../src/config/load-config.js";
import type { Side } from "../src/contracts/index.js";
import { classifyPair } from "../src/diff/classify.js";
import { checkSubjectContinuity } from "../src/identity/subject-continuity.js";
import { readNdjsonBatches } from "../src/ingest/ndjson-lines.js";
import { parseEvent } from "../src/ingest/parse-event.js";
import { runReplay } from "../src/replay/run-replay.js";
import { loadRuntime } from "../src/runtime/load-runtime.js";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const STAGE_SAMPLE = Math.min(EVENTS, Number(process.env.BENCH_STAGE_SAMPLE ?? 200_000));
const dir = join(tmpdir(), "entitlement-diff-bench");
const file = join(dir, `events-${EVENTS}.ndjson`);
const env = { ...process.env, [LEGACY_JWT_SECRET_ENV]: demoLegacySecret() };
const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits });
let peakRss = 0;
const sampleRss = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};

async function ensureData(): Promise<void> {
  if (existsSync(file)) return;
  mkdirSync(dir, { recursive: true });
  const t = performance.now();
  const r = await writeDemoFiles(
    { events: EVENTS, legacySecret: env[LEGACY_JWT_SECRET_ENV] },
    file,
    `${file}.expected.json`,
  );
  console.log(
    `generated ${fmt(r.lines)} events (${fmt(r.bytes / 2 ** 20)} MiB) in ${fmt((performance.now() - t) / 1000, 1)} s`,
  );
}

async function stages(): Promise<void> {
  const runtime = await loadRuntime(loadConfig(DEMO_CONFIG_FILE), env);
  const lines: string[] = [];
  for await (const batch of readNdjsonBatches(file)) {
    for (const l of batch) if ("text" in l) lines.push(l.text);
    if (lines.length >= STAGE_SAMPLE) break;
  }
  const timed = <T>(f: () => T): [T, number] => {
    const t = performance.now();
    const r = f();
    return [r, performance.now() - t];
  };
  const [parsed, parseMs] = timed(() => lines.map(parseEvent).flatMap((p) => (p.ok ? [p] : [])));
  const bySide = new Map<string, Partial<Record<Side, (typeof parsed)[number]>>>();
  for (const p of parsed) {
    const e = bySide.get(p.event.correlationId) ?? {};
    e[p.event.side] = p;
    bySide.set(p.event.correlationId, e);
  }
  const pairs = [...bySide.values()].flatMap((e) =>
    e.legacy && e.new ? [{ legacy: e.legacy, new: e.new }] : [],
  );
  let t = performance.now();
  const verified = [];
  for (const p of pairs) {
    const at = (x: typeof p.legacy) => Math.floor(x.observedAtMs / 1000);
    verified.push({
      p,
      lv: await runtime.verifiers.legacy.verify(p.legacy.event.token, at(p.legacy)),
      nv: await runtime.verifiers.new.verify(p.new.event.token, at(p.new)),
    });
  }
  const verifyMs = performance.now() - t;
  const valid = verified.flatMap((v) =>
    v.lv.ok && v.nv.ok ? [{ ...v, lc: v.lv.claims, nc: v.nv.claims }] : [],
  );
  const [legacyDecisions, legacyMs] = timed(() =>
    valid.map((v) => runtime.legacy.decide(v.lc, v.p.legacy.event.request)),
  );
  const [newDecisions, opaMs] = timed(() =>
    valid.map((v) => {
      const r = v.p.new.event.request;
      return runtime.policy.evaluate({
        token: v.nc,
        action: r.action,
        resource: r.resource,
        context: r.context ?? {},
      });
    }),
  );
  t = performance.now();
  valid.forEach((v, i) => {
    const req = v.p.legacy.event.request;
    classifyPair({
      correlationId: v.p.legacy.event.correlationId,
      cohort: runtime.cohortOf(v.lc),
      action: req.action,
      resourceType: req.resource.type,
      observedAt: v.p.legacy.event.observedAt,
      verification: { legacy: v.lv, new: v.nv },
      continuity: checkSubjectContinuity(v.lc, v.nc, "legacy_sub"),
      legacy: legacyDecisions[i] ?? null,
      new: newDecisions[i] ?? null,
      observed: {
        legacy: v.p.legacy.event.observedDecision?.allow,
        new: v.p.new.event.observedDecision?.allow,
      },
    });
  });
  const classifyMs = performance.now() - t;
  sampleRss();
  const per = (ms: number, n: number) =>
    `${fmt((ms * 1000) / Math.max(n, 1), 2).padStart(7)} µs/item  (${fmt(n)} items)`;
  console.log(`\nstage costs on one thread (first ${fmt(lines.length)} events, ${fmt(pairs.length)} pairs):`);
  console.log(`  parse + validate   ${per(parseMs, lines.length)}`);
  console.log(
    `  verify (2/pair)    ${per(verifyMs, pairs.length)}  distinct tokens verified: ${fmt(runtime.verifiers.legacy.stats.verifications + runtime.verifiers.new.stats.verifications)}`,
  );
  console.log(`  legacy rules       ${per(legacyMs, valid.length)}`);
  console.log(`  OPA (wasm)         ${per(opaMs, valid.length)}`);
  console.log(`  classify + cohort  ${per(classifyMs, valid.length)}`);
  runtime.close();
}

async function endToEnd(): Promise<void> {
  const runtime = await loadRuntime(loadConfig(DEMO_CONFIG_FILE), env);
  const timer = setInterval(sampleRss, 200);
  const t = performance.now();
  const report = await runReplay(runtime, { inputs: [file], onProgress: sampleRss, progressEvery: 10_000 });
  const seconds = (performance.now() - t) / 1000;
  clearInterval(timer);
  sampleRss();
  runtime.close();
  const { events, pairs, unpaired } = report.totals;
  console.log(`\nreplay of ${fmt(events)} events (${fmt(statSync(file).size / 2 ** 20)} MiB) on one thread:`);
  console.log(`  ${fmt(pairs)} pairs + ${fmt(unpaired)} unpaired in ${fmt(seconds, 2)} s`);
  console.log(
    `  ${fmt(pairs / seconds)} pairs/s   ${fmt(events / seconds)} events/s   (target: >= 15,000 pairs/s)`,
  );
  console.log(`  peak RSS ${fmt(peakRss / 2 ** 20)} MiB (streaming: independent of the file size)`);
}

await ensureData();
await endToEnd();
await stages();
