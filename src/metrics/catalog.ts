import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * Every metric the service exports (docs/metrics.md is the same list in words). One registry per
 * service, so several services in one process (tests) never collide, and a scrape shows exactly
 * this service. Labels are low-cardinality by construction: no id ever becomes a label.
 */
export function createServiceMetrics(registry = new Registry()) {
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name: `entitlement_diff_${name}`, help, labelNames, registers });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Gauge<L>({ name: `entitlement_diff_${name}`, help, labelNames, registers });
  return {
    registry,
    eventsConsumed: counter("events_consumed_total", "Mirrored events taken in (Kafka and HTTP)", ["side"]),
    eventsRejected: counter("events_rejected_total", "Events not evaluated, by reason", ["reason"]),
    deadLetters: counter("dead_letters_total", "Messages written to the dead-letter topic, by reason", [
      "reason",
    ]),
    deadLetterSendFailures: counter(
      "dead_letter_send_failures_total",
      "Sends to the dead-letter topic that failed (each is retried; its message's offset stays uncommitted)",
      [],
    ),
    deadLettersUnsent: gauge(
      "dead_letters_unsent",
      "Dead letters taken and not yet acknowledged by the dead-letter topic (sending or retrying)",
      [],
    ),
    deadLetterOldestUnsentSeconds: gauge(
      "dead_letter_oldest_unsent_seconds",
      "How long the oldest unsent dead letter has waited (0 when none waits); its offset holds its partition's commits",
      [],
    ),
    pairsEvaluated: counter("pairs_evaluated_total", "Pairs diffed, by cohort and outcome", [
      "cohort",
      "outcome",
    ]),
    unpaired: counter("unpaired_total", "Requests seen on one side only", ["cohort", "side"]),
    findings: counter("findings_total", "Findings by cohort, kind and severity", [
      "cohort",
      "kind",
      "severity",
    ]),
    verificationFailures: counter("token_verification_failures_total", "Tokens refused, by side and reason", [
      "side",
      "reason",
    ]),
    verifications: counter(
      "token_verifications_total",
      "Tokens checked with jose (signature, claims), not answered from a verification cache, by side",
      ["side"],
    ),
    evaluationSeconds: new Histogram<"stage">({
      name: "entitlement_diff_evaluation_duration_seconds",
      help: "Time of one evaluation: legacy rules, OPA policy, or the whole diff of a pair",
      labelNames: ["stage"],
      // Microseconds to tens of milliseconds: the Wasm policy and the rules are fast, a pair
      // with two fresh token verifications is slower.
      buckets: [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1],
      registers,
    }),
    storeBatchSeconds: new Histogram({
      name: "entitlement_diff_store_batch_duration_seconds",
      help: "Time of one successful store batch write",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    storeWriteFailures: counter("store_write_failures_total", "Failed store batch writes (retried)", []),
    differWorkerExits: counter(
      "differ_worker_exits_total",
      "Differ worker threads that ended and were replaced: exited (crashed), or unresponsive (terminated after evaluation.workerTimeoutSeconds without an answer)",
      ["reason"],
    ),
    pendingEvents: gauge("pending_events", "Events waiting in the pairing windows", []),
    consumerLag: gauge("consumer_lag", "Messages not yet committed by the group", ["topic", "partition"]),
    gateStatus: gauge("gate_status", "1 for the cohort's current gate status, 0 for the others", [
      "cohort",
      "status",
    ]),
    gateMismatchRate: gauge("gate_mismatch_rate", "The gate's mismatch rate after waivers", ["cohort"]),
    gateUpperBound: gauge(
      "gate_mismatch_rate_upper_bound",
      "One-sided Wilson upper bound of the gate's mismatch rate",
      ["cohort"],
    ),
    gateMaxMismatchRate: gauge("gate_max_mismatch_rate", "The cohort's maxMismatchRate", ["cohort"]),
    gateUnpairedRate: gauge("gate_unpaired_rate", "The gate's unpaired rate", ["cohort"]),
    gateDriftRate: gauge("gate_observed_drift_rate", "The gate's observed drift rate", ["cohort"]),
    lifecycleSessions: gauge(
      "lifecycle_sessions",
      "Sessions of the cohort with a token lifecycle finding of the kind in the gate window",
      ["cohort", "kind"],
    ),
    gateSetAside: gauge(
      "gate_set_aside_requests",
      "Requests set aside unjudged in the cohort's gate window: the same for every cohort (their cohort was never read); each holds the gate at insufficient_evidence",
      ["cohort"],
    ),
    cohortStage: gauge("cohort_stage", "1 for the cohort's current stage, 0 for the others", [
      "cohort",
      "stage",
    ]),
    deployedInfo: gauge("deployed_info", "The versions this process judges with (always 1)", [
      "policy_bundle_sha256",
      "legacy_rules_sha256",
    ]),
  };
}

export type ServiceMetrics = ReturnType<typeof createServiceMetrics>;
