import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { STOP_WAITS_MS } from "../../src/service/stop-waits.js";
import {
  type ComposeService,
  composeDurationMs,
  hostAndPort,
  isExactVersionTag,
  isRequiredPlaceholder,
  loadCompose,
  parseImage,
  parseMount,
  parsePort,
  REPO_ROOT,
} from "./compose-file.js";
import { argsOf, baseImages, copySources, execForm, readDockerfile } from "./dockerfile.js";

/** Ports the third-party images listen on (their documented defaults; compose does not change them). */
const IMAGE_PORTS: Record<string, number[]> = {
  "clickhouse/clickhouse-server": [8123, 9000],
  "prom/prometheus": [9090],
  "grafana/grafana": [3000],
};

const compose = loadCompose();
const services = Object.entries(compose.services);
const serviceNames = new Set(Object.keys(compose.services));
const fromRepo = (file: string) => path.join(REPO_ROOT, file);

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

function env(name: string, key: string): string {
  const value = service(name).environment[key];
  if (value === undefined || value === null) throw new Error(`service ${name} does not set ${key}`);
  return value;
}

function buildOf(name: string): { context: string; dockerfile: string } {
  const build = service(name).build;
  if (!build) throw new Error(`service ${name} has no build`);
  return build;
}

const BUILT = services.filter(([, s]) => s.build).map(([name]) => name);
const dockerfileOf = (name: string) => {
  const build = buildOf(name);
  return readDockerfile(fromRepo(path.join(build.context, build.dockerfile)));
};

function exposedPorts(name: string): number[] {
  return argsOf(dockerfileOf(name), "EXPOSE").flatMap((args) =>
    args.split(/\s+/).map((p) => Number.parseInt(p, 10)),
  );
}

/** Listener name -> port, from KAFKA_LISTENERS / KAFKA_ADVERTISED_LISTENERS (`NAME://host:port,...`). */
function kafkaListeners(value: string): Map<string, { host: string; port: number }> {
  return new Map(
    value.split(",").map((entry) => {
      const match = /^(\w+):\/\/([^:]*):(\d+)$/.exec(entry.trim());
      if (!match?.[1] || match[2] === undefined || !match[3]) throw new Error(`bad listener "${entry}"`);
      return [match[1], { host: match[2], port: Number(match[3]) }];
    }),
  );
}

function kafkaServiceNames(): string[] {
  return services.filter(([, s]) => s.image && parseImage(s.image).name === "apache/kafka").map(([n]) => n);
}

/** The Kafka broker: the apache/kafka service that configures listeners. */
const KAFKA = kafkaServiceNames().find((name) => service(name).environment.KAFKA_LISTENERS) ?? "kafka";

/** The ports a service listens on inside the compose network. */
function listeningPorts(name: string): number[] {
  const s = service(name);
  if (s.build) return exposedPorts(name);
  if (name === KAFKA) return [...kafkaListeners(env(name, "KAFKA_LISTENERS")).values()].map((l) => l.port);
  const image = s.image ? parseImage(s.image).name : "";
  const known = IMAGE_PORTS[image];
  if (!known)
    throw new Error(`test/compose does not know which ports ${image} listens on; add it to IMAGE_PORTS`);
  return known;
}

function expectServiceAddress(address: string, what: string): void {
  const { host, port } = hostAndPort(address);
  expect(serviceNames, `${what}: ${host} is not a compose service`).toContain(host);
  expect(listeningPorts(host), `${what}: ${host} does not listen on ${port}`).toContain(port);
}

/** The host file mounted at `target` in service `name`, relative to the repository. */
function mountedFile(name: string, target: string): string {
  const mount = service(name)
    .volumes.map(parseMount)
    .find((m) => m.target === target);
  if (!mount?.bind) throw new Error(`service ${name} mounts no host path at ${target}`);
  return path.normalize(mount.source);
}

describe("docker-compose.yml images", () => {
  it.each(services.filter(([, s]) => s.image))("%s pins an exact version tag", (_name, s) => {
    const { tag } = parseImage(s.image ?? "");
    expect(tag, `${s.image}: no tag, or not an exact version`).not.toBe("latest");
    expect(isExactVersionTag(tag), `${s.image} is not pinned to an exact version`).toBe(true);
  });

  it("every service has an image or a build, and built images carry the package version", () => {
    const version = (JSON.parse(readFileSync(fromRepo("package.json"), "utf8")) as { version: string })
      .version;
    for (const [name, s] of services) {
      expect(s.image ?? s.build, `service ${name} has neither image nor build`).toBeDefined();
      if (s.build) expect(s.image, `service ${name}`).toBe(`entitlement-diff:${version}`);
    }
    expect(BUILT).toEqual(["entitlement-diff"]);
  });

  it("runs the same Kafka minor version as the jars of scripts/kafka.sh", () => {
    const pom = readFileSync(fromRepo("infra/kafka/pom.xml"), "utf8");
    const jars = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1];
    expect(jars).toMatch(/^3\.9\.\d+$/);
    const minor = (version: string | undefined) => version?.split(".").slice(0, 2).join(".");
    for (const name of kafkaServiceNames()) {
      expect(minor(parseImage(service(name).image ?? "").tag), name).toBe(minor(jars));
    }
  });

  it("installs a pinned version of the Grafana ClickHouse plugin", () => {
    expect(env("grafana", "GF_INSTALL_PLUGINS")).toMatch(/^grafana-clickhouse-datasource \d+\.\d+\.\d+$/);
  });
});

describe("docker-compose.yml files and volumes", () => {
  it("mounts only host paths that exist in the repository (one config may still be to come)", () => {
    const missing = services
      .flatMap(([, s]) => s.volumes.map(parseMount))
      .filter((m) => m.bind)
      .map((m) => path.normalize(m.source))
      .filter((source) => !existsSync(fromRepo(source)));
    expect(missing).toEqual([]);
  });

  it("declares every named volume it uses, and uses every one it declares", () => {
    const used = new Set(
      services.flatMap(([, s]) => s.volumes.map(parseMount).filter((m) => !m.bind)).map((m) => m.source),
    );
    expect([...used].sort()).toEqual(Object.keys(compose.volumes).sort());
  });

  it("builds from a Dockerfile whose copied sources exist and are not excluded by .dockerignore", () => {
    for (const name of BUILT) {
      const build = buildOf(name);
      expect(existsSync(fromRepo(path.join(build.context, build.dockerfile)))).toBe(true);
      const ignored = readFileSync(fromRepo(path.join(build.context, ".dockerignore")), "utf8")
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith("#"));
      expect(ignored).toEqual(expect.arrayContaining([".git", "node_modules", "dist"]));
      for (const source of copySources(dockerfileOf(name))) {
        expect(existsSync(fromRepo(path.join(build.context, source))), `COPY ${source}`).toBe(true);
        expect(ignored, `.dockerignore excludes ${source}, which the Dockerfile copies`).not.toContain(
          source,
        );
      }
    }
  });
});

describe("docker-compose.yml ports and addresses", () => {
  const published = services.flatMap(([name, s]) => s.ports.map((spec) => ({ name, ...parsePort(spec) })));

  it("publishes each host port once, on loopback only", () => {
    const hostPorts = published.map((p) => p.hostPort);
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
    for (const p of published) expect(p.hostIp, `${p.name}:${p.hostPort}`).toBe("127.0.0.1");
  });

  it("publishes container ports that the services listen on", () => {
    for (const p of published) {
      expect(listeningPorts(p.name), `${p.name} publishes ${p.containerPort}`).toContain(p.containerPort);
    }
  });

  it("advertises Kafka to containers by service name and to the host on the published port", () => {
    const listeners = kafkaListeners(env(KAFKA, "KAFKA_LISTENERS"));
    const advertised = kafkaListeners(env(KAFKA, "KAFKA_ADVERTISED_LISTENERS"));
    const internal = advertised.get(env(KAFKA, "KAFKA_INTER_BROKER_LISTENER_NAME"));
    expect(internal?.host).toBe(KAFKA);
    expect(internal?.port).toBe(listeners.get(env(KAFKA, "KAFKA_INTER_BROKER_LISTENER_NAME"))?.port);
    const external = [...advertised.entries()].find(([, l]) => l.host === "localhost");
    const hostPort = published.find(
      (p) => p.name === KAFKA && p.containerPort === listeners.get(external?.[0] ?? "")?.port,
    );
    expect(hostPort?.hostPort, "the host-facing listener must be published on the port it advertises").toBe(
      external?.[1].port,
    );
    const [voterId, voter] = env(KAFKA, "KAFKA_CONTROLLER_QUORUM_VOTERS").split("@");
    expect(voterId).toBe(env(KAFKA, "KAFKA_NODE_ID"));
    expect(voter).toBe(`${KAFKA}:${listeners.get(env(KAFKA, "KAFKA_CONTROLLER_LISTENER_NAMES"))?.port}`);
  });

  it("points the service and the topic job at Kafka's internal listener and ClickHouse's HTTP port", () => {
    const internal = `${KAFKA}:${kafkaListeners(env(KAFKA, "KAFKA_ADVERTISED_LISTENERS")).get("INTERNAL")?.port}`;
    expect(env("entitlement-diff", "KAFKA_BROKERS")).toBe(internal);
    expect(String(service("kafka-topics").command)).toContain(`--bootstrap-server ${internal}`);
    expectServiceAddress(env("entitlement-diff", "CLICKHOUSE_URL"), "CLICKHOUSE_URL");
  });

  it("has Prometheus scrape the service by name on the port it exposes", () => {
    const configFile = mountedFile("prometheus", "/etc/prometheus/prometheus.yml");
    const command = service("prometheus").command;
    expect(command).toContain("--config.file=/etc/prometheus/prometheus.yml");
    const config = parse(readFileSync(fromRepo(configFile), "utf8")) as {
      scrape_configs: { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = config.scrape_configs.flatMap((job) => job.static_configs.flatMap((s) => s.targets));
    for (const target of targets) expectServiceAddress(target, `scrape target ${target}`);
    const job = config.scrape_configs.find((j) => j.job_name === "entitlement-diff");
    expect(job?.metrics_path).toBe("/metrics");
    expect(job?.static_configs.flatMap((s) => s.targets)).toEqual([
      `entitlement-diff:${exposedPorts("entitlement-diff")[0]}`,
    ]);
  });

  it("has Grafana's data sources reach Prometheus and ClickHouse by service name, with env it is given", () => {
    const dir = path.join(mountedFile("grafana", "/etc/grafana/provisioning"), "datasources");
    const files = readdirSync(fromRepo(dir)).filter((f) => /\.ya?ml$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    const sources = files.flatMap((file) => {
      const text = readFileSync(fromRepo(path.join(dir, file)), "utf8");
      for (const [, variable] of text.matchAll(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g)) {
        expect(service("grafana").environment, `${file} uses $${variable}`).toHaveProperty(variable ?? "");
      }
      return (
        parse(text) as { datasources: { type: string; url?: string; jsonData?: Record<string, unknown> }[] }
      ).datasources;
    });
    const prometheus = sources.find((s) => s.type === "prometheus");
    expectServiceAddress(prometheus?.url ?? "", "Prometheus data source");
    const clickhouse = sources.find((s) => s.type === "grafana-clickhouse-datasource");
    expect(clickhouse?.jsonData?.protocol).toBe("http");
    expectServiceAddress(
      `${clickhouse?.jsonData?.host}:${clickhouse?.jsonData?.port}`,
      "ClickHouse data source",
    );
  });
});

describe("docker-compose.yml start order and secrets", () => {
  const conditions = ["service_started", "service_healthy", "service_completed_successfully"];

  it("depends only on existing services, waiting for health only where there is a health check", () => {
    for (const [name, s] of services) {
      for (const [dependency, { condition }] of Object.entries(s.depends_on)) {
        expect(serviceNames, `${name} depends on ${dependency}`).toContain(dependency);
        expect(conditions).toContain(condition);
        const target = service(dependency);
        if (condition === "service_healthy") {
          const checked =
            target.healthcheck ?? (target.build && argsOf(dockerfileOf(dependency), "HEALTHCHECK")[0]);
          expect(
            checked,
            `${name} waits for ${dependency} to be healthy, but it has no health check`,
          ).toBeTruthy();
        }
        if (condition === "service_completed_successfully") expect(target.restart, dependency).toBe("no");
      }
    }
  });

  it("gives the service's stop longer than all its own waits (store, giving it up, the last commit)", () => {
    const grace = service("entitlement-diff").stop_grace_period;
    expect(grace, "entitlement-diff: no stop_grace_period (Docker's default is 10 s)").toBeDefined();
    expect(composeDurationMs(grace ?? "")).toBeGreaterThan(STOP_WAITS_MS);
  });

  it("has a health check on every long-running service", () => {
    for (const [name, s] of services) {
      if (s.restart === "no") continue;
      const checked = s.healthcheck ?? (s.build && argsOf(dockerfileOf(name), "HEALTHCHECK")[0]);
      expect(checked, `${name} has no health check`).toBeTruthy();
    }
  });

  it("takes every secret from the environment, required, never as a value", () => {
    const secrets = services.flatMap(([name, s]) =>
      Object.entries(s.environment)
        .filter(([key]) => /PASSWORD|SECRET|TOKEN|_KEY$/.test(key))
        .map(([key, value]) => ({ where: `${name}.${key}`, value })),
    );
    expect(secrets.map((s) => s.where)).toContain("entitlement-diff.ENTITLEMENT_DIFF_PSEUDONYM_KEY");
    for (const { where, value } of secrets) {
      expect(isRequiredPlaceholder(value), `${where} = ${value}`).toBe(true);
    }
  });
});

describe("Dockerfile of the service", () => {
  const instructions = dockerfileOf("entitlement-diff");

  it("builds on pinned base images and runs as an unprivileged user", () => {
    const images = baseImages(instructions);
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(isExactVersionTag(parseImage(image).tag), image).toBe(true);
    const user = argsOf(instructions, "USER").at(-1);
    expect(user).toBeDefined();
    expect(["root", "0", "0:0"]).not.toContain(user);
  });

  it("exposes the port it serves, health-checks /readyz there, and Compose publishes it", () => {
    const [port] = exposedPorts("entitlement-diff");
    expect(port).toBe(8080);
    expect(argsOf(instructions, "HEALTHCHECK")[0]).toContain(`http://127.0.0.1:${port}/readyz`);
    expect(
      service("entitlement-diff")
        .ports.map(parsePort)
        .map((p) => p.containerPort),
    ).toContain(port);
  });

  it("runs `serve` with the config Compose mounts", () => {
    const entrypoint = execForm(argsOf(instructions, "ENTRYPOINT").at(-1) ?? "[]");
    expect(entrypoint).toEqual(["node", "--max-semi-space-size=32", "bin/entitlement-diff.js"]);
    expect(existsSync(fromRepo("bin/entitlement-diff.js"))).toBe(true);
    const command = service("entitlement-diff").command;
    expect(command).toEqual(execForm(argsOf(instructions, "CMD").at(-1) ?? "[]"));
    const configPath = Array.isArray(command) ? command[command.indexOf("--config") + 1] : undefined;
    expect(configPath).toBe("/etc/entitlement-diff/config.yaml");
    const mount = service("entitlement-diff")
      .volumes.map(parseMount)
      .find((m) => m.target === configPath);
    expect(mount?.source).toBe("./examples/health-tech/config.compose.yaml");
    expect(service("entitlement-diff").volumes.find((v) => v.includes(configPath ?? ""))).toMatch(/:ro$/);
  });
});
