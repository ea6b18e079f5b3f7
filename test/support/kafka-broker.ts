import { spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  realpathSync,
  rmSync,
} from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const KAFKA_SH = path.join(REPO_ROOT, "scripts/kafka.sh");

/** A real single-node Kafka broker (KRaft) on 127.0.0.1, run by scripts/kafka.sh for one test file. */
export interface KafkaBroker {
  /** The bootstrap list for kafkajs, e.g. `["127.0.0.1:40123"]`. */
  readonly brokers: string[];
  readonly port: number;
  /** The run dir: server.properties, data/, logs/server.log. Removed by `stop()`. */
  readonly dir: string;
  /** Stops and starts the broker on the same port and data; resolves once it serves again. */
  restart(): Promise<void>;
  /** Stops the broker (SIGTERM, then SIGKILL after 30 s) and removes its dir; idempotent. */
  stop(): Promise<void>;
  /** The last lines of the broker's logs, for failure messages. */
  logTail(lines?: number): string;
}

export interface StartKafkaOptions {
  /** The client port; default: a free port. The controller always gets a free port. */
  port?: number;
  /** Extra environment for scripts/kafka.sh: JAVA_HOME, MVN, KAFKA_CACHE_DIR, KAFKA_HEAP_OPTS. */
  env?: Record<string, string>;
  /** How long to wait for the broker to serve, in seconds; default 90. */
  readyTimeoutSeconds?: number;
}

/** Kafka could not be installed, started, restarted or stopped; the message says why. */
export class KafkaBrokerError extends Error {
  override name = "KafkaBrokerError";
}

/**
 * Starts a broker in a fresh temp dir and resolves once it answers metadata requests. The first
 * start on a machine downloads the jars with Maven. Missing Java, Maven or jars make it reject:
 * the tests that need Kafka fail rather than skip, locally and in CI alike.
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaBroker> {
  const [port, controllerPort] = await portsFor(options.port);
  // Real path: scripts/kafka.sh resolves symlinks, and the pid check compares paths.
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), "entitlement-diff-kafka-")));
  // The broker stops by itself once this process is gone, even when it never runs its exit
  // handlers (a fork killed after a timed-out hook).
  const env = { ...process.env, KAFKA_OWNER_PID: String(process.pid), ...options.env };
  const timeout = String(options.readyTimeoutSeconds ?? 90);
  const run = (command: string, ...args: string[]) => runKafkaSh(env, [command, "--dir", dir, ...args]);

  try {
    await run(
      "start",
      "--port",
      String(port),
      "--controller-port",
      String(controllerPort),
      "--timeout",
      timeout,
    );
  } catch (err) {
    await run("stop").catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return brokerHandle({ port, dir, run, timeout });
}

interface RunningBroker {
  port: number;
  dir: string;
  run(command: string, ...args: string[]): Promise<string>;
  timeout: string;
}

function brokerHandle({ port, dir, run, timeout }: RunningBroker): KafkaBroker {
  // A test process that ends without stop() must not leave a JVM behind.
  const stopOnExit = () => signalBroker(dir, "SIGTERM");
  process.once("exit", stopOnExit);
  let stopped = false;
  return {
    brokers: [`127.0.0.1:${port}`],
    port,
    dir,
    restart: async () => {
      if (stopped) throw new KafkaBrokerError(`the broker on port ${port} was stopped; start a new one`);
      await run("restart", "--timeout", timeout);
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      process.removeListener("exit", stopOnExit);
      await run("stop");
      rmSync(dir, { recursive: true, force: true });
    },
    logTail: (lines = 60) => readLogTail(dir, lines),
  };
}

/** The requested (or a free) client port and a distinct free controller port. */
async function portsFor(requested: number | undefined): Promise<[number, number]> {
  if (requested !== undefined && !(await isFree(requested))) {
    throw new KafkaBrokerError(`port 127.0.0.1:${requested} is in use; pass another port or none`);
  }
  const free = await freePorts(requested === undefined ? 2 : 1);
  const [first, second] = free;
  if (first === undefined) throw new KafkaBrokerError("could not find a free port on 127.0.0.1");
  if (requested !== undefined) return [requested, first];
  if (second === undefined) throw new KafkaBrokerError("could not find two free ports on 127.0.0.1");
  return [first, second];
}

/** Holds all listeners open until each has its port, so the ports are distinct. */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.once("error", reject);
            server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
          }),
      ),
    );
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * Runs scripts/kafka.sh without blocking the event loop (kafkajs clients keep running meanwhile).
 * A failure carries the script's stderr, which includes the broker's log tail when it did not come up.
 */
function runKafkaSh(env: NodeJS.ProcessEnv, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [KAFKA_SH, ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("error", (err) => reject(new KafkaBrokerError(`cannot run bash ${KAFKA_SH}: ${err.message}`)));
    child.once("close", (code) => {
      if (code === 0) return resolve(stdout);
      reject(
        new KafkaBrokerError(`bash scripts/kafka.sh ${args.join(" ")} exited ${code}:\n${stderr.trim()}`),
      );
    });
  });
}

function readLogTail(dir: string, lines: number): string {
  return ["logs/stdout.log", "logs/server.log"]
    .map((name) => path.join(dir, name))
    .filter((file) => existsSync(file))
    .map((file) => ({ file, text: readFileEnd(file, lines * 400).trimEnd() }))
    .filter(({ text }) => text.length > 0)
    .map(
      ({ file, text }) => `---- last ${lines} lines of ${file}\n${text.split("\n").slice(-lines).join("\n")}`,
    )
    .join("\n");
}

/** The last `bytes` of a file; the server log rolls at 20 MB, too much to read for a tail. */
function readFileEnd(file: string, bytes: number): string {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    const buffer = Buffer.alloc(Math.min(size, bytes));
    readSync(fd, buffer, 0, buffer.length, size - buffer.length);
    return buffer.toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** Signals the broker of `dir`, if the pid file still names it (pids get reused). */
function signalBroker(dir: string, signal: NodeJS.Signals): void {
  const pidFile = path.join(dir, "kafka.pid");
  if (!existsSync(pidFile)) return;
  const pid = readFileSync(pidFile, "utf8").trim();
  const cmdline = `/proc/${pid}/cmdline`;
  if (!/^[0-9]+$/.test(pid) || !existsSync(cmdline)) return;
  if (!readFileSync(cmdline, "utf8").includes(path.join(dir, "server.properties"))) return;
  try {
    process.kill(Number(pid), signal);
  } catch {
    // Exited meanwhile.
  }
}
