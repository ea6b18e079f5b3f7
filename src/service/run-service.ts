import type { Server } from "node:http";
import { dirname, resolve } from "node:path";
import type { Router } from "express";
import type { LoadedConfig } from "../config/load-config.js";
import type { Side } from "../contracts/index.js";
import { createKafkaStagePublisher } from "../ingest/kafka/kafka-stage-publisher.js";
import type {
  DeadLetterSink,
  LagProbe,
  MirrorConsumer,
  PartitionLag,
} from "../ingest/kafka/mirror-consumer.js";
import type { Logger } from "../logging/logger.js";
import { createServiceMetrics, type ServiceMetrics } from "../metrics/catalog.js";
import { clearGateGauges, setGateGauges } from "../metrics/gate-gauges.js";
import { metricsInstruments } from "../metrics/instrumented-runtime.js";
import { outcomeObserver } from "../metrics/observe-outcome.js";
import { cohortStatuses } from "../promotion/cohort-status.js";
import { deployedVersions } from "../promotion/deployed-versions.js";
import { createReviewService } from "../review/review-service.js";
import { loadRuntime, type Runtime } from "../runtime/load-runtime.js";
import { createWorkerPool } from "../runtime/worker-pool.js";
import { createApp, type GuardedRoute, type Readiness } from "../server/app.js";
import { type ApiAuth, loadApiAuth } from "../server/auth/load-api-auth.js";
import { createPagesRouter } from "../server/pages/pages-router.js";
import { reviewOpenApiDocument } from "../server/review/openapi.js";
import { reviewRoutes } from "../server/review/review-routes.js";
import { BatchWriter } from "../store/batch-writer.js";
import { openStore, type Store } from "../store/open-store.js";
import { pseudonymizerFromEnv } from "../store/pseudonymize.js";
import { storedPairs } from "../store/stored-pairs.js";
import { type RowSink, storeSink } from "../store/write-rows.js";
import { createLocalEvaluator, type Evaluator } from "../stream/evaluator.js";
import { OffsetCommitter } from "../stream/offset-committer.js";
import { createOutcomeMaker } from "../stream/outcome-maker.js";
import { StreamPipeline } from "../stream/stream-pipeline.js";
import { Backpressure } from "./backpressure.js";
import { kafkaBrokers } from "./kafka-brokers.js";
import { lifecyclePartsOf } from "./lifecycle-parts.js";
import {
  CLOSE_WAIT_MS,
  FINAL_COMMIT_WAIT_MS,
  STOP_ABORT_WAIT_MS,
  STOP_STORE_WAIT_MS,
  settlesWithin,
} from "./stop-waits.js";
import { watchDeadLetters } from "./watched-dead-letters.js";

/** The Kafka side, built by the caller (kafkajs today; see docs/kafka.md for swapping it). */
export interface KafkaParts {
  consumer: MirrorConsumer;
  deadLetters: DeadLetterSink;
  lag: LagProbe;
}

/** The topics the service consumes: both sides' mirrors and, with a lifecycle section, the tokens topic. */
export type MirrorTopics = Readonly<Record<Side, string>> & { readonly tokens?: string };

export interface ServiceOptions {
  loaded: LoadedConfig;
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
  kafka: (topics: MirrorTopics) => Promise<KafkaParts>;
  /** Listen port override (tests use 0 for a free one). */
  port?: number;
  /** An already open store to share (e.g. two group members in one process); not closed by `stop`. */
  store?: Store;
  /** Longest a stop waits for the store to take the outcomes in hand; STOP_STORE_WAIT_MS by default. */
  stopStoreWaitMs?: number;
  /** Wraps the row sink, e.g. to inject store failures in tests. */
  wrapSink?: (sink: RowSink) => RowSink;
  /** Stands between the pipeline and its evaluator (fault injection in tests). */
  wrapEvaluator?: (evaluator: Evaluator) => Evaluator;
  /** The service's metrics; a registry of its own by default (GET /metrics). */
  metrics?: ServiceMetrics;
}

export interface RunningService {
  readonly port: number;
  /** The configuration it runs with. */
  readonly loaded: LoadedConfig;
  readonly pipeline: StreamPipeline;
  readonly store: Store;
  readonly writer: BatchWriter;
  readonly metrics: ServiceMetrics;
  /** Graceful: stop fetching, store what is ready, commit, disconnect. */
  stop(): Promise<void>;
  /** Resolves when the service stops by itself (a fatal consumer error); with the exit code. */
  readonly stopped: Promise<number>;
  /** The error that stopped it by itself, if one did. */
  readonly fatalError: string | undefined;
}

/**
 * `serve`: mirrored events from Kafka (and HTTP) through pairing and the pure diff into the store,
 * committing offsets only once everything derived from them is durable.
 */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { loaded, env, log } = options;
  const { config } = loaded;
  // Before anything that must be closed again: a bad api key file fails the start cleanly.
  const auth = loadApiAuth(loaded);
  if (!auth)
    log.warn("no api section: the review API is off and POST /api/v1/events takes unauthenticated events");
  const metrics = options.metrics ?? createServiceMetrics();
  const runtime = await loadRuntime(loaded, env, metricsInstruments(metrics));
  const pool =
    config.evaluation.workers > 0
      ? await createWorkerPool({
          workers: config.evaluation.workers,
          configFile: resolve(loaded.file),
          env: { ...env },
          metrics,
          expected: runtime.provenance,
          onWorkerProblem: (message) => log.error(message),
          onWorkerExit: (reason) => metrics.differWorkerExits.inc({ reason }),
          answerTimeoutMs: config.evaluation.workerTimeoutSeconds * 1000,
        })
      : undefined;
  if (!pool)
    log.warn(
      "evaluation.workers is 0: the diff runs on the main thread, where no watchdog can catch an evaluation that never ends (it would wedge the service); set evaluation.workers to 1 or more in production",
    );
  // Both series from the start, so that increase() sees the first replacement of each kind.
  for (const reason of ["exited", "unresponsive"]) metrics.differWorkerExits.labels({ reason }).inc(0);
  metrics.eventsRejected.labels({ reason: "set_aside" }).inc(0); // PairsSetAside: increase() sees the first
  metrics.deployedInfo.set(
    {
      policy_bundle_sha256: runtime.provenance.policyBundleSha256,
      legacy_rules_sha256: runtime.provenance.legacyRulesSha256,
    },
    1,
  );
  const ownStore = options.store === undefined;
  const store =
    options.store ??
    (await openStore(config.store, { baseDir: dirname(resolve(loaded.file)), env: { ...env } }));
  log.info({ store: config.store.driver, migration: store.migration }, "store ready");
  const pseudonymizer = pseudonymizerFromEnv(config.store.pseudonymKeyEnv, { ...env });
  const writer = new BatchWriter(
    timedSink(options.wrapSink ? options.wrapSink(storeSink(store)) : storeSink(store), metrics),
    pseudonymizer,
    {
      ...config.store.batch,
      onRetry: (f) => {
        metrics.storeWriteFailures.inc();
        log.warn(
          { attempt: f.attempt, delayMs: f.delayMs, rows: f.rows, err: String(f.error) },
          "store write failed; retrying",
        );
      },
    },
  );
  const reviewApi = auth ? openReviewApi(loaded, store, auth, env, log, metrics) : undefined;
  const topics: MirrorTopics = {
    legacy: config.kafka.topics.legacy,
    new: config.kafka.topics.new,
    ...(config.lifecycle ? { tokens: config.kafka.topics.tokens } : {}),
  };
  const kafka = await options.kafka(topics);
  let lastLag: PartitionLag[] = [];
  let lastLagAt = 0;
  const lifecycle = lifecyclePartsOf({
    runtime,
    store,
    writeFact: (fact) => writer.writeFact(fact),
    pseudonymizer,
    // HTTP: what this process accepted and has not stored yet. Kafka: a lag older than a few
    // probes is not known any more (the probe failing, the brokers away).
    lagOf: (source) => {
      if (source === "http") return { remaining: pipeline.httpTokenEventsInFlight, ageMs: 0 };
      const ageMs = Date.now() - lastLagAt;
      if (ageMs > 5_000) return undefined;
      const lag = lastLag.find((p) => `${p.topic}/${p.partition}` === source)?.lag;
      return lag === undefined ? undefined : { remaining: lag, ageMs };
    },
  });
  const deadLetters = watchDeadLetters(kafka.deadLetters, () => metrics.deadLetterSendFailures.inc());
  const windowMs = config.pairing.windowSeconds * 1000;
  const pairSeconds = metrics.evaluationSeconds.labels({ stage: "pair" });
  const consumed = {
    legacy: metrics.eventsConsumed.labels({ side: "legacy" }),
    new: metrics.eventsConsumed.labels({ side: "new" }),
  };
  const evaluator =
    pool ??
    createLocalEvaluator(
      createOutcomeMaker({ differ: runtime.differ, provenance: runtime.provenance, pseudonymizer }),
    );
  const pipeline = new StreamPipeline({
    evaluator: options.wrapEvaluator ? options.wrapEvaluator(evaluator) : evaluator,
    sink: writer,
    deadLetters,
    window: { windowMs, maxPending: config.pairing.maxPending },
    topics: { legacy: topics.legacy, new: topics.new },
    pairedAlready: (probes) => storedPairs(store, probes, windowMs),
    onAccepted: (side) => consumed[side].inc(),
    onPairDiffed: (seconds) => pairSeconds.observe(seconds),
    onOutcome: outcomeObserver(metrics),
    onRejected: (reason, origin, category) => {
      metrics.eventsRejected.inc({ reason: category });
      if (origin) metrics.deadLetters.inc({ reason: category });
      // A set-aside event was valid: it is missing from the gate, not merely malformed.
      log[category === "set_aside" ? "error" : "warn"](
        { reason, topic: origin?.topic, partition: origin?.partition, offset: origin?.offset },
        "event rejected",
      );
    },
    onError: (err) =>
      log.error(
        { err: String(err) },
        "an outcome not stored or a dead letter not sent: retried, its offset stays uncommitted",
      ),
    ...(lifecycle ? { lifecycle: lifecycle.intake } : {}),
  });
  const sweeping = lifecycle?.startSweeping((err) =>
    log.warn({ err: String(err) }, "session sweep failed; the next one judges the same sessions"),
  );
  const backpressure = new Backpressure(kafka.consumer, topics);
  let consumerRunning = false;
  let resolveStopped: (code: number) => void = () => {};
  const stopped = new Promise<number>((r) => {
    resolveStopped = r;
  });

  const committer = new OffsetCommitter(pipeline.offsets, (offsets) => kafka.consumer.commit(offsets));
  const commit = () => committer.commit();
  // Since when the brokers have answered without a break: a broker outage is no reason to give
  // up waiting events as unpaired (their partners are stuck in Kafka, not missing).
  let reachableSince = Date.now();
  /** Set while a batch handler waits for the store: fetching is held back by us, as when paused. */
  let catchingUp = false;
  const timer = setInterval(() => {
    // While we hold all fetching back ourselves, the partners of waiting events sit unread in
    // Kafka: that silence is ours, not the gateways'. (A partition held for a full window is the
    // pipeline's to know: it does not take that stream's silence for the gateways'.)
    if (backpressure.pausedEverything || !consumerRunning || catchingUp) reachableSince = Date.now();
    pipeline.tick(reachableSince);
    metrics.pendingEvents.set(pipeline.pendingEvents());
    metrics.deadLettersUnsent.set(pipeline.deadLettersUnsent);
    metrics.deadLetterOldestUnsentSeconds.set(deadLetterAgeMs() / 1000);
    backpressure.update(writer.paused || pipeline.tokenEventsBacklogged, pipeline.fullPartitions());
    // A commit still retrying (brokers away) is not queued behind: the next turn takes it all.
    if (!committer.busy)
      commit().catch((err: unknown) => log.warn({ err: String(err) }, "offset commit failed; will retry"));
  }, config.kafka.commitIntervalMs);
  // The lag probe doubles as the reachability check: a probe that fails, or hangs in kafkajs'
  // retries for more than two seconds, marks the brokers unreachable.
  let probeStartedAt: number | null = null;
  const lagTimer = setInterval(() => {
    if (probeStartedAt !== null) {
      if (Date.now() - probeStartedAt > 2_000) reachableSince = Date.now();
      return;
    }
    const startedAt = Date.now();
    probeStartedAt = startedAt;
    kafka.lag
      .measure()
      .then((l) => {
        lastLag = l;
        pipeline.observeLag(l, startedAt);
        // The offsets were read after the probe started: "nothing left" holds from then on.
        lastLagAt = startedAt;
        setLagGauges(metrics, l);
      })
      .catch((err: unknown) => {
        reachableSince = Date.now();
        log.debug({ err: String(err) }, "lag probe failed");
      })
      .finally(() => {
        probeStartedAt = null;
      });
  }, 1_000);

  const stopGateGauges = refreshGateGaugesEvery(
    config.metrics.gateRefreshSeconds * 1000,
    async () =>
      setGateGauges(
        metrics,
        await cohortStatuses(store, config, deployedVersions(loaded), {
          evaluatedBy: "metrics",
          now: new Date(),
        }),
      ),
    (err) => {
      clearGateGauges(metrics);
      log.warn({ err: String(err) }, "gate gauges not refreshed: cleared until the store answers");
    },
  );
  const readiness = (): Readiness => ({
    // Not the dead letters: the HTTP intake does not need their topic, and every member shares it
    // (all would leave the load balancer at once). DeadLettersNotSent alerts on them instead.
    ready: consumerRunning && writer.healthy,
    checks: {
      kafka: { ok: consumerRunning },
      store: { ok: writer.healthy, detail: writer.stats().lastError ?? undefined },
      deadLetters: { ok: !pipeline.deadLettersHoldIntake, detail: deadLetterDetail() },
      lag: { ok: true, detail: String(lastLag.reduce((n, p) => n + p.lag, 0)) },
    },
  });
  const deadLetterAgeMs = () => {
    const oldest = pipeline.oldestUnsentDeadLetterMs;
    return oldest === undefined ? 0 : Math.max(0, Date.now() - oldest);
  };
  const deadLetterDetail = () => {
    const parts = [`${pipeline.deadLettersUnsent} unsent`];
    if (pipeline.deadLettersUnsent > 0)
      parts.push(`the oldest for ${Math.round(deadLetterAgeMs() / 1000)} s`);
    if (pipeline.deadLettersHoldIntake) parts.push("the Kafka intake waits for them");
    const failure = deadLetters.latestFailure;
    if (failure) parts.push(`latest failure at ${new Date(failure.atMs).toISOString()}: ${failure.error}`);
    return parts.join("; ");
  };
  let stopRequested = false;
  const app = createApp({
    config: config.server,
    intake: (e, fingerprint) => {
      if (e.kind === "authz") {
        pipeline.acceptEvent(e, fingerprint);
        return undefined;
      }
      const refused = pipeline.tokenEventsRefused;
      if (refused === undefined) void pipeline.acceptTokenEvent({ ...e, source: "http" });
      return refused;
    },
    readiness,
    accepting: () => !writer.paused && !pipeline.tokenEventsBacklogged && !stopRequested,
    log,
    auth,
    routes: reviewApi?.routes,
    openApiDocument: reviewApi?.openApiDocument,
    pages: reviewApi?.pages,
    onIngestRejected: (category) => metrics.eventsRejected.inc({ reason: category }),
  });
  const server = await listen(app.listen.bind(app), options.port ?? config.server.port, config.server.host);
  const port = addressPort(server);
  log.info({ port }, "http listening");

  let handling: Promise<void> = Promise.resolve();
  let fatalError: string | undefined;
  // Resolved by a stop that gave up on the batch in hand: kafkajs' own stop waits for the batch
  // handler to return, and its offsets stay unresolved (uncommitted) when it returns this way.
  let abandonBatch: () => void = () => {};
  const batchAbandoned = new Promise<void>((r) => {
    abandonBatch = r;
  });
  let stopping: Promise<void> | undefined;
  const stop = (code = 0) => {
    stopping ??= (async () => {
      let exitCode = code;
      stopRequested = true;
      consumerRunning = false;
      clearInterval(timer);
      clearInterval(lagTimer);
      stopGateGauges();
      // The sweep in flight (store queries), the batch in hand and the store share one wait.
      const deadline = Date.now() + (options.stopStoreWaitMs ?? STOP_STORE_WAIT_MS);
      kafka.consumer.pause();
      if (sweeping) await settlesWithin(sweeping.stop(), deadline - Date.now());
      // No new HTTP events once stopping; the batch in hand finishes before anything is flushed.
      const serverClosed = new Promise<void>((r) => server.close(() => r()));
      // Before waiting for the batch in hand: one waiting on a dead letter that keeps failing
      // would otherwise retry for good. Work that does not fail is done as usual.
      pipeline.stop();
      // The batch in hand and the store share one wait: a batch stuck on a wedged worker's decode
      // (until the pool replaces it) or on a key fetch must not hold the stop either.
      const batchFinished = await settlesWithin(handling, deadline - Date.now());
      if (!batchFinished) abandonBatch();
      let writerGivenUp = false;
      if (!batchFinished || !(await storedWithin(pipeline, writer, deadline - Date.now()))) {
        // A store still failing must not hold the stop past a container's grace period: what is
        // not stored stays uncommitted and is re-read after the restart, and the exit code says so.
        const { queuedRows, inFlightRows, healthy } = writer.stats();
        log.error(
          {
            unstoredOutcomes: queuedRows + inFlightRows,
            storeHealthy: healthy,
            batchInHandFinished: batchFinished,
            waitingOn: !batchFinished
              ? "the batch in hand (decoding its lines)"
              : healthy
                ? "work in hand (evaluations, key fetches, dead letters)"
                : "the store",
          },
          "not all outcomes in hand were stored in time: left uncommitted, re-read after the restart",
        );
        writerGivenUp = true;
        // Neither an insert in flight (an HTTP request waits up to its timeout) nor work on its
        // way to the writer may hold the stop any longer.
        await settlesWithin(writer.close(AbortSignal.abort()), STOP_ABORT_WAIT_MS);
        await settlesWithin(pipeline.drain(), STOP_ABORT_WAIT_MS);
        exitCode = exitCode || 1;
      }
      // A commit may retry through a broker outage for ~40 s; a stop must end within a
      // container's grace period. What is not committed is re-read after the restart.
      await committer
        .commitWithin(FINAL_COMMIT_WAIT_MS)
        .then((done) => done || log.warn("final commit not done in time; re-read after the restart"))
        .catch((err: unknown) => log.warn({ err: String(err) }, "final commit failed"));
      // Connections and threads: a broker that went away (a producer retrying without end) or a
      // client holding an HTTP request open must not hold the exit. Nothing of them is data.
      const closed = await settlesWithin(
        Promise.allSettled([
          kafka.consumer.stop(),
          kafka.deadLetters.close(),
          kafka.lag.close(),
          // The review API's clients (its stage publisher) only once no request uses them.
          serverClosed.then(() => reviewApi?.close()),
          pool?.close(),
        ]),
        CLOSE_WAIT_MS,
      );
      if (!closed) log.warn({ waitedMs: CLOSE_WAIT_MS }, "connections not closed in time; exiting anyway");
      if (!writerGivenUp) await writer.close();
      if (ownStore) await store.close();
      closeRuntime(runtime);
      log.info({ pendingLeftForRedelivery: pipeline.pendingEvents() }, "stopped");
      resolveStopped(exitCode);
    })();
    return stopping;
  };
  const handleBatch = async (batch: Parameters<typeof pipeline.handleBatch>[0]) => {
    if (stopRequested) return; // not resolved, so not committed: redelivered after a restart
    handling = pipeline.handleBatch(batch);
    await Promise.race([handling, batchAbandoned]);
    // A healthy store behind by a batch or two catches up within an insert: waiting here holds
    // the next fetch back just as long. Pausing the consumer instead would cost a whole fetch
    // wait (kafkajs sleeps maxWaitTime while everything is paused) each time.
    if (writer.paused && writer.healthy && !stopRequested) {
      catchingUp = true;
      try {
        await writer.whenCaughtUp(CATCH_UP_WAIT_MS);
      } finally {
        catchingUp = false;
        reachableSince = Date.now();
      }
    }
    if (!stopRequested)
      backpressure.update(writer.paused || pipeline.tokenEventsBacklogged, pipeline.fullPartitions());
  };
  const started = kafka.consumer.run(handleBatch, {
    onAssigned: (partitions) => {
      pipeline.assigned(partitions);
      log.info({ partitions }, "partitions assigned");
    },
    // Not while stopping: batches are dropped untracked then, and a position after them is not ours.
    onFiltered: (batch) => {
      if (!stopRequested) pipeline.skipFiltered(batch);
    },
    onFatal: (err) => {
      const cause = err.cause instanceof Error ? `\ncaused by ${err.cause.stack ?? String(err.cause)}` : "";
      fatalError = `${err.stack ?? String(err)}${cause}`;
      log.fatal({ err: fatalError }, "kafka consumer failed for good");
      stop(1).catch((e: unknown) => log.error({ err: String(e) }, "stop failed"));
    },
  });
  try {
    await started;
  } catch (err) {
    // e.g. topics not co-partitioned: release everything so the process can exit with the error.
    clearInterval(timer);
    clearInterval(lagTimer);
    stopGateGauges();
    await sweeping?.stop();
    await new Promise<void>((r) => server.close(() => r()));
    await Promise.allSettled([
      kafka.deadLetters.close(),
      kafka.lag.close(),
      writer.close(),
      reviewApi?.close(),
    ]);
    if (ownStore) await store.close();
    closeRuntime(runtime);
    await pool?.close();
    throw err;
  }
  consumerRunning = true;
  log.info({ topics, groupId: config.kafka.groupId }, "consuming");

  return {
    port,
    loaded,
    pipeline,
    store,
    writer,
    metrics,
    stop: () => stop(0),
    stopped,
    get fatalError() {
      return fatalError;
    },
  };
}

/**
 * The review API over the open store, judging the deployed versions; promotions go to the stages
 * topic for the traffic router. Its producer connects on the first promotion, closed by `close`.
 */
function openReviewApi(
  loaded: LoadedConfig,
  store: Store,
  auth: ApiAuth,
  env: ServiceOptions["env"],
  log: Logger,
  metrics: ServiceMetrics,
): { routes: GuardedRoute[]; openApiDocument: object; pages: Router; close(): Promise<void> } {
  const { config } = loaded;
  const deployed = deployedVersions(loaded);
  const publisher = createKafkaStagePublisher({
    brokers: kafkaBrokers(config.kafka, env),
    clientId: `${config.kafka.clientId}-stages`,
    logger: log,
    topic: config.kafka.topics.stages,
  });
  const review = createReviewService(store, config, deployed);
  return {
    routes: reviewRoutes({
      review,
      promotion: { store, config, deployed },
      publisher,
      log,
      registry: metrics.registry,
    }),
    openApiDocument: reviewOpenApiDocument(),
    pages: createPagesRouter({ review, verifier: auth.verifier, log }),
    close: () => publisher.close(),
  };
}

function closeRuntime(runtime: Runtime): void {
  runtime.close();
}

function listen(
  start: (port: number, host: string, cb: () => void) => Server,
  port: number,
  host: string,
): Promise<Server> {
  return new Promise((resolveServer, reject) => {
    const server = start(port, host, () => resolveServer(server));
    server.once("error", reject);
  });
}

function addressPort(server: Server): number {
  const a = server.address();
  return typeof a === "object" && a ? a.port : 0;
}

/**
 * Runs `refresh` now and then every `everyMs`, never two at once (a slow store must not pile
 * refreshes up); returns the stop function.
 */
function refreshGateGaugesEvery(
  everyMs: number,
  refresh: () => Promise<void>,
  onError: (err: unknown) => void,
): () => void {
  let running = false;
  const run = () => {
    if (running) return;
    running = true;
    refresh()
      .catch(onError)
      .finally(() => {
        running = false;
      });
  };
  run();
  const timer = setInterval(run, everyMs);
  return () => clearInterval(timer);
}

/**
 * Longest a batch handler waits for a congested (healthy) store before the consumer is paused:
 * well below the group's session and rebalance timeouts, and short enough not to delay a stop.
 */
const CATCH_UP_WAIT_MS = 1_000;

/** Store batch latency of successful writes; failures are counted by the writer's onRetry. */
function timedSink(sink: RowSink, metrics: ServiceMetrics): RowSink {
  return async (rows) => {
    const end = metrics.storeBatchSeconds.startTimer();
    await sink(rows);
    end();
  };
}

/** One series per partition the probe measured; partitions no longer owned drop out. */
function setLagGauges(metrics: ServiceMetrics, lag: readonly PartitionLag[]): void {
  metrics.consumerLag.reset();
  for (const p of lag) metrics.consumerLag.set({ topic: p.topic, partition: String(p.partition) }, p.lag);
}

/** Whether the pipeline's work and the writer's queue were stored within `ms`. */
async function storedWithin(pipeline: StreamPipeline, writer: BatchWriter, ms: number): Promise<boolean> {
  const stored = (async () => {
    await pipeline.drain();
    await writer.flush();
  })();
  return settlesWithin(stored, ms);
}
