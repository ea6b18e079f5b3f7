#!/usr/bin/env bash
# A real single-node Apache Kafka 3.9 (KRaft: broker and controller in one JVM) on 127.0.0.1,
# run from the Maven Central jars pinned in infra/kafka/pom.xml, without Docker. The integration
# tests (test/support/kafka-broker.ts), CI and local runs of `serve` use it.
#
#   bash scripts/kafka.sh start   [--port 9092] [--controller-port PORT+1] [--dir D] [--fresh] [--timeout S]
#   bash scripts/kafka.sh stop    [--port 9092 | --dir D] [--timeout S]
#   bash scripts/kafka.sh restart [--port 9092 | --dir D] [--timeout S]
#   bash scripts/kafka.sh status  [--port 9092 | --dir D]
#   bash scripts/kafka.sh wait    [--port 9092 | --dir D] [--timeout S]
#   bash scripts/kafka.sh install
#
# `start` returns once the broker answers metadata requests; an existing run dir keeps its data
# (--fresh wipes it). `restart` stops and starts on the same dir and ports, data kept.
# The run dir (default $XDG_STATE_HOME/entitlement-diff/kafka-PORT) holds server.properties,
# kafka.pid, data/ and logs/server.log. The jars go to $XDG_CACHE_HOME/entitlement-diff/kafka-VERSION.
#
# Environment: JAVA_HOME (else java on PATH), MVN (else mvn on PATH), KAFKA_CACHE_DIR,
# KAFKA_STATE_DIR, KAFKA_HEAP_OPTS (default -Xms128m -Xmx512m), KAFKA_JVM_OPTS, KAFKA_OWNER_PID
# (`start`/`restart`: stop the broker once that process is gone, however it ended).
set -euo pipefail
shopt -s inherit_errexit # a failure inside $(...) stops the script too

readonly REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
readonly POM="$REPO_ROOT/infra/kafka/pom.xml"
readonly PROBE="$REPO_ROOT/infra/kafka/probe-broker.mjs"
readonly KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM")"
readonly CACHE_DIR="${KAFKA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/entitlement-diff/kafka-$KAFKA_VERSION}"
readonly LIBS_DIR="$CACHE_DIR/libs"
readonly STATE_DIR="${KAFKA_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/entitlement-diff}"
readonly SERVER_MAIN="kafka.Kafka"
readonly STORAGE_MAIN="kafka.tools.StorageTool"

fail() {
  echo "kafka.sh: $*" >&2
  exit 1
}

say() { echo "kafka.sh: $*" >&2; }

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 64
}

# ---------------------------------------------------------------- tools

java_bin() {
  if [[ -n "${JAVA_HOME:-}" ]]; then
    [[ -x "$JAVA_HOME/bin/java" ]] || fail "JAVA_HOME=$JAVA_HOME has no bin/java; install a JDK 17 (apt-get install openjdk-17-jre-headless) or fix JAVA_HOME"
    echo "$JAVA_HOME/bin/java"
    return
  fi
  command -v java 2>/dev/null || fail "java not found on PATH; Kafka $KAFKA_VERSION needs Java 11+ (apt-get install openjdk-17-jre-headless)"
}

require_java() {
  local java major
  java="$(java_bin)"
  # `java -version` prints e.g. `openjdk version "17.0.15" 2025-04-15` (or "1.8.0_x" for Java 8).
  major="$("$java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\)\.\{0,1\}\([0-9]*\).*/\1 \2/p' | head -n 1)"
  [[ -n "$major" ]] || fail "cannot tell the version of $java"
  if [[ "${major% *}" == "1" ]]; then major="${major#* }"; else major="${major% *}"; fi
  ((major >= 11)) || fail "$java is Java $major; Kafka $KAFKA_VERSION needs Java 11+"
  echo "$java"
}

mvn_bin() {
  if [[ -n "${MVN:-}" ]]; then
    [[ -x "$MVN" ]] || fail "MVN=$MVN is not an executable; install Maven (apt-get install maven) or fix MVN"
    echo "$MVN"
    return
  fi
  command -v mvn 2>/dev/null || fail "the Kafka jars are not in $LIBS_DIR and Maven (mvn) is not on PATH to fetch them; install Maven 3 (apt-get install maven)"
}

# ---------------------------------------------------------------- install

pom_digest() { sha256sum "$POM" | cut -d' ' -f1; }

is_installed() {
  [[ -f "$LIBS_DIR/.pom.sha256" ]] && [[ "$(cat "$LIBS_DIR/.pom.sha256")" == "$(pom_digest)" ]]
}

# Copies the pinned jars into the cache once; a digest of the POM marks a complete copy, and a
# lock keeps parallel test workers from installing at the same time.
install_jars() {
  is_installed && return 0
  mkdir -p "$CACHE_DIR"
  exec 9>"$CACHE_DIR/.install.lock"
  flock 9
  if ! is_installed; then
    local mvn staging started
    mvn="$(mvn_bin)"
    staging="$(mktemp -d "$CACHE_DIR/.libs.XXXXXX")"
    started=$SECONDS
    say "installing Kafka $KAFKA_VERSION jars from Maven Central into $LIBS_DIR"
    if ! "$mvn" -B -q --no-transfer-progress -Dstyle.color=never -f "$POM" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$staging" >"$staging.log" 2>&1; then
      tail -n 40 "$staging.log" >&2
      rm -rf "$staging" "$staging.log"
      fail "mvn could not fetch the Kafka $KAFKA_VERSION jars (see above)"
    fi
    rm -f "$staging.log"
    pom_digest >"$staging/.pom.sha256"
    rm -rf "$LIBS_DIR"
    mv "$staging" "$LIBS_DIR"
    say "installed $(find "$LIBS_DIR" -name '*.jar' | wc -l) jars in $((SECONDS - started)) s"
  fi
  exec 9>&-
}

# ---------------------------------------------------------------- run dir

PORT=""
CONTROLLER_PORT=""
DIR=""
FRESH=0
TIMEOUT=""

parse_options() {
  while (($#)); do
    case "$1" in
      --port) PORT="${2:?--port needs a value}"; shift 2 ;;
      --controller-port) CONTROLLER_PORT="${2:?--controller-port needs a value}"; shift 2 ;;
      --dir) DIR="${2:?--dir needs a value}"; shift 2 ;;
      --timeout) TIMEOUT="${2:?--timeout needs a value}"; shift 2 ;;
      --fresh) FRESH=1; shift ;;
      -h | --help) usage ;;
      *) fail "unknown option: $1 (see: bash scripts/kafka.sh --help)" ;;
    esac
  done
  for value in "$PORT" "$CONTROLLER_PORT" "$TIMEOUT"; do
    [[ -z "$value" || "$value" =~ ^[0-9]+$ ]] || fail "not a number: $value"
  done
}

# The run dir remembers its ports (ports.env), so stop/restart/wait need only --dir or --port.
resolve_run_dir() {
  if [[ -z "$DIR" ]]; then DIR="$STATE_DIR/kafka-${PORT:-9092}"; fi
  DIR="$(realpath -m "$DIR")"
  if [[ -f "$DIR/ports.env" ]]; then
    local saved_port saved_controller
    saved_port="$(sed -n 's/^PORT=//p' "$DIR/ports.env")"
    saved_controller="$(sed -n 's/^CONTROLLER_PORT=//p' "$DIR/ports.env")"
    PORT="${PORT:-$saved_port}"
    CONTROLLER_PORT="${CONTROLLER_PORT:-$saved_controller}"
  fi
  PORT="${PORT:-9092}"
  CONTROLLER_PORT="${CONTROLLER_PORT:-$((PORT + 1))}"
  [[ "$PORT" != "$CONTROLLER_PORT" ]] || fail "--port and --controller-port must differ (both $PORT)"
}

pid_file() { echo "$DIR/kafka.pid"; }

# The pid in the pid file, if that process is still this dir's broker (pids get reused).
running_pid() {
  local pid
  [[ -f "$(pid_file)" ]] || return 1
  pid="$(cat "$(pid_file)")"
  [[ "$pid" =~ ^[0-9]+$ ]] && [[ -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$SERVER_MAIN $DIR/server.properties"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

write_config() {
  cat >"$DIR/ports.env" <<EOF
PORT=$PORT
CONTROLLER_PORT=$CONTROLLER_PORT
EOF
  # Tuned for a fast single node on a small shared machine: replication factors of 1, no
  # rebalance delay, fewer internal partitions and threads; topics are created explicitly.
  cat >"$DIR/server.properties" <<EOF
# Written by scripts/kafka.sh; rewritten on every start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$DIR/data
auto.create.topics.enable=false
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=24
EOF
  cat >"$DIR/log4j.properties" <<EOF
log4j.rootLogger=INFO, server
log4j.appender.server=org.apache.log4j.RollingFileAppender
log4j.appender.server.File=$DIR/logs/server.log
log4j.appender.server.MaxFileSize=20MB
log4j.appender.server.MaxBackupIndex=2
log4j.appender.server.layout=org.apache.log4j.PatternLayout
log4j.appender.server.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
EOF
  cat >"$DIR/tools-log4j.properties" <<EOF
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
}

# A KRaft cluster id is 16 random bytes in URL-safe base64 without padding (22 characters);
# one starting with "-" would read as an option on the StorageTool command line.
random_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" == -* ]] || break
  done
  echo "$id"
}

format_storage() {
  local java="$1" id
  [[ -f "$DIR/data/meta.properties" ]] && return 0
  id="$(random_cluster_id)"
  mkdir -p "$DIR/data"
  "$java" -Xmx256m -cp "$LIBS_DIR/*" -Dlog4j.configuration="file:$DIR/tools-log4j.properties" \
    "$STORAGE_MAIN" format -t "$id" -c "$DIR/server.properties" --ignore-formatted >"$DIR/logs/format.log" 2>&1 ||
    { cat "$DIR/logs/format.log" >&2; fail "formatting the storage in $DIR/data failed (see above)"; }
  say "formatted $DIR/data (cluster id $id)"
}

server_log_tail() {
  local lines="${1:-40}"
  for log in "$DIR/logs/stdout.log" "$DIR/logs/server.log"; do
    if [[ -s "$log" ]]; then
      echo "---- last $lines lines of $log" >&2
      tail -n "$lines" "$log" >&2
    fi
  done
}

# ---------------------------------------------------------------- commands

cmd_install() {
  require_java >/dev/null
  install_jars
  echo "Kafka $KAFKA_VERSION jars: $LIBS_DIR"
}

cmd_start() {
  resolve_run_dir
  if running_pid; then
    ((FRESH == 0)) || fail "--fresh would wipe the data of the running broker in $DIR; stop it first"
    say "already running (pid $(cat "$(pid_file)"), 127.0.0.1:$PORT, dir $DIR)"
    cmd_wait
    return
  fi
  local java
  if [[ -n "${KAFKA_OWNER_PID:-}" ]]; then
    [[ "$KAFKA_OWNER_PID" =~ ^[1-9][0-9]*$ ]] || fail "KAFKA_OWNER_PID must be a process id, got '$KAFKA_OWNER_PID'"
  fi
  java="$(require_java)"
  install_jars
  for port in "$PORT" "$CONTROLLER_PORT"; do
    ! port_in_use "$port" || fail "port 127.0.0.1:$port is already in use; pick another with --port/--controller-port"
  done
  if ((FRESH)); then rm -rf "$DIR/data" "$DIR/logs"; fi
  mkdir -p "$DIR/logs"
  write_config
  format_storage "$java"
  # shellcheck disable=SC2086 # the option variables are lists of JVM flags
  nohup "$java" ${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m} \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -Djava.awt.headless=true \
    ${KAFKA_JVM_OPTS:-} -Dlog4j.configuration="file:$DIR/log4j.properties" -Dkafka.logs.dir="$DIR/logs" \
    -cp "$LIBS_DIR/*" "$SERVER_MAIN" "$DIR/server.properties" >>"$DIR/logs/stdout.log" 2>&1 </dev/null &
  local jvm=$!
  echo "$jvm" >"$(pid_file)"
  say "started Kafka $KAFKA_VERSION (pid $jvm) on 127.0.0.1:$PORT (controller $CONTROLLER_PORT)"
  if [[ -n "${KAFKA_OWNER_PID:-}" ]]; then watch_owner "$KAFKA_OWNER_PID" "$jvm"; fi
  await_ready "$jvm"
}

# Stops the broker once its owner is gone: a test process killed (a timed-out hook, SIGKILL) never
# runs its exit handlers, and a broker left behind takes CPU from every later test and benchmark.
watch_owner() {
  local owner="$1" jvm="$2"
  # Gone also when it is a zombie that nobody reaps (its parent died too): kill -0 still succeeds.
  nohup bash -c '
    owner=$1 jvm=$2
    alive() { [[ -r /proc/$1/stat ]] && [[ "$(sed -n "s/.*) \(.\).*/\1/p" "/proc/$1/stat")" != Z ]]; }
    while alive "$owner" && kill -0 "$jvm" 2>/dev/null; do sleep 1; done
    kill -TERM "$jvm" 2>/dev/null || exit 0
    for _ in $(seq 300); do kill -0 "$jvm" 2>/dev/null || exit 0; sleep 0.1; done
    kill -KILL "$jvm" 2>/dev/null || true
  ' kafka-owner-watch "$owner" "$jvm" >/dev/null 2>&1 </dev/null &
}

cmd_wait() {
  resolve_run_dir
  running_pid || fail "no broker is running for $DIR (start one: bash scripts/kafka.sh start --dir $DIR)"
  await_ready "$(cat "$(pid_file)")"
}

# Polls until the broker serves; if it dies or times out, shows the end of its logs.
await_ready() {
  local pid="$1" timeout="${TIMEOUT:-90}" started=$SECONDS
  command -v node >/dev/null 2>&1 || fail "node not found on PATH; it runs the readiness probe ($PROBE)"
  local probe=0
  node "$PROBE" "127.0.0.1:$PORT" "$((timeout * 1000))" "$pid" || probe=$?
  case "$probe" in
    0) ;;
    2)
      server_log_tail
      rm -f "$(pid_file)"
      fail "the broker exited during start-up (dir $DIR; its logs are above)"
      ;;
    *)
      server_log_tail
      fail "the broker on 127.0.0.1:$PORT did not serve within ${timeout} s; it is still running (pid $pid): see above, then bash scripts/kafka.sh stop --dir $DIR"
      ;;
  esac
  say "ready after $((SECONDS - started)) s: bootstrap 127.0.0.1:$PORT, logs $DIR/logs/server.log, data $DIR/data"
  echo "127.0.0.1:$PORT"
}

cmd_stop() {
  resolve_run_dir
  local timeout="${TIMEOUT:-30}" pid waited=0
  if ! running_pid; then
    rm -f "$(pid_file)"
    say "not running ($DIR)"
    return 0
  fi
  pid="$(cat "$(pid_file)")"
  kill -TERM "$pid" 2>/dev/null || true
  while running_pid && ((waited < timeout * 10)); do
    sleep 0.1
    waited=$((waited + 1))
  done
  if running_pid; then
    say "still running after ${timeout} s; sending SIGKILL to $pid"
    kill -KILL "$pid" 2>/dev/null || true
    while running_pid; do sleep 0.1; done
  fi
  rm -f "$(pid_file)"
  say "stopped (pid $pid); data kept in $DIR/data"
}

cmd_restart() {
  resolve_run_dir
  local start_timeout="$TIMEOUT"
  TIMEOUT=""
  cmd_stop
  TIMEOUT="$start_timeout"
  FRESH=0
  cmd_start
}

cmd_status() {
  resolve_run_dir
  if running_pid; then
    echo "running: pid $(cat "$(pid_file)"), bootstrap 127.0.0.1:$PORT, controller 127.0.0.1:$CONTROLLER_PORT, dir $DIR"
    return 0
  fi
  echo "stopped: dir $DIR"
  return 3
}

(($#)) || usage
command="$1"
shift
parse_options "$@"
case "$command" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_restart ;;
  status) cmd_status ;;
  wait) cmd_wait ;;
  -h | --help | help) usage ;;
  *) fail "unknown command: $command (start|stop|restart|status|wait|install)" ;;
esac
