import { describe, expect, it } from "vitest";
import type { Finding } from "../contracts/index.js";
import type { PairOutcome } from "../diff/pair-outcome.js";
import type { Claims } from "../identity/claims.js";
import type { TokenVerifier } from "../identity/verification-result.js";
import type { CohortStatus } from "../promotion/cohort-status.js";
import { sampleGateEvaluation } from "../report/gate/gate-evaluation.fixture.js";
import { createServiceMetrics } from "./catalog.js";
import { clearGateGauges, setGateGauges } from "./gate-gauges.js";
import { metricsInstruments } from "./instrumented-runtime.js";
import { outcomeObserver } from "./observe-outcome.js";

/** The value of one series in the registry's text output, or undefined. */
async function sample(
  m: ReturnType<typeof createServiceMetrics>,
  series: string,
): Promise<number | undefined> {
  const text = await m.registry.metrics();
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const finding = (kind: Finding["kind"], severity: Finding["severity"]): Finding => ({
  correlationId: "secret-correlation-id",
  cohort: "nurses",
  kind,
  severity,
  side: null,
  action: "write",
  resourceType: "prescription",
  legacy: { allow: false, ruleId: null },
  new: { allow: true, reasons: [] },
  detail: "",
  observedAt: "2026-12-01T00:00:00.000Z",
});

const outcome = (over: Partial<PairOutcome>): PairOutcome => ({
  correlationId: "secret-correlation-id",
  cohort: "nurses",
  paired: true,
  onlySide: null,
  legacy: null,
  new: null,
  findings: [],
  mismatch: false,
  observedDrift: false,
  subjects: { legacy: "nurse-7", new: "nurse-7" },
  ...over,
});

describe("the service metrics", () => {
  it("count pairs by outcome, unpaired by side and findings by kind, with no id in any label", async () => {
    const m = createServiceMetrics();
    const observe = outcomeObserver(m);
    observe(outcome({}));
    observe(outcome({ mismatch: true, findings: [finding("over_permission", "critical")] }));
    observe(outcome({ observedDrift: true, findings: [finding("observed_drift", "medium")] }));
    observe(outcome({ paired: false, onlySide: "new", findings: [finding("unpaired", "medium")] }));
    expect(await sample(m, 'entitlement_diff_pairs_evaluated_total{cohort="nurses",outcome="match"}')).toBe(
      1,
    );
    expect(
      await sample(m, 'entitlement_diff_pairs_evaluated_total{cohort="nurses",outcome="mismatch"}'),
    ).toBe(1);
    expect(
      await sample(m, 'entitlement_diff_pairs_evaluated_total{cohort="nurses",outcome="drift_only"}'),
    ).toBe(1);
    expect(await sample(m, 'entitlement_diff_unpaired_total{cohort="nurses",side="new"}')).toBe(1);
    expect(
      await sample(
        m,
        'entitlement_diff_findings_total{cohort="nurses",kind="over_permission",severity="critical"}',
      ),
    ).toBe(1);
    const text = await m.registry.metrics();
    expect(text).not.toContain("secret-correlation-id");
    expect(text).not.toContain("nurse-7");
    expect(text).toContain("process_cpu_seconds_total");
  });

  it("time the rules and the policy, and count refused tokens by side and reason", async () => {
    const m = createServiceMetrics();
    const instruments = metricsInstruments(m);
    const refusing: TokenVerifier = {
      verify: async () => ({ ok: false, reason: "wrong_audience", detail: "aud" }),
    };
    const verify = instruments.verifier("new", refusing);
    await verify.verify("t", 0);
    await verify.verify("t", 0);
    const legacy = instruments.legacy({ rulesSha256: "r", decide: () => ({ allow: true, ruleId: "x" }) });
    expect(legacy.decide({} as Claims, { action: "read", resource: { type: "chart" }, context: {} })).toEqual(
      {
        allow: true,
        ruleId: "x",
      },
    );
    const policy = instruments.policy({
      entrypoint: "authz/decision",
      bundleSha256: "b",
      evaluate: () => ({ allow: false, reasons: [] }),
    });
    policy.evaluate({ token: {} as Claims, action: "read", resource: {}, context: {} });
    expect(
      await sample(
        m,
        'entitlement_diff_token_verification_failures_total{side="new",reason="wrong_audience"}',
      ),
    ).toBe(2);
    expect(await sample(m, 'entitlement_diff_evaluation_duration_seconds_count{stage="legacy"}')).toBe(1);
    expect(await sample(m, 'entitlement_diff_evaluation_duration_seconds_count{stage="opa"}')).toBe(1);
    expect(policy.bundleSha256).toBe("b");
  });

  it("set one-hot gate status and stage gauges and the gate's rates against its threshold", async () => {
    const m = createServiceMetrics();
    const gate = {
      ...sampleGateEvaluation(),
      lifecycle: { lifetimeDrift: 0, sessionDrift: 3, claimDrift: 1 },
      setAside: { requests: 2, examples: ["c-1", "c-2"] },
    };
    const status: CohortStatus = {
      cohort: "caregivers",
      stage: "canary",
      stageSince: null,
      gate,
      lastRecorded: null,
    };
    setGateGauges(m, [status]);
    expect(await sample(m, 'entitlement_diff_gate_status{cohort="caregivers",status="fail"}')).toBe(1);
    expect(await sample(m, 'entitlement_diff_gate_status{cohort="caregivers",status="pass"}')).toBe(0);
    expect(await sample(m, 'entitlement_diff_cohort_stage{cohort="caregivers",stage="canary"}')).toBe(1);
    expect(await sample(m, 'entitlement_diff_cohort_stage{cohort="caregivers",stage="live"}')).toBe(0);
    expect(await sample(m, 'entitlement_diff_gate_mismatch_rate_upper_bound{cohort="caregivers"}')).toBe(
      0.0068,
    );
    expect(await sample(m, 'entitlement_diff_gate_max_mismatch_rate{cohort="caregivers"}')).toBe(0.005);
    expect(
      await sample(m, 'entitlement_diff_lifecycle_sessions{cohort="caregivers",kind="session_drift"}'),
    ).toBe(3);
    expect(
      await sample(m, 'entitlement_diff_lifecycle_sessions{cohort="caregivers",kind="claim_drift"}'),
    ).toBe(1);
    expect(await sample(m, 'entitlement_diff_gate_set_aside_requests{cohort="caregivers"}')).toBe(2);
    clearGateGauges(m);
    expect(await sample(m, 'entitlement_diff_gate_set_aside_requests{cohort="caregivers"}')).toBeUndefined();
    expect(
      await sample(m, 'entitlement_diff_lifecycle_sessions{cohort="caregivers",kind="session_drift"}'),
    ).toBeUndefined();
    expect(
      await sample(m, 'entitlement_diff_gate_status{cohort="caregivers",status="fail"}'),
    ).toBeUndefined();
  });

  it("keep each service's metrics apart (one registry each)", async () => {
    const a = createServiceMetrics();
    const b = createServiceMetrics();
    a.storeWriteFailures.inc();
    expect(await sample(a, "entitlement_diff_store_write_failures_total")).toBe(1);
    expect(await sample(b, "entitlement_diff_store_write_failures_total")).toBe(0);
  });
});
