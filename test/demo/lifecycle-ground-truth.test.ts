import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_LEGACY_JWT_SECRET, LEGACY_JWT_SECRET_ENV } from "../../examples/health-tech/demo-secrets.js";
import type { ExpectedManifest } from "../../examples/health-tech/generator/expected-manifest.js";
import { LIFECYCLE_WINDOW_SECONDS } from "../../examples/health-tech/generator/lifecycle.js";
import { DEMO_DEFAULTS } from "../../examples/health-tech/generator/traffic.js";
import { writeDemoFiles } from "../../examples/health-tech/generator/write-demo-files.js";
import { DEMO_CONFIG_FILE, tokensFileFor } from "../../examples/health-tech/paths.js";
import { loadConfig } from "../../src/config/load-config.js";
import { LIFECYCLE_KINDS, type Report } from "../../src/contracts/index.js";
import { mappingLabel } from "../../src/lifecycle/mapped-claims.js";
import { runReplay } from "../../src/replay/run-replay.js";
import { loadRuntime, type Runtime } from "../../src/runtime/load-runtime.js";
import { createPseudonymizer } from "../../src/store/pseudonymize.js";

/**
 * The token lifecycle mirror on the demo's data: replaying the demo events with their lifecycle
 * events (the real jose verification, the real judge) reports exactly the planted lifetime,
 * session and claim drifts of expected.json, once per session, and nothing else.
 */
const KEY = "lifecycle-ground-truth-pseudonym-key-0123456789";
const loaded = loadConfig(DEMO_CONFIG_FILE);
const pseudonyms = createPseudonymizer(Buffer.from(KEY, "utf8"));
let runtime: Runtime;
let manifest: ExpectedManifest;
let report: Report;
let tokenLines: string[];

beforeAll(async () => {
  const dir = await import("node:fs/promises").then((fs) => fs.mkdtemp("/tmp/lifecycle-truth-"));
  const events = `${dir}/events.ndjson`;
  ({ manifest } = await writeDemoFiles({ events: DEMO_DEFAULTS.events }, events, `${dir}/expected.json`));
  tokenLines = readFileSync(tokensFileFor(events), "utf8").trimEnd().split("\n");
  const env = { [LEGACY_JWT_SECRET_ENV]: DEMO_LEGACY_JWT_SECRET, [loaded.config.store.pseudonymKeyEnv]: KEY };
  runtime = await loadRuntime(loaded, env);
  report = await runReplay(runtime, {
    inputs: [events, tokensFileFor(events)],
    maxListedFindings: 1_000_000,
    env,
  });
}, 180_000);

afterAll(() => runtime?.close());

const lifecycleFindings = () => report.mismatches.filter((f) => LIFECYCLE_KINDS.has(f.kind));

describe("the demo's token lifecycle mirror", () => {
  it("writes every lifecycle line as the manifest counts it, all of them valid", () => {
    expect(tokenLines).toHaveLength(manifest.lifecycle.lines);
    expect(report.rejected.filter((r) => r.file.endsWith(".tokens.ndjson"))).toEqual([]);
    expect(report.totals.rejected).toBe(manifest.totals.rejected);
    expect(report.totals.events).toBe(manifest.totals.events + manifest.lifecycle.lines);
  });

  it("plants every kind of lifecycle drift, in cohorts whose gates fail anyway", () => {
    const planted = new Set(manifest.lifecycle.findings.map((f) => f.planted));
    expect([...planted].sort()).toEqual([
      "caregiver-refresh-lifetime",
      "logout-not-propagated",
      "proxy-not-migrated",
      "refresh-fails-on-new",
      "service-tenant-claim-missing",
      "service-token-lifetime",
      "stale-email",
    ]);
  });

  it("reports exactly the planted lifecycle findings, per session, and nothing else", () => {
    const expected = manifest.lifecycle.findings
      .map((f) => `${pseudonyms.session(f.sessionId)} ${f.kind} ${f.side} ${f.action} ${f.cohort}`)
      .sort();
    const got = lifecycleFindings()
      .map((f) => `${f.correlationId} ${f.kind} ${f.side} ${f.action} ${f.cohort}`)
      .sort();
    expect(got).toEqual(expected);
  });

  it("names the claim mapping that does not hold, and shows personal values only as pseudonyms", () => {
    const mappings = loaded.config.identity.claimMappings;
    const bySession = new Map(
      lifecycleFindings().map((f) => [`${f.correlationId} ${f.kind} ${f.detail}`, f]),
    );
    for (const e of manifest.lifecycle.findings.filter((f) => f.kind === "claim_drift")) {
      const mapping = mappings[e.mapping ?? -1];
      expect(mapping, e.planted).toBeDefined();
      const found = [...bySession.keys()].some(
        (k) =>
          k.startsWith(`${pseudonyms.session(e.sessionId)} claim_drift `) &&
          k.includes(`claim mapping ${mappingLabel(mapping as NonNullable<typeof mapping>)} does not hold`),
      );
      expect(found, `${e.sessionId} ${e.planted}`).toBe(true);
    }
    const email = lifecycleFindings().filter((f) => f.detail.includes("new user_email"));
    expect(email.length).toBeGreaterThan(0);
    for (const f of email) {
      expect(f.detail).toMatch(/legacy hmac:[\w-]+ \(mapped\), new hmac:[\w-]+$/);
      expect(f.detail).not.toContain("@");
    }
  });

  it("fails the gates of the cohorts with lifecycle drift, naming the budget, and no other gate", () => {
    const withDrift = new Set(manifest.lifecycle.findings.map((f) => f.cohort));
    for (const c of report.cohorts) {
      const reason = c.gate.reasons.find((r) => r.startsWith("token lifecycle:"));
      expect(reason, c.id).toBeDefined();
      if (withDrift.has(c.id)) {
        expect(c.gate.status, c.id).toBe("fail");
        expect(reason, c.id).toMatch(/ > allowed 0/);
      } else expect(reason, c.id).not.toMatch(/ > allowed/);
    }
  });

  it("uses the window of the demo config", () => {
    expect(loaded.config.lifecycle?.windowSeconds).toBe(LIFECYCLE_WINDOW_SECONDS);
  });
});
