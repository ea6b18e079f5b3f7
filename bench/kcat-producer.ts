import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import type { KeyedMessage, MirrorProducer } from "../src/ingest/kafka/kafka-producer.js";

export interface KcatProducerOptions {
  brokers: readonly string[];
  /** The kcat binary (scripts/ensure-kcat.sh prints it). */
  kcatBin: string;
}

const TAB = 0x09;
const NEWLINE = 0x0a;
const STDERR_KEPT = 4_096;

interface TopicWriter {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

/**
 * A bench's gateway: hands the messages to kcat (librdkafka, C), one process per topic, as
 * `key<TAB>value` lines on its stdin. The bench's producer shares the two cores with the service
 * under test; on kafkajs it spent ~27 µs of CPU an event encoding record batches (~0.5 cores at
 * 20,000 events/s), on kcat the Node process and kcat together spend 0.1 to 0.25 cores, so the
 * service is measured with more of the cores a gateway on another machine would leave it.
 *
 * Keys are partitioned with `murmur2_random`, the Java client's (and kafkajs') rule, so both halves
 * of a request land on the same partition number. `send` resolves once kcat has the bytes (pipe
 * backpressure is awaited), not once the broker acknowledged them: only `close` says that. It
 * resolves once every kcat has flushed and exited 0, and rejects when one failed (kcat exits 1
 * when a message could not be delivered within `message.timeout.ms`).
 *
 * Lines are the protocol, so a value must hold no newline and a key neither a tab nor a newline;
 * an unkeyed message's value must hold no tab (kcat would split it) and not be empty (kcat skips
 * empty lines); a null value cannot be told from an empty one. Such a message is refused.
 */
export function createKcatMirrorProducer(options: KcatProducerOptions): MirrorProducer {
  const writers = new Map<string, TopicWriter>();
  const writerFor = (topic: string): TopicWriter => {
    const known = writers.get(topic);
    if (known) return known;
    const created = startKcat(options, topic);
    writers.set(topic, created);
    return created;
  };
  return {
    async send(topic, messages) {
      if (messages.length === 0) return;
      const chunk = Buffer.concat(messages.flatMap((m, i) => lineOf(m, topic, i)));
      const { child, stderr } = writerFor(topic);
      const stdin = child.stdin;
      if (!stdin || child.exitCode !== null || child.signalCode !== null || stdin.destroyed)
        throw new Error(`kcat for ${topic} is not running: ${stderr() || "no output"}`);
      if (!stdin.write(chunk)) await drained(child, topic, stderr);
    },
    async close() {
      for (const { child } of writers.values()) child.stdin?.end();
      const failures: string[] = [];
      for (const [topic, { exited, stderr }] of writers) {
        const { code, signal } = await exited;
        if (code !== 0) failures.push(`kcat for ${topic} exited with ${code ?? signal}: ${stderr().trim()}`);
      }
      writers.clear();
      if (failures.length > 0) throw new Error(failures.join("\n"));
    },
  };
}

function startKcat(options: KcatProducerOptions, topic: string): TopicWriter {
  const args = [
    "-P",
    ...["-b", options.brokers.join(",")],
    ...["-t", topic],
    ...["-K", "\\t"],
    ...["-X", "topic.partitioner=murmur2_random"],
    ...["-X", "acks=all"],
    ...["-X", "linger.ms=5"],
    // librdkafka's default is 5 minutes: a bench against a broker that went away fails sooner.
    ...["-X", "message.timeout.ms=30000"],
  ];
  const child = spawn(options.kcatBin, args, { stdio: ["pipe", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (text: string) => {
    stderr = (stderr + text).slice(-STDERR_KEPT);
  });
  child.stdin?.on("error", () => undefined); // an early exit: reported by `exited` and `send`
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("error", (error) => {
      stderr += String(error);
      resolve({ code: null, signal: null });
    });
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
  return { child, exited, stderr: () => stderr };
}

function drained(child: ChildProcess, topic: string, stderr: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onExit = () => reject(new Error(`kcat for ${topic} exited while sending: ${stderr().trim()}`));
    child.once("close", onExit);
    child.stdin?.once("drain", () => {
      child.off("close", onExit);
      resolve();
    });
  });
}

function lineOf(message: KeyedMessage, topic: string, index: number): Buffer[] {
  const refuse = (why: string): never => {
    throw new Error(`message ${index} for ${topic}: ${why}; kcat reads one message a line`);
  };
  const value = bytes(message.value) ?? refuse("the value is null");
  const key = bytes(message.key);
  if (value.includes(NEWLINE)) refuse("the value holds a newline");
  if (key === null) {
    if (value.includes(TAB)) refuse("an unkeyed value holds a tab");
    if (value.length === 0) refuse("an unkeyed value is empty");
    return [value, NEWLINE_BYTES];
  }
  if (key.includes(TAB) || key.includes(NEWLINE)) refuse("the key holds a tab or a newline");
  return [key, TAB_BYTES, value, NEWLINE_BYTES];
}

const TAB_BYTES = Buffer.from([TAB]);
const NEWLINE_BYTES = Buffer.from([NEWLINE]);

function bytes(data: string | Buffer | null): Buffer | null {
  return typeof data === "string" ? Buffer.from(data) : data;
}

/**
 * CPU (user + system, ms) of this process's children that have exited and been waited for: the
 * kcat processes once `close` resolved. Linux only (/proc/self/stat, cutime and cstime).
 */
export function exitedChildrenCpuMs(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[13]) + Number(fields[14]); // cutime, cstime (fields 16 and 17)
  return (ticks * 1000) / clockTicksPerSecond();
}

let clockTicks: number | undefined;
function clockTicksPerSecond(): number {
  clockTicks ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  return clockTicks;
}
