# Common functions for manifests/local/stack: paths, ports, PID files, readiness waits.
# Sourced, never executed. Every process the stack signals is one it started, checked by command line.

STACK_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
RUN_DIR=${STREAMHOST_RUN_DIR:-$STACK_REPO/.run/stack}
CACHE_DIR=${STREAMHOST_CACHE_DIR:-$STACK_REPO/.cache}
BUILD_DIR=$(realpath -m "${STREAMHOST_BUILD_DIR:-$STACK_REPO/build}")
KAFKA_LIBS=$CACHE_DIR/kafka/broker-libs
BRIDGE_LIBS=$CACHE_DIR/kafka/bridge-libs
STOP_TIMEOUT=${STREAMHOST_STOP_TIMEOUT:-30}
START_TIMEOUT=${STREAMHOST_START_TIMEOUT:-90}

say() { printf 'stack: %s\n' "$*" >&2; }
die() { printf 'stack: ERROR: %s\n' "$*" >&2; exit 1; }

# Ports are fixed at the first `up` of a run dir (ports.env) so that `env`, `status` and `down` in
# another shell agree with the running stack even when `up` was given overrides.
load_ports() {
  if [[ -f $RUN_DIR/ports.env ]]; then
    # shellcheck disable=SC1091
    source "$RUN_DIR/ports.env"
  fi
  KAFKA_PORT=${STREAMHOST_KAFKA_PORT:-${KAFKA_PORT:-19092}}
  KAFKA_CONTROLLER_PORT=${STREAMHOST_KAFKA_CONTROLLER_PORT:-${KAFKA_CONTROLLER_PORT:-19093}}
  REST_PROXY_PORT=${STREAMHOST_REST_PROXY_PORT:-${REST_PROXY_PORT:-18082}}
  PG_PORT=${STREAMHOST_PG_PORT:-${PG_PORT:-15432}}
  SCORER_PORT=${STREAMHOST_SCORER_PORT:-${SCORER_PORT:-18001}}
}

save_ports() {
  mkdir -p "$RUN_DIR"
  cat >"$RUN_DIR/ports.env" <<PORTS
KAFKA_PORT=$KAFKA_PORT
KAFKA_CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT
REST_PROXY_PORT=$REST_PROXY_PORT
PG_PORT=$PG_PORT
SCORER_PORT=$SCORER_PORT
PORTS
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Fails with the holder's name when a port is already taken by something that is not ours.
require_free_port() {
  local port=$1 what=$2
  if port_open "$port" || ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
    local holder
    holder=$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'users:(([^)]*))' | head -1)
    die "port $port ($what) is already in use${holder:+ by $holder}; free it or set the port's env override (see docs/local-stack.md)"
  fi
}

pid_file() { echo "$RUN_DIR/$1.pid"; }

# A PID file's process is ours only while its command line still carries our marker (a path inside
# this run dir), so a recycled PID is never signalled.
our_pid() {
  local name=$1 marker=$2 pid
  [[ -f $(pid_file "$name") ]] || return 1
  pid=$(<"$(pid_file "$name")")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  # No pipe into grep -q here: under pipefail an early exit could turn a match into a failure.
  [[ $(tr '\0' ' ' <"/proc/$pid/cmdline") == *"$marker"* ]] || return 1
  echo "$pid"
}

# SIGTERM, wait up to STOP_TIMEOUT seconds, then SIGKILL.
stop_pid() {
  local name=$1 pid=$2 waited=0
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= STOP_TIMEOUT * 10)); then
      say "$name did not stop within ${STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

wait_port_closed() {
  local port=$1 n=0
  while port_open "$port" && ((n < 100)); do sleep 0.1; n=$((n + 1)); done
}

# Prints the end of a component's log and stops `up`.
fail_start() {
  local name=$1 log=$2 why=$3
  printf 'stack: ERROR: %s failed to start: %s\n' "$name" "$why" >&2
  if [[ -f $log ]]; then
    printf -- '--- last lines of %s ---\n' "$log" >&2
    tail -n 30 "$log" >&2
    printf -- '---\n' >&2
  fi
  exit 1
}

# Starts a command detached in its own session, output to a log; echoes its PID.
spawn() {
  local log=$1
  shift
  # fd 9 is the run dir's lock: a daemon must not keep holding it.
  setsid "$@" >>"$log" 2>&1 </dev/null 9>&- &
  echo $!
}

now_ms() { date +%s%3N; }
elapsed() { local t0=$1; local t1; t1=$(now_ms); printf '%d.%01ds' $(((t1 - t0) / 1000)) $((((t1 - t0) % 1000) / 100)); }
