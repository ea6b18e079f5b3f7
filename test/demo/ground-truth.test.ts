import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_LEGACY_JWT_SECRET, LEGACY_JWT_SECRET_ENV } from "../../examples/health-tech/demo-secrets.js";
import type { ExpectedManifest } from "../../examples/health-tech/generator/expected-manifest.js";
import { DEMO_DEFAULTS } from "../../examples/health-tech/generator/traffic.js";
import { writeDemoFiles } from "../../examples/health-tech/generator/write-demo-files.js";
import { DEMO_CONFIG_FILE } from "../../examples/health-tech/paths.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { GateStatus, Report } from "../../src/contracts/index.js";
import { runReplay } from "../../src/replay/run-replay.js";
import { loadRuntime, type Runtime } from "../../src/runtime/load-runtime.js";
import { buildBundle, makeTempDir, type TempDir } from "../policy/toolchain.js";
import { expectPlantedLatent } from "./planted-latent-expectations.js";

/**
 * The demo world is consistent: replaying the default demo traffic through the real pipeline
 * (jose, the legacy rules engine, the Rego compiled to Wasm from policies/ now) reports exactly
 * the planted findings of expected.json and nothing else, and the gates come out as docs/demo.md
 * says. Since most events carry the live decision of their side, an event where a model decided
 * otherwise than the generator intended would surface here as an unexpected observed_drift.
 */
let tmp: TempDir;
let runtime: Runtime;
let manifest: ExpectedManifest;
let report: Report;

beforeAll(async () => {
  tmp = makeTempDir("demo-ground-truth");
  const events = tmp.file("events.ndjson");
  ({ manifest } = await writeDemoFiles({ events: DEMO_DEFAULTS.events }, events, tmp.file("expected.json")));
  const bundle = tmp.file("bundle.tar.gz");
  buildBundle({ out: bundle });
  const loaded = loadConfig(DEMO_CONFIG_FILE);
  const withFreshBundle = {
    ...loaded,
    config: { ...loaded.config, policy: { ...loaded.config.policy, bundle } },
  };
  runtime = await loadRuntime(withFreshBundle, { [LEGACY_JWT_SECRET_ENV]: DEMO_LEGACY_JWT_SECRET });
  report = await runReplay(runtime, { inputs: [events], maxListedFindings: 1_000_000 });
}, 180_000);

afterAll(() => {
  runtime?.close();
  tmp?.remove();
});

const counted = (keys: string[]) => {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a.localeCompare(b));
};

describe("replaying the default demo traffic", () => {
  it("counts what the manifest counts", () => {
    const { lines: _lines, ...totals } = manifest.totals;
    expect(report.totals).toEqual(totals);
    expect(report.mismatchesTruncated).toBe(false);
  });

  it("reports every planted finding and nothing else", () => {
    const key = (f: { correlationId: string; kind: string; side: string | null; cohort: string }) =>
      `${f.correlationId} ${f.kind} ${f.side ?? "-"} ${f.cohort}`;
    expect(counted(report.mismatches.map(key))).toEqual(counted(manifest.findings.map(key)));
  });

  it("rejects the planted lines, naming file, line and reason", () => {
    const rejected = [...report.rejected].sort((a, b) => a.line - b.line);
    expect(rejected.map((r) => r.line)).toEqual(manifest.rejected.map((r) => r.line));
    rejected.forEach((r, i) => {
      expect(r.reason).toContain(manifest.rejected[i]?.reasonContains);
      expect(r.file).toContain("events.ndjson");
    });
  });

  it("gives each cohort the evidence the manifest expects", () => {
    for (const cohort of report.cohorts) {
      const expected = manifest.cohorts[cohort.id];
      expect(expected, cohort.id).toBeDefined();
      expect(cohort.gate.evidence, cohort.id).toEqual({
        pairs: expected?.pairs,
        mismatchedPairs: expected?.mismatchedPairs,
        overPermission: expected?.overPermission,
        unpaired: expected?.unpaired,
        observedDriftPairs: expected?.observedDriftPairs,
      });
      expect(cohort.mismatches, cohort.id).toEqual(expected?.findings);
    }
  });

  it("passes, fails and withholds the gates as docs/demo.md describes", () => {
    const statuses = Object.fromEntries(report.cohorts.map((c) => [c.id, c.gate.status]));
    const expected: Record<string, GateStatus> = {
      "break-glass": "fail",
      "service-accounts": "fail",
      partners: "insufficient_evidence",
      admins: "pass",
      billing: "fail",
      clinicians: "pass",
      nurses: "fail",
      caregivers: "fail",
      patients: "pass",
    };
    expect(statuses).toEqual(expected);
  });
});

describe("latent drift in the replay report", () => {
  it("finds every planted latent difference for every principal of its cohort, and no other latent over-permission", () => {
    expect(report.latent).toBeDefined();
    if (report.latent) expectPlantedLatent(report.latent, manifest);
  });

  it("fails the nurses' gate on the latent over-permission, as over the store", () => {
    const nurses = report.cohorts.find((c) => c.id === "nurses");
    expect(nurses?.gate.reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^1 latent over-permission > allowed 0 .*write lab_result \(care-team/),
      ]),
    );
  });
});

describe("root causes of the planted decision mismatches", () => {
  /** What the demo plants, and so what the 2 x 2 must find (docs/demo.md). */
  const CAUSE_OF: Readonly<Record<string, string>> = {
    "finance-role-too-broad": "policy_logic",
    "break-glass-missing": "policy_logic",
    "proxy-not-migrated": "claim_mapping",
    "service-tenant-claim-missing": "claim_mapping",
    "jit-without-legacy-sub": "claim_mapping",
  };

  it("attributes each over- and under-permission to the planted defect's kind of cause", () => {
    const planted = new Map(manifest.findings.map((f) => [`${f.correlationId} ${f.kind}`, f.planted]));
    const decisions = report.mismatches.filter(
      (f) => f.kind === "over_permission" || f.kind === "under_permission",
    );
    expect(decisions.length).toBeGreaterThan(100);
    const wrong = decisions
      .map((f) => ({ f, want: CAUSE_OF[planted.get(`${f.correlationId} ${f.kind}`) ?? ""] }))
      .filter(({ f, want }) => f.cause !== want)
      .map(
        ({ f, want }) =>
          `${f.correlationId} ${f.kind} (${planted.get(`${f.correlationId} ${f.kind}`)}): ${f.cause} != ${want}`,
      );
    expect(wrong).toEqual([]);
    const causes = new Set(decisions.map((f) => f.cause));
    expect([...causes].sort()).toEqual(["claim_mapping", "policy_logic"]);
    expect(
      report.mismatches.filter(
        (f) => f.kind !== "over_permission" && f.kind !== "under_permission" && f.cause,
      ),
    ).toEqual([]);
  });
});
