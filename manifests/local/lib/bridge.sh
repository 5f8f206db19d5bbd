# The REST proxy: the real Strimzi Kafka Bridge 0.33.1 (vendor jar checked and its runtime
# dependencies resolved by jars.sh), in front of the stack's broker.

BRIDGE_DIR_RUN() { echo "$RUN_DIR/bridge"; }

bridge_pid() { our_pid bridge "$(BRIDGE_DIR_RUN)/bridge.properties"; }

bridge_healthy() {
  bridge_pid >/dev/null &&
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$REST_PROXY_PORT/ready") == 204 ]]
}

# Every key here differs from the bridge's built-in default or is one the tests depend on; each is
# explained in docs/local-stack.md ("The bridge's configuration").
write_bridge_config() {
  local dir=$1
  cat >"$dir/bridge.properties" <<PROPS
# Written by manifests/local/stack for the Strimzi Kafka Bridge $BRIDGE_VERSION (see docs/local-stack.md).
# Prefix of generated consumer names and the client.id of the bridge's producers and admin client.
bridge.id=streamhost-local
# The broker of this stack, by literal address (no name lookup, no IPv6).
kafka.bootstrap.servers=127.0.0.1:$KAFKA_PORT
# Loopback only: the default is 0.0.0.0.
http.host=127.0.0.1
# The stack's REST proxy port (default 8080).
http.port=$REST_PROXY_PORT
# Both sides on, stated explicitly (true is also the default).
http.producer.enabled=true
http.consumer.enabled=true
# Delete a consumer instance idle for 20 s (swept every 10 s; default -1 = never): a test or host that
# dies without deleting its instance stops holding its partitions within 30 s, not 5 minutes. Hosts
# poll at least every 5 s, even when paused or capped, so a live one is never swept.
http.timeoutSeconds=20
# A Kafka consumer of the bridge's that stops heart-beating (the bridge died) leaves its group after
# 15 s, not the Kafka 4.x client default of 45 s: a bridge restart costs the group 15 s of waiting.
kafka.consumer.session.timeout.ms=15000
# A record is acknowledged only once the broker has it (the shipped example file says 1).
kafka.producer.acks=all
PROPS
  # The bridge producer's linger.ms: 0 by default (the Kafka 4.x client's own default is 5 ms). A
  # customer waits on each produce twice (the focus event in, its results out); with 0 the bridge
  # acknowledges a request in about half the time at 500-1,000 focus/s, for ~10 % of drain rate
  # (BENCHMARKS.md, "Per-customer latency by rate"). STREAMHOST_BRIDGE_PRODUCER_LINGER_MS overrides.
  local linger=${STREAMHOST_BRIDGE_PRODUCER_LINGER_MS:-0}
  [[ $linger =~ ^[0-9]+$ ]] ||
    die "STREAMHOST_BRIDGE_PRODUCER_LINGER_MS must be a whole number of ms, not '$linger'"
  printf '%s\n' "# How long the producer waits to fill a batch (STREAMHOST_BRIDGE_PRODUCER_LINGER_MS, default 0)." \
    "kafka.producer.linger.ms=$linger" >>"$dir/bridge.properties"
  # The distribution's logging configuration, checked against SHA256SUMS at resolve time, made
  # quieter: one line per HTTP request and the Kafka clients' INFO chatter (a config dump per
  # consumer) cost CPU on 2 cores. Warnings, errors, start-up and consumer lifecycle lines remain.
  {
    cat "$BRIDGE_LOG4J_COPY"
    cat <<'PROPS'

# Overrides by manifests/local/stack (later keys win): no colour codes in a log file, and quieter.
appender.console.layout.pattern = %d{yyyy-MM-dd HH:mm:ss} %-5p [%t] %c{1}:%L - %m%n
rootLogger.level = WARN
logger.operations.name = http.openapi.operation
logger.operations.level = WARN
PROPS
  } >"$dir/log4j2.properties"
}

bridge_up() {
  local dir log pid t0
  dir=$(BRIDGE_DIR_RUN)
  log=$dir/bridge.log
  if bridge_pid >/dev/null; then say "bridge already running (pid $(bridge_pid))"; return 0; fi
  require_free_port "$REST_PROXY_PORT" "REST proxy"
  t0=$(now_ms)
  rm -rf "$dir/tmp"
  mkdir -p "$dir/tmp"
  write_bridge_config "$dir"
  : >"$log"
  # A clean environment: the Strimzi bridge merges every environment variable into its
  # configuration, over the file (ConfigRetriever), so nothing of the caller's may leak in.
  pid=$(spawn "$log" env -i PATH="$PATH" HOME="${HOME:-/root}" ${JAVA_HOME:+JAVA_HOME="$JAVA_HOME"} \
    java -Xms64m -Xmx256m -XX:+UseSerialGC -XX:-UsePerfData -Djava.awt.headless=true \
    "-Djava.io.tmpdir=$dir/tmp" "-Dvertx.cacheDirBase=$dir/tmp/vertx" \
    -Djava.security.egd=file:/dev/./urandom \
    "-Dlog4j2.configurationFile=file:$dir/log4j2.properties" \
    -cp "$BRIDGE_LIBS/*" io.strimzi.kafka.bridge.Application --config-file "$dir/bridge.properties")
  echo "$pid" >"$(pid_file bridge)"
  local deadline=$(($(date +%s) + START_TIMEOUT)) url=http://127.0.0.1:$REST_PROXY_PORT
  until [[ $(curl -s -o /dev/null -w '%{http_code}' "$url/ready") == 204 ]]; do
    kill -0 "$pid" 2>/dev/null || fail_start bridge "$log" "the process exited"
    (($(date +%s) < deadline)) || fail_start bridge "$log" "/ready not 204 after ${START_TIMEOUT}s"
    sleep 0.25
  done
  # /ready does not look at Kafka; listing topics proves the path to the broker works.
  until [[ $(curl -s -o /dev/null -w '%{http_code}' "$url/topics") == 200 ]]; do
    kill -0 "$pid" 2>/dev/null || fail_start bridge "$log" "the process exited"
    (($(date +%s) < deadline)) || fail_start bridge "$log" "GET /topics not 200 after ${START_TIMEOUT}s"
    sleep 0.25
  done
  local info
  info=$(curl -s "$url/")
  [[ $info == *"\"bridge_version\":\"$BRIDGE_VERSION\""* ]] ||
    fail_start bridge "$log" "GET / answered '$info', not bridge_version $BRIDGE_VERSION"
  say "bridge ready on $url (Strimzi Kafka Bridge $BRIDGE_VERSION, pid $pid, $(elapsed "$t0"))"
}

bridge_down() {
  local pid
  if pid=$(bridge_pid); then
    stop_pid bridge "$pid"
    wait_port_closed "$REST_PROXY_PORT"
    say "bridge stopped"
  fi
  rm -f "$(pid_file bridge)"
}

# A private bridge for a test that must freeze or kill its REST proxy without disturbing the
# others sharing the stack: a second Strimzi bridge process on PORT against this stack's broker,
# its files in DIR, with the shared bridge's configuration. Echoes its PID once it answers; the
# caller stops it (kill PID). Its PID is also recorded under the run dir (private-bridges/PORT.pid,
# with its configuration file as the marker), so `stack down` stops one its caller left behind.
PRIVATE_BRIDGES_RUN() { echo "$RUN_DIR/private-bridges"; }

private_bridge_up() {
  local dir=$1 port=$2 log pid
  [[ $port =~ ^[0-9]+$ ]] || die "usage: stack private-bridge DIR PORT"
  kafka_healthy || die "kafka is not up: run manifests/local/stack up"
  require_free_port "$port" "private bridge"
  mkdir -p "$dir/tmp"
  dir=$(cd "$dir" && pwd)
  log=$dir/bridge.log
  # write_bridge_config reads REST_PROXY_PORT: this bridge's port, for this call only.
  REST_PROXY_PORT=$port write_bridge_config "$dir"
  sed -i "s/^bridge.id=.*/bridge.id=streamhost-private-$port/" "$dir/bridge.properties"
  : >"$log"
  pid=$(spawn "$log" env -i PATH="$PATH" HOME="${HOME:-/root}" ${JAVA_HOME:+JAVA_HOME="$JAVA_HOME"} \
    java -Xms64m -Xmx256m -XX:+UseSerialGC -XX:-UsePerfData -Djava.awt.headless=true \
    "-Djava.io.tmpdir=$dir/tmp" "-Dvertx.cacheDirBase=$dir/tmp/vertx" \
    -Djava.security.egd=file:/dev/./urandom \
    "-Dlog4j2.configurationFile=file:$dir/log4j2.properties" \
    -cp "$BRIDGE_LIBS/*" io.strimzi.kafka.bridge.Application --config-file "$dir/bridge.properties")
  mkdir -p "$(PRIVATE_BRIDGES_RUN)"
  printf '%s\n%s\n' "$pid" "$dir/bridge.properties" >"$(PRIVATE_BRIDGES_RUN)/$port.pid"
  local deadline=$(($(date +%s) + START_TIMEOUT)) url=http://127.0.0.1:$port
  until [[ $(curl -s -o /dev/null -w '%{http_code}' "$url/topics") == 200 ]]; do
    kill -0 "$pid" 2>/dev/null || { kill "$pid" 2>/dev/null; fail_start "private bridge" "$log" "the process exited"; }
    (($(date +%s) < deadline)) || { kill "$pid" 2>/dev/null; fail_start "private bridge" "$log" "GET /topics not 200 after ${START_TIMEOUT}s"; }
    sleep 0.25
  done
  echo "$pid"
}

# Stops every private bridge still running (its command line still names the configuration file
# recorded with its PID, so a recycled PID is never signalled) and forgets the PID files.
private_bridges_down() {
  local file pid marker
  for file in "$(PRIVATE_BRIDGES_RUN)"/*.pid; do
    [[ -f $file ]] || continue
    { read -r pid && read -r marker; } <"$file" || true
    if [[ ${pid:-} =~ ^[0-9]+$ && -n ${marker:-} && -r /proc/$pid/cmdline &&
      $(tr '\0' ' ' <"/proc/$pid/cmdline") == *"$marker"* ]]; then
      kill -CONT "$pid" 2>/dev/null || true # a frozen (SIGSTOPped) bridge cannot act on SIGTERM
      stop_pid "private bridge" "$pid"
      say "private bridge on port $(basename "$file" .pid) stopped"
    fi
    rm -f "$file"
  done
}
