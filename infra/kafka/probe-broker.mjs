// Readiness probe for scripts/kafka.sh: polls the broker until it answers a metadata request
// (describe cluster + list topics), which a KRaft broker does only once it is unfenced and serving.
//
//   node infra/kafka/probe-broker.mjs HOST:PORT TIMEOUT_MS [PID]
//
// Exits 0 when ready, 1 on timeout, 2 as soon as the broker process PID has died, so a crash at
// start-up fails fast instead of waiting out the timeout. One process polls, rather than the shell
// starting node once per attempt, to spare the CPU a starting JVM needs.
import { readFileSync } from "node:fs";
import { Kafka, logLevel } from "kafkajs";

const [broker, timeoutArg, pidArg] = process.argv.slice(2);
if (!broker || !timeoutArg) {
  process.stderr.write("usage: probe-broker.mjs HOST:PORT TIMEOUT_MS [PID]\n");
  process.exit(64);
}
const deadline = Date.now() + Number(timeoutArg);
const pid = pidArg ? Number(pidArg) : undefined;

// Reads /proc rather than signalling: a dead broker stays a zombie until the script reaps it,
// and a zombie still "exists" for kill(pid, 0) but has an empty command line.
function isAlive(processId) {
  try {
    return readFileSync(`/proc/${processId}/cmdline`).length > 0;
  } catch {
    return false;
  }
}

async function answersMetadata() {
  const kafka = new Kafka({
    clientId: "kafka-sh-probe",
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 3_000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    await admin.listTopics();
    return { ready: true };
  } catch (err) {
    return { ready: false, reason: err instanceof Error ? err.message : String(err) };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

let lastReason = "not tried";
while (Date.now() < deadline) {
  if (pid !== undefined && !isAlive(pid)) {
    process.stderr.write(`probe-broker: the broker process ${pid} exited during start-up\n`);
    process.exit(2);
  }
  const result = await answersMetadata();
  if (result.ready) process.exit(0);
  lastReason = result.reason;
  await new Promise((resolve) => setTimeout(resolve, 250));
}
process.stderr.write(`probe-broker: ${broker} not ready before the timeout; last error: ${lastReason}\n`);
process.exit(1);
