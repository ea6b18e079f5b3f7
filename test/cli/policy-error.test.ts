import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { DEMO_LEGACY_JWT_SECRET, LEGACY_JWT_SECRET_ENV } from "../../examples/health-tech/demo-secrets.js";
import { writeDemoFiles } from "../../examples/health-tech/generator/write-demo-files.js";
import { DEMO_CONFIG_FILE } from "../../examples/health-tech/paths.js";
import { type Finding, type Report, reportSchema } from "../../src/contracts/index.js";
import { buildBundle } from "../policy/toolchain.js";
import { runCli } from "./cli-harness.js";

const ROOT = resolve(import.meta.dirname, "../..");

// A second definition of the complete rule `decision` for lab results: the demo policy's own one
// is always defined, so every lab_result request gets two outputs, a Rego runtime conflict.
const FAULTY_REGO = `package authz

decision := {"allow": true, "reasons": ["faulty.lab_result"]} if input.resource.type == "lab_result"
`;

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

interface EventLine {
  correlationId: string;
  request?: { resource?: { type?: string } };
}

/** The demo plants malformed lines (the replay rejects them); only events count here. */
function parsedEvent(line: string): EventLine | undefined {
  try {
    return JSON.parse(line) as EventLine;
  } catch {
    return undefined;
  }
}

const key = (f: Finding) => `${f.correlationId} ${f.kind} ${f.side}`;

beforeAll(async () => {
  process.env[LEGACY_JWT_SECRET_ENV] = DEMO_LEGACY_JWT_SECRET;
  dir = mkdtempSync(join(tmpdir(), "policy-error-"));
  events = join(dir, "events.ndjson");
  await writeDemoFiles(
    { events: 2_000, legacySecret: DEMO_LEGACY_JWT_SECRET },
    events,
    join(dir, "expected.json"),
  );
  const src = join(dir, "faulty-policy");
  mkdirSync(src);
  for (const file of ["authz.rego", "allows.rego", "denies.rego"])
    copyFileSync(join(ROOT, "policies", file), join(src, file));
  writeFileSync(join(src, "faulty.rego"), FAULTY_REGO);
  const bundle = join(dir, "faulty.tar.gz");
  buildBundle({ src, out: bundle });
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
    const requests = readFileSync(events, "utf8")
      .split("\n")
      .filter(Boolean)
      .flatMap((l) => parsedEvent(l) ?? []);
    const labResults = new Set(
      requests.filter((e) => e.request?.resource?.type === "lab_result").map((e) => e.correlationId),
    );
    const notEvaluated = new Set(
      healthy.mismatches
        .filter((f) => f.kind === "token_invalid" || f.kind === "unpaired")
        .map((f) => f.correlationId),
    );
    const asked = [...labResults].filter((id) => !notEvaluated.has(id)).sort();
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
    const decided = (f: Finding) =>
      !(
        asked.includes(f.correlationId) &&
        ["over_permission", "under_permission", "observed_drift"].includes(f.kind)
      );
    const others = faulty.mismatches
      .filter((f) => f.kind !== "policy_error")
      .map(key)
      .sort();
    const expected = healthy.mismatches
      .filter((f) => decided(f) || (f.kind === "observed_drift" && f.side === "legacy"))
      .map(key)
      .sort();
    expect(others).toEqual(expected);

    // Each such pair is a mismatch of its cohort: the gate sees a policy that cannot decide.
    const count = (r: Report, kind: "policy_error") =>
      r.cohorts.reduce((n, c) => n + (c.mismatches[kind] ?? 0), 0);
    expect(count(faulty, "policy_error")).toBe(asked.length);
    const mismatched = (r: Report) => r.cohorts.reduce((n, c) => n + c.mismatchedPairs, 0);
    expect(mismatched(faulty)).toBeGreaterThan(mismatched(healthy));
  }, 120_000);

  it("shows the policy errors in the text report's column", async () => {
    const r = await runCli("replay", "--config", faultyConfig, events, "--format", "text");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/policy err/);
  }, 60_000);
});
