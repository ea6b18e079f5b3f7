import {
  type ApiAuthConfig,
  apiAuthConfigSchema,
  configSchema,
  type StageTransition,
} from "../../src/contracts/index.js";
import { NURSE_WRITES_LABS } from "../../src/latent/latent.fixture.js";
import { createLogger } from "../../src/logging/logger.js";
import { createServiceMetrics } from "../../src/metrics/catalog.js";
import type { StagePublisher } from "../../src/promotion/promote-cohort.js";
import { createReviewService } from "../../src/review/review-service.js";
import { createApp, type GuardedRoute } from "../../src/server/app.js";
import {
  type AuthTestKit,
  authTestKit,
  listenLocally,
  TEST_API_CONFIG,
} from "../../src/server/auth/auth-test-kit.fixture.js";
import { reviewOpenApiDocument } from "../../src/server/review/openapi.js";
import { reviewRoutes } from "../../src/server/review/review-routes.js";
import type { StoreDriver } from "../../src/store/driver.js";
import { openStoreOn, type Store } from "../../src/store/open-store.js";
import { StoreError } from "../../src/store/store-errors.js";
import { storeTables } from "../../src/store/store-tables.js";
import { freshEmbedded } from "../store/fresh-store.js";
import { POLICY_A, RULES_A, storedOutcome } from "../store/outcome-fixtures.js";
import { writeOutcomes } from "../store/store-suite.js";

export const REVIEW_CONFIG = {
  cohorts: configSchema.shape.cohorts.parse([
    { id: "nurses", when: { roles: { contains: "nurse" } } },
    { id: "doctors", when: { roles: { contains: "doctor" } } },
    { id: "porters", when: { roles: { contains: "porter" } } },
  ]),
  gates: configSchema.shape.gates.parse({
    default: { minPairs: 10, maxMismatchRate: 0.2, maxUnpairedRate: 0.1, maxObservedDriftRate: 0.1 },
    window: "1d",
  }),
  latent: configSchema.shape.latent.parse({
    actions: ["read", "write"],
    resourceTypes: ["lab_result"],
    scenarios: [{ id: "care-team", resource: { careTeam: ["$legacy.sub"] } }],
  }),
};
export const DEPLOYED = { policyBundleSha256: POLICY_A, legacyRulesSha256: RULES_A };
/** Under-permissions of doctors, one drift group per action. */
export const DOCTOR_DRIFT_ACTIONS = ["read", "write", "delete"] as const;

/** The writes of these tests must not meet the rate limit (its own test is in app-auth.test.ts). */
const API_CONFIG: ApiAuthConfig = apiAuthConfigSchema.parse({
  ...TEST_API_CONFIG,
  writeRateLimitPerMinute: 100_000,
});

/** Stands in for the Kafka stages topic (published for real in the Kafka tests). */
export class RecordingPublisher implements StagePublisher {
  readonly published: StageTransition[] = [];
  /** The error the next publishes throw, while set. */
  failWith: Error | null = null;
  async publish(t: StageTransition): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.published.push(t);
  }
}

export type Caller = "reviewer" | "approver" | "gate" | "admin" | "ingest" | "none" | "expired" | "forged";

export interface ReviewApiHarness {
  base: string;
  publisher: RecordingPublisher;
  /** A stored pair with an under-permission (doctors, read). */
  pairId: string;
  headers(caller: Caller, subject?: string): Promise<Record<string, string>>;
  get(path: string, caller?: Caller): Promise<Response>;
  post(path: string, body: unknown, caller: Caller, subject?: string): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The review API as `serve` mounts it, on a fresh embedded store with the last hour's traffic:
 * nurses clean (the gate passes), doctors with under-permissions (it fails), porters none.
 */
export async function startReviewApi(): Promise<ReviewApiHarness> {
  const fresh = await freshEmbedded();
  const store = await openStoreOn(fresh.driver, { database: fresh.database, retentionDays: 30 });
  const pairId = await writeTraffic(store, Date.now());
  const kit = await authTestKit(API_CONFIG);
  const publisher = new RecordingPublisher();
  const server = await serve(kit, store, publisher);
  const headers = (caller: Caller, subject?: string) => headersFor(kit, caller, subject);
  return {
    base: server.base,
    publisher,
    pairId,
    headers,
    get: async (path, caller = "reviewer") =>
      fetch(`${server.base}${path}`, { headers: await headers(caller) }),
    post: async (path, body, caller, subject) =>
      fetch(`${server.base}${path}`, {
        method: "POST",
        headers: { ...(await headers(caller, subject)), "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    async close() {
      await server.close();
      await fresh.dispose();
    },
  };
}

/** The same app over a store whose every read fails as an unreachable server does. */
export async function startOverUnreachableStore(): Promise<Pick<ReviewApiHarness, "get" | "close">> {
  const kit = await authTestKit(API_CONFIG);
  const server = await serve(kit, unreachableStore(), new RecordingPublisher());
  return {
    get: async (path, caller = "reviewer") =>
      fetch(`${server.base}${path}`, { headers: await headersFor(kit, caller) }),
    close: () => server.close(),
  };
}

/** The routes the test apps mount, as `serve` builds them (building them does no I/O). */
export function routesOver(
  store: Pick<Store, "driver" | "tables"> = unreachableStore(),
  publisher: StagePublisher = new RecordingPublisher(),
): GuardedRoute[] {
  return reviewRoutes({
    review: createReviewService(store, REVIEW_CONFIG, DEPLOYED),
    promotion: { store, config: REVIEW_CONFIG, deployed: DEPLOYED },
    publisher,
    log: createLogger("silent"),
    registry: createServiceMetrics().registry,
  });
}

async function serve(kit: AuthTestKit, store: Pick<Store, "driver" | "tables">, publisher: StagePublisher) {
  const app = createApp({
    config: { host: "127.0.0.1", port: 0, bodyLimitBytes: 4_096 },
    intake: () => undefined,
    readiness: () => ({ ready: true, checks: {} }),
    log: createLogger("silent"),
    auth: { verifier: kit.verifier, config: kit.config },
    routes: routesOver(store, publisher),
    openApiDocument: reviewOpenApiDocument(),
  });
  return listenLocally(app);
}

async function headersFor(kit: AuthTestKit, caller: Caller, subject = `${caller}-1`) {
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  switch (caller) {
    case "none":
      return {};
    case "expired": {
      const past = Math.floor(Date.now() / 1000) - 3_600;
      return bearer(await kit.token({ roles: ["admin"], iat: past - 600, exp: past }));
    }
    case "forged":
      return bearer(await kit.forged({ roles: ["admin"] }));
    default:
      return bearer(await kit.token({ roles: [caller], sub: subject }));
  }
}

/** Returns the id of one stored under-permission pair. */
async function writeTraffic(store: Store, nowMs: number): Promise<string> {
  const at = (i: number) => nowMs - 3_600_000 + i * 60_000;
  const clean = (cohort: string) =>
    Array.from({ length: 20 }, (_, i) =>
      storedOutcome({ correlationId: `${cohort}-${i}`, cohort, atMs: at(i) }),
    );
  const under = DOCTOR_DRIFT_ACTIONS.flatMap((action) =>
    Array.from({ length: 4 }, (_, i) =>
      storedOutcome({
        correlationId: `doctors-under-${action}-${i}`,
        cohort: "doctors",
        atMs: at(30 + i),
        action,
        kinds: [{ kind: "under_permission" }],
        newAllow: false,
        ruleId: "proxy-read",
      }),
    ),
  );
  // Every nurse may write lab results under the new policy; no nurse did (latent drift).
  const nurses = clean("nurses").map((o, i) => ({
    ...o,
    entitlements: {
      subject: `nurse-${i % 3}`,
      shape: "nurse-shape",
      differences: [NURSE_WRITES_LABS],
    },
  }));
  await writeOutcomes(store, [...nurses, ...clean("doctors"), ...under]);
  return (under[0] as (typeof under)[number]).pairId;
}

function unreachableStore(): Pick<Store, "driver" | "tables"> {
  const refuse = async (): Promise<never> => {
    throw new StoreError("connect ECONNREFUSED 127.0.0.1:8123");
  };
  const driver: StoreDriver = {
    kind: "clickhouse",
    command: refuse,
    query: refuse,
    insert: refuse,
    insertJsonEachRow: refuse,
    close: async () => {},
  };
  return { driver, tables: storeTables("entitlement_diff") };
}
