import { afterAll, beforeAll, bench, describe } from "vitest";
import { BatchWriter } from "../../src/store/batch-writer.js";
import { listCohorts } from "../../src/store/cohort-counts.js";
import { readGateEvidence } from "../../src/store/gate-evidence.js";
import { openStoreOn, type Store } from "../../src/store/open-store.js";
import { createPseudonymizer } from "../../src/store/pseudonymize.js";
import { storeSink } from "../../src/store/write-rows.js";
import { type FreshDriver, freshEmbedded } from "./fresh-store.js";
import { POLICY_A, RULES_A, storedOutcome, T0 } from "./outcome-fixtures.js";

/**
 * Store figures on the embedded engine: write throughput through the whole path (mapping,
 * pseudonymization, batching, JSONEachRow inserts into both tables) and gate-evidence latency
 * over 1M stored outcomes spread over 7 days in 5 cohorts, 10% of them delivered twice.
 * Run: npx vitest bench --run test/store
 */
const OUTCOMES = Number(process.env.STORE_BENCH_OUTCOMES ?? 1_000_000);
const SPAN_MS = 7 * 24 * 3_600_000;
const COHORTS = ["clinicians", "patients", "caregivers", "billing", "partners"];

function outcome(i: number) {
  const unpaired = i % 50 === 0;
  const kind =
    i % 100 === 1
      ? "under_permission"
      : i % 1_000 === 2
        ? "over_permission"
        : i % 300 === 3
          ? "observed_drift"
          : null;
  return storedOutcome({
    correlationId: `bench-${i}`,
    cohort: COHORTS[i % COHORTS.length],
    atMs: T0 + Math.floor((i / OUTCOMES) * SPAN_MS),
    ...(unpaired ? { onlySide: "new" as const } : {}),
    kinds: kind === null ? undefined : [{ kind, side: kind === "observed_drift" ? "legacy" : null }],
    legacyAllow: kind !== "over_permission",
    newAllow: kind !== "under_permission",
    legacySubject: `subject-${i % 20_000}`,
    newSubject: `user-${i % 20_000}`,
    resourceId: `record-${i % 100_000}`,
  });
}

let fresh: FreshDriver;
let store: Store;

beforeAll(async () => {
  fresh = await freshEmbedded();
  store = await openStoreOn(fresh.driver, { database: fresh.database, retentionDays: 30 });
  const writer = new BatchWriter(storeSink(store), createPseudonymizer(new Uint8Array(32).fill(3)), {
    maxRows: 5_000,
    maxDelayMs: 500,
  });
  // Outcomes are built in chunks outside the clock: building test fixtures is not the store's cost.
  const total = OUTCOMES + OUTCOMES / 10;
  const CHUNK = 50_000;
  let writingMs = 0;
  let withFindings = 0;
  for (let from = 0; from < total; from += CHUNK) {
    const chunk = [];
    for (let n = from; n < Math.min(total, from + CHUNK); n++) {
      const o = outcome(n < OUTCOMES ? n : (n - OUTCOMES) * 10);
      if (o.findings.length > 0) withFindings++;
      chunk.push(o);
    }
    const started = performance.now();
    let pending: Promise<void>[] = [];
    for (const o of chunk) {
      pending.push(writer.write(o));
      // Like a consumer: stop feeding while the writer asks to pause.
      if (writer.paused) {
        await Promise.all(pending);
        pending = [];
      }
    }
    await Promise.all(pending);
    writingMs += performance.now() - started;
  }
  const started = performance.now();
  await writer.close();
  writingMs += performance.now() - started;
  const seconds = writingMs / 1_000;
  console.log(
    `wrote ${total.toLocaleString("en")} outcomes (${OUTCOMES.toLocaleString("en")} distinct, ${withFindings.toLocaleString("en")} with findings) in ${seconds.toFixed(1)} s: ${Math.round(total / seconds).toLocaleString("en")} outcomes/s`,
  );
}, 600_000);

afterAll(async () => {
  await fresh?.dispose();
});

const week = { since: new Date(T0), until: new Date(T0 + SPAN_MS) };

async function partsPerPartition(): Promise<number> {
  const [row] = await store.driver.query<{ n: number | string }>(
    `SELECT max(c) AS n FROM (SELECT count() AS c FROM system.parts
     WHERE database = {database:String} AND table = 'pair_outcomes' AND active GROUP BY partition)`,
    { database: store.tables.database },
  );
  return Number(row?.n ?? 0);
}

let merged = false;

/** OPTIMIZE skips partitions whose parts a background merge holds: repeat until one part each. */
async function mergeAll(): Promise<void> {
  if (merged) return;
  for (let attempt = 0; attempt < 60 && (await partsPerPartition()) > 1; attempt++) {
    await store.driver.command(`OPTIMIZE TABLE ${store.tables.outcomes} FINAL`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  const parts = await partsPerPartition();
  if (parts > 1) throw new Error(`still ${parts} parts in a partition after OPTIMIZE`);
  merged = true;
}

function readBenches(extra: { setup?: () => Promise<void> } = {}): void {
  bench(
    "readGateEvidence, one cohort, 7 days",
    async () => {
      await readGateEvidence(store, { cohort: "clinicians", ...week });
    },
    { iterations: 20, time: 0, ...extra },
  );
  bench(
    "readGateEvidence, one cohort, 7 days, pinned to hashes",
    async () => {
      await readGateEvidence(store, {
        cohort: "clinicians",
        ...week,
        policyBundleSha256: POLICY_A,
        legacyRulesSha256: RULES_A,
      });
    },
    { iterations: 20, time: 0, ...extra },
  );
  bench(
    "readGateEvidence, one cohort, last 24 h",
    async () => {
      await readGateEvidence(store, {
        cohort: "clinicians",
        since: new Date(T0 + SPAN_MS - 86_400_000),
        until: week.until,
      });
    },
    { iterations: 20, time: 0, ...extra },
  );
  bench(
    "listCohorts, all retained",
    async () => {
      await listCohorts(store);
    },
    { iterations: 10, time: 0, ...extra },
  );
}

describe(`${OUTCOMES.toLocaleString("en")} stored outcomes, right after writing (merges pending)`, () =>
  readBenches());

describe(`${OUTCOMES.toLocaleString("en")} stored outcomes, merged (steady state of older data)`, () => {
  // Describe-level hooks do not run before benches in vitest's bench mode; a task setup does.
  readBenches({ setup: mergeAll });
});
