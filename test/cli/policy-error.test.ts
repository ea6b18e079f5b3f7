import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { DEMO_LEGACY_JWT_SECRET, LEGACY_JWT_SECRET_ENV } from "../../examples/health-tech/demo-secrets.js";
import { writeDemoFiles } from "../../examples/health-tech/generator/write-demo-files.js";
import { DEMO_CONFIG_FILE } from "../../examples/health-tech/paths.js";
import { type FindingKind, MISMATCH_KINDS, type Report, reportSchema } from "../../src/contracts/index.js";
import { buildFaultyBundle, faultyExpectation, findingLine } from "../policy/faulty-policy.js";
import { runCli } from "./cli-harness.js";

let dir: string;
let events: string;
let faultyConfig: string;

/** The demo config with absolute paths, and the policy bundle replaced when given. */
function demoConfig(bundle?: string): string {
  const doc = parse(readFileSync(DEMO_CONFIG_FILE, "utf8")) as Record<string, unknown> & {
    issuers: Record<string, { keys: { path?: string } }>;
    api?: { keys: { path?: string }; localSigningKey?: string };
    legacy: { rules: string };
    policy: { bundle: string };
  };
  const abs = (p: string) => resolve(dirname(DEMO_CONFIG_FILE), p);
  for (const issuer of Object.values(doc.issuers))
    if (issuer.keys.path) issuer.keys.path = abs(issuer.keys.path);
  if (doc.api?.keys.path) doc.api.keys.path = abs(doc.api.keys.path);
  if (doc.api?.localSigningKey) doc.api.localSigningKey = abs(doc.api.localSigningKey);
  doc.legacy.rules = abs(doc.legacy.rules);
  doc.policy.bundle = bundle ?? abs(doc.policy.bundle);
  const file = join(mkdtempSync(join(dir, "config-")), "config.yaml");
  writeFileSync(file, stringify(doc));
  return file;
}

async function replay(config: string): Promise<Report> {
  const r = await runCli("replay", "--config", config, events, "--format", "json");
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.code).toBe(0);
  const report = reportSchema.parse(JSON.parse(r.stdout));
  expect(report.mismatchesTruncated).toBe(false);
  return report;
}

beforeAll(async () => {
  process.env[LEGACY_JWT_SECRET_ENV] = DEMO_LEGACY_JWT_SECRET;
  dir = mkdtempSync(join(tmpdir(), "policy-error-"));
  events = join(dir, "events.ndjson");
  await writeDemoFiles(
    { events: 2_000, legacySecret: DEMO_LEGACY_JWT_SECRET },
    events,
    join(dir, "expected.json"),
  );
  const bundle = buildFaultyBundle(dir);
  faultyConfig = demoConfig(bundle);
}, 120_000);

describe("a policy that cannot decide some requests (a real Rego runtime conflict)", () => {
  it("records each such pair as a policy_error finding and compares every other pair as before", async () => {
    const [healthy, faulty] = [await replay(demoConfig()), await replay(faultyConfig)];

    // Nothing lost: the same events, pairs and unpaired requests.
    expect(faulty.totals).toMatchObject({
      events: healthy.totals.events,
      pairs: healthy.totals.pairs,
      unpaired: healthy.totals.unpaired,
      rejected: healthy.totals.rejected,
    });

    // The lab_result pairs whose tokens both verify are the ones the faulty policy is asked about.
    const expected = faultyExpectation(readFileSync(events, "utf8").split("\n"), healthy.mismatches);
    const asked = expected.policyErrors;
    expect(asked.length).toBeGreaterThan(20);

    const policyErrors = faulty.mismatches.filter((f) => f.kind === "policy_error");
    expect(policyErrors.map((f) => f.correlationId).sort()).toEqual(asked);
    for (const f of policyErrors) {
      expect(f).toMatchObject({ side: "new", severity: "high", new: { allow: null, reasons: [] } });
      expect(f.detail).toMatch(
        /^the new policy could not decide this request: policy authz\/decision failed: .*conflict/,
      );
    }

    // Every other finding is the healthy run's, except the lab_result decisions the policy never made.
    const others = faulty.mismatches
      .filter((f) => f.kind !== "policy_error")
      .map(findingLine)
      .sort();
    expect(others).toEqual(expected.others);

    // Each such pair is a mismatch of its cohort: the gate sees a policy that cannot decide.
    const count = (r: Report, kind: "policy_error") =>
      r.cohorts.reduce((n, c) => n + (c.mismatches[kind] ?? 0), 0);
    expect(count(faulty, "policy_error")).toBe(asked.length);
    const mismatched = (r: Report) => r.cohorts.reduce((n, c) => n + c.mismatchedPairs, 0);
    const mismatchedIds = new Set(asked);
    for (const line of expected.others) {
      const [id, kind] = line.split(" ");
      if (id && MISMATCH_KINDS.has(kind as FindingKind)) mismatchedIds.add(id);
    }
    expect(mismatched(faulty)).toBe(mismatchedIds.size);
    expect(mismatched(faulty)).toBeGreaterThan(mismatched(healthy));
  }, 120_000);

  it("shows each cohort's policy errors in the text report's column", async () => {
    const json = await replay(faultyConfig);
    const r = await runCli("replay", "--config", faultyConfig, events, "--format", "text");
    expect(r.code).toBe(0);
    const [header, ...rows] = r.stdout.split("\n");
    const columns = (header ?? "").split(/\s{2,}/);
    const column = columns.indexOf("policy err");
    expect(column).toBeGreaterThan(0);
    const shown = Object.fromEntries(
      json.cohorts.map((c) => {
        const row = rows.find((l) => l.startsWith(`${c.id} `)) ?? "";
        return [c.id, row.split(/\s{2,}/)[column]];
      }),
    );
    const counted = Object.fromEntries(
      json.cohorts.map((c) => [c.id, (c.mismatches.policy_error ?? 0).toLocaleString("en-US")]),
    );
    expect(shown).toEqual(counted);
    expect(Object.values(counted).some((n) => n !== "0")).toBe(true);
  }, 60_000);
});
