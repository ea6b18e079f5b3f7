import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { impactReportSchema } from "../../src/contracts/index.js";
import type { ObservedEvent } from "../../src/diff/pair-outcome.js";
import { parseEvent } from "../../src/ingest/parse-event.js";
import { loadRuntime, type Runtime } from "../../src/runtime/load-runtime.js";
import { openStore } from "../../src/store/open-store.js";
import { toStoredOutcome } from "../../src/stream/to-stored-outcome.js";
import { buildBundle, makeTempDir, POLICY_DIR, type TempDir } from "../policy/toolchain.js";
import { demoTraffic, serviceEnv, writeServiceConfig } from "../service/service-kit.js";
import { writeOutcomes } from "../store/store-suite.js";
import { runCli } from "./cli-harness.js";
import { editedConfig } from "./gate-fixture.js";

/**
 * `impact` on facts the real pipeline kept from demo traffic (every agreeing pair sampled), with
 * candidate bundles built by the real `opa` from edited copies of policies/.
 */
let tmp: TempDir;
let config: string;
let runtime: Runtime;
let billingOverPermissions = 0;

function candidate(
  name: string,
  edit: (rego: { allows: string; denies: string }) => { allows: string; denies: string },
): string {
  const src = tmp.file(`${name}-src`);
  cpSync(POLICY_DIR, src, { recursive: true });
  const read = (f: string) => readFileSync(join(src, f), "utf8");
  const edited = edit({ allows: read("allows.rego"), denies: read("denies.rego") });
  writeFileSync(join(src, "allows.rego"), edited.allows);
  writeFileSync(join(src, "denies.rego"), edited.denies);
  const out = tmp.file(`${name}.tar.gz`);
  buildBundle({ out, src });
  return out;
}

beforeAll(async () => {
  tmp = makeTempDir("impact-cli");
  const storeDir = mkdtempSync(join(tmpdir(), "impact-cli-store-"));
  const base = writeServiceConfig({
    brokers: ["127.0.0.1:9"],
    topics: { legacy: "impact-legacy", new: "impact-new", deadLetter: "impact-dlq" },
    storeDir,
    groupId: "impact-cli",
  });
  config = editedConfig(base, (doc) => {
    doc.impact = { matchedSampleRate: 1 };
  });
  const loaded = loadConfig(config);
  runtime = await loadRuntime(loaded, serviceEnv());
  const traffic = await demoTraffic(4_000);
  const open = new Map<string, ObservedEvent>();
  const outcomes = [];
  for (const line of traffic.lines) {
    const parsed = parseEvent(line);
    if (!parsed.ok) continue;
    const o = { event: parsed.event, observedAtMs: Date.parse(parsed.event.observedAt) };
    const other = open.get(o.event.correlationId);
    if (!other) {
      open.set(o.event.correlationId, o);
      continue;
    }
    open.delete(o.event.correlationId);
    const [l, n] = o.event.side === "legacy" ? [o, other] : [other, o];
    const outcome = await runtime.differ.diffPair(l, n);
    outcomes.push(toStoredOutcome(outcome, l, runtime.provenance));
  }
  billingOverPermissions = outcomes
    .filter((o) => o.cohort === "billing")
    .filter((o) => o.findings.some((f) => f.kind === "over_permission")).length;
  const store = await openStore(loaded.config.store, {
    baseDir: dirname(resolve(config)),
    env: serviceEnv(),
  });
  try {
    await writeOutcomes(store, outcomes);
    const [row] = await store.driver.query<{ n: string }>(
      `SELECT count() AS n FROM ${store.tables.replayFacts}`,
    );
    expect(Number(row?.n)).toBeGreaterThan(1_000);
    const facts = await store.driver.query<{ facts: string }>(
      `SELECT facts FROM ${store.tables.replayFacts} LIMIT 500`,
    );
    expect(JSON.stringify(facts)).not.toMatch(/u-\d{6}|eyJ[\w-]{10,}\./);
  } finally {
    await store.close();
  }
}, 240_000);

afterAll(() => {
  runtime?.close();
  tmp?.remove();
});

describe("entitlement-diff impact", () => {
  it("replays the deployed policy itself as a change of nothing", async () => {
    const r = await runCli(
      "impact",
      "--config",
      config,
      "--policy",
      join(POLICY_DIR, "bundle.tar.gz"),
      "--format",
      "json",
    );
    expect(r.code, r.stderr).toBe(0);
    const report = impactReportSchema.parse(JSON.parse(r.stdout));
    expect(report.ok).toBe(true);
    expect(report.changes).toEqual([]);
    expect(report.cohorts.reduce((n, c) => n + c.notReplayable, 0)).toBe(0);
    expect(report.cohorts.find((c) => c.cohort === "billing")?.mismatches).toBe(billingOverPermissions);
  });

  it("counts the billing over-permissions a fix removes, and exits 0", async () => {
    const fix = candidate("no-finance-notes", ({ allows, denies }) => ({
      allows: allows.replace(/allows contains "finance\.clinical_note_read" if \{[^}]*\}/, ""),
      denies,
    }));
    const r = await runCli("impact", "--config", config, "--policy", fix);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/: no over-permission introduced$/);
    const billing = r.stdout.split("\n").find((l) => l.startsWith("billing "));
    expect(billing?.split(/\s+/).slice(1, 3)).toEqual([
      String(billingOverPermissions),
      String(billingOverPermissions),
    ]);
    expect(r.stdout).toMatch(
      /billing: fixes on read clinical_note \(legacy rule none; candidate deny\.default\)/,
    );
  });

  it("exits 1 when the candidate lets nurses prescribe, naming the path", async () => {
    const breach = candidate("nurses-prescribe", ({ allows, denies }) => ({
      allows: allows.replace(
        '{"appointment", "clinical_note", "lab_result"}',
        '{"appointment", "clinical_note", "lab_result", "prescription"}',
      ),
      denies: denies.replace(/denies contains "deny\.nurse_prescribe" if \{[^}]*\}/, ""),
    }));
    const r = await runCli("impact", "--config", config, "--policy", breach, "--format", "markdown");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^### ❌ Policy impact: \d+ over-permissions? introduced: do not deploy/);
    expect(r.stdout).toMatch(
      /\| nurses \| introduces over-permission \| write \| prescription \| nurses-never-prescribe \| nurse\.care\\_team\\_write \|/,
    );
  });

  it("refuses a config without the impact section (78) and a missing bundle", async () => {
    const without = editedConfig(config, (doc) => {
      delete doc.impact;
    });
    const r = await runCli("impact", "--config", without, "--policy", join(POLICY_DIR, "bundle.tar.gz"));
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/at impact\): impact needs the impact section/);
    expect(
      (await runCli("impact", "--config", config, "--policy", tmp.file("nothing.tar.gz"))).code,
    ).not.toBe(0);
  });
});
