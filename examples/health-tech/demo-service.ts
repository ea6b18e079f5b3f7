import { join } from "node:path";
import type { LoadedConfig } from "../../src/config/load-config.js";
import type { ApiRole } from "../../src/contracts/index.js";
import type { Logger } from "../../src/logging/logger.js";
import { type CohortStatus, cohortStatuses } from "../../src/promotion/cohort-status.js";
import { deployedVersions } from "../../src/promotion/deployed-versions.js";
import { loadLocalSigningKey, localSigningConfig } from "../../src/server/auth/local-signing-key.js";
import { mintApiToken } from "../../src/server/auth/mint-api-token.js";
import { httpOnlyParts } from "../../src/service/http-only-parts.js";
import { type RunningService, startService } from "../../src/service/run-service.js";
import { createHttpMirrorProducer } from "../../src/simulate/http-mirror-producer.js";
import { type SimulationSummary, simulateTraffic } from "../../src/simulate/simulate-traffic.js";
import { DEMO_PSEUDONYM_KEY } from "./demo-secrets.js";

export interface DemoServiceOptions {
  loaded: LoadedConfig;
  env: Record<string, string | undefined>;
  log: Logger;
  /** Where the embedded store lives (kept between runs). */
  storeDir: string;
  host: string;
  port: number;
  /** The simulator's pace and length: the traffic the pages show. */
  eventsPerSecond: number;
  durationSeconds: number;
  legacySecret: string;
  signal?: AbortSignal;
}

export interface DemoService {
  service: RunningService;
  url: string;
  /** A reviewer token for the login page (12 hours). */
  reviewerToken: string;
  /** The simulator posting over HTTP, as a gateway that mirrors over HTTP would. */
  traffic: Promise<SimulationSummary>;
  /** Every cohort's stage and gate now, from the store. */
  status(): Promise<CohortStatus[]>;
}

/**
 * The whole experience on the embedded store: `serve` without Kafka (HTTP ingest only), the review
 * API and pages on it, and the simulator feeding it the demo traffic over POST /api/v1/events with
 * an `ingest` token minted from the demo's local signing key.
 */
export async function startDemoService(o: DemoServiceOptions): Promise<DemoService> {
  const { config } = o.loaded;
  const loaded: LoadedConfig = {
    ...o.loaded,
    config: {
      ...config,
      store: { ...config.store, driver: "embedded", path: o.storeDir },
      server: { ...config.server, host: o.host, port: o.port },
    },
  };
  const env = { ...o.env };
  env[config.store.pseudonymKeyEnv] ||= DEMO_PSEUDONYM_KEY;
  const service = await startService({
    loaded,
    env,
    log: o.log,
    kafka: async () => httpOnlyParts(),
    port: o.port,
  });
  const url = `http://${o.host}:${service.port}`;
  const mint = await tokenMinter(loaded);
  const traffic = simulateTraffic({
    producer: createHttpMirrorProducer({ url, token: await mint("ingest", "demo-simulator") }),
    // Over HTTP the topic names only label the lines; the lifecycle events go in the same bodies.
    topics: {
      legacy: config.kafka.topics.legacy,
      new: config.kafka.topics.new,
      tokens: config.kafka.topics.tokens,
    },
    eventsPerSecond: o.eventsPerSecond,
    durationSeconds: o.durationSeconds,
    seed: 20261202,
    legacySecret: o.legacySecret,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const status = () =>
    cohortStatuses(service.store, config, deployedVersions(loaded), { evaluatedBy: "demo", now: new Date() });
  return { service, url, reviewerToken: await mint("reviewer", "demo-reviewer"), traffic, status };
}

async function tokenMinter(
  loaded: LoadedConfig,
): Promise<(role: ApiRole, subject: string) => Promise<string>> {
  const api = localSigningConfig(loaded);
  const key = await loadLocalSigningKey(loaded, api);
  return (role, subject) => mintApiToken(api, key, { subject, roles: [role], ttlSeconds: 12 * 3_600 });
}

/** The demo's store folder, next to the replay's report. */
export function demoStoreDir(outDir: string): string {
  return join(outDir, "demo-store");
}
