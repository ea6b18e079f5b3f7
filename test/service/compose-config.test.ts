import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEMO_CONFIG_FILE, HEALTH_TECH_DIR } from "../../examples/health-tech/paths.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { Config } from "../../src/contracts/index.js";
import { CLICKHOUSE_ENV } from "../../src/store/clickhouse-driver.js";
import { loadCompose, REPO_ROOT } from "../compose/compose-file.js";
import { argsOf, readDockerfile } from "../compose/dockerfile.js";

const COMPOSE_CONFIG = path.join(HEALTH_TECH_DIR, "config.compose.yaml");
const IMAGE_ROOT = "/app";

const { config } = loadConfig(COMPOSE_CONFIG);
const service = loadCompose().services["entitlement-diff"];

/** The files the config names: where the image has them. */
function configuredPaths(c: Config): string[] {
  return [
    c.legacy.rules,
    c.policy.bundle,
    ...Object.values(c.issuers).flatMap((i) => (i.keys.type === "jwks-file" ? [i.keys.path] : [])),
    ...(c.api?.keys.type === "jwks-file" ? [c.api.keys.path] : []),
    ...(c.api?.localSigningKey ? [c.api.localSigningKey] : []),
  ];
}

/** Environment variables the service reads with this config. */
function envRead(c: Config): string[] {
  return [
    c.kafka.brokersEnv,
    c.store.pseudonymKeyEnv,
    ...(c.store.driver === "clickhouse" ? [CLICKHOUSE_ENV.url] : []),
    ...Object.values(c.issuers).flatMap((i) => (i.keys.type === "hmac-secret-env" ? [i.keys.env] : [])),
  ];
}

describe("examples/health-tech/config.compose.yaml (the config docker compose mounts)", () => {
  it("is a valid config: ClickHouse store, port 8080, brokers from KAFKA_BROKERS", () => {
    expect(config.store.driver).toBe("clickhouse");
    expect(config.server).toMatchObject({ host: "0.0.0.0", port: 8080 });
    expect(config.kafka.brokersEnv).toBe("KAFKA_BROKERS");
    expect(config.store.pseudonymKeyEnv).toBe("ENTITLEMENT_DIFF_PSEUDONYM_KEY");
  });

  it("names files by absolute paths inside the image that the image has", () => {
    const finalStage = readDockerfile(path.join(REPO_ROOT, "Dockerfile"));
    const lastFrom = finalStage.map((i) => i.keyword).lastIndexOf("FROM");
    const runtime = finalStage.slice(lastFrom);
    expect(argsOf(runtime, "WORKDIR").at(-1)).toBe(IMAGE_ROOT);
    const copiedDirs = argsOf(runtime, "COPY").map((args) => args.split(/\s+/).at(-1)?.replace(/^\.\//, ""));
    for (const file of configuredPaths(config)) {
      expect(path.isAbsolute(file), file).toBe(true);
      expect(file.startsWith(`${IMAGE_ROOT}/`), file).toBe(true);
      const inRepo = path.relative(IMAGE_ROOT, file);
      expect(existsSync(path.join(REPO_ROOT, inRepo)), `${file}: no ${inRepo} in the repository`).toBe(true);
      expect(copiedDirs, `${file}: the image does not copy ${inRepo.split("/")[0]}`).toContain(
        inRepo.split("/")[0],
      );
    }
  });

  it("gets every variable it reads from the compose service's environment", () => {
    expect(service, "docker-compose.yml has an entitlement-diff service").toBeDefined();
    const provided = Object.keys(service?.environment ?? {});
    for (const name of envRead(config)) expect(provided, `compose must set ${name}`).toContain(name);
  });

  it("runs the same demo as config.yaml: issuers, api, rules, policy, pairing, cohorts and gates", () => {
    const demo = loadConfig(DEMO_CONFIG_FILE);
    const comparable = (c: Config, resolve: (p: string) => string) => ({
      ...c,
      issuers: Object.fromEntries(
        Object.entries(c.issuers).map(([side, i]) => [
          side,
          { ...i, keys: i.keys.type === "jwks-file" ? { ...i.keys, path: resolve(i.keys.path) } : i.keys },
        ]),
      ),
      api: c.api && {
        ...c.api,
        keys:
          c.api.keys.type === "jwks-file" ? { ...c.api.keys, path: resolve(c.api.keys.path) } : c.api.keys,
        localSigningKey: c.api.localSigningKey && resolve(c.api.localSigningKey),
      },
      legacy: { rules: resolve(c.legacy.rules) },
      policy: { ...c.policy, bundle: resolve(c.policy.bundle) },
      kafka: undefined,
      store: undefined,
      server: undefined,
      logging: undefined,
    });
    const fromImage = (p: string) => path.join(REPO_ROOT, path.relative(IMAGE_ROOT, p));
    expect(comparable(config, fromImage)).toEqual(comparable(demo.config, demo.resolvePath));
  });
});
