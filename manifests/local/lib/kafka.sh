# Apache Kafka 4.x in KRaft combined mode (one JVM is broker and controller), loopback only.

KAFKA_DIR() { echo "$RUN_DIR/kafka"; }

kafka_pid() { our_pid kafka "$(KAFKA_DIR)/server.properties"; }

kafka_healthy() { kafka_pid >/dev/null && port_open "$KAFKA_PORT"; }

write_kafka_config() {
  local dir=$1
  cat >"$dir/server.properties" <<PROPS
# Written by manifests/local/stack: a single-node KRaft cluster sized for a 2-core machine.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=1
# The default waits 3 s before the first rebalance; tests create many short-lived groups.
group.initial.rebalance.delay.ms=0
# The default 128 MiB dedupe buffer is heap-allocated; far too much for a 512 MiB heap.
log.cleaner.dedupe.buffer.size=16777216
num.network.threads=2
num.io.threads=2
background.threads=2
PROPS
  cat >"$dir/log4j2.properties" <<'PROPS'
# Quiet by default: warnings, errors and the start-up line only.
appender.console.type=Console
appender.console.name=STDOUT
appender.console.layout.type=PatternLayout
appender.console.layout.pattern=[%d] %p %m (%c)%n
rootLogger.level=warn
rootLogger.appenderRef.stdout.ref=STDOUT
logger.raft.name=kafka.server.KafkaRaftServer
logger.raft.level=info
PROPS
}

kafka_java() {
  local dir=$1 heap=$2
  shift 2
  env -i PATH="$PATH" HOME="${HOME:-/root}" ${JAVA_HOME:+JAVA_HOME="$JAVA_HOME"} \
    java "-Xmx$heap" -XX:+UseSerialGC -XX:-UsePerfData -Djava.awt.headless=true \
    "-Djava.io.tmpdir=$dir/tmp" "-Dlog4j2.configurationFile=$dir/log4j2.properties" \
    -cp "$KAFKA_LIBS/*" "$@"
}

kafka_up() {
  local dir t0 pid log cid
  dir=$(KAFKA_DIR)
  log=$dir/kafka.log
  if kafka_pid >/dev/null; then say "kafka already running (pid $(kafka_pid))"; return 0; fi
  require_free_port "$KAFKA_PORT" "Kafka"
  require_free_port "$KAFKA_CONTROLLER_PORT" "Kafka controller"
  t0=$(now_ms)
  # A fresh data directory on every start: no stale cluster id, no leftover topics.
  rm -rf "$dir/data" "$dir/tmp"
  mkdir -p "$dir/data" "$dir/tmp"
  write_kafka_config "$dir"
  : >"$log"
  cid=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
  kafka_java "$dir" 256m kafka.tools.StorageTool format -t "$cid" -c "$dir/server.properties" \
    >>"$log" 2>&1 || fail_start kafka "$log" "storage format failed"
  pid=$(spawn "$log" env -i PATH="$PATH" HOME="${HOME:-/root}" ${JAVA_HOME:+JAVA_HOME="$JAVA_HOME"} \
    java -Xms128m -Xmx512m -XX:+UseSerialGC -XX:-UsePerfData -Djava.awt.headless=true \
    "-Djava.io.tmpdir=$dir/tmp" "-Dlog4j2.configurationFile=$dir/log4j2.properties" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$dir/server.properties")
  echo "$pid" >"$(pid_file kafka)"
  local deadline=$(($(date +%s) + START_TIMEOUT))
  until port_open "$KAFKA_PORT" && grep -q "Kafka Server started" "$log"; do
    kill -0 "$pid" 2>/dev/null || fail_start kafka "$log" "the process exited"
    (($(date +%s) < deadline)) || fail_start kafka "$log" "not ready after ${START_TIMEOUT}s"
    sleep 0.25
  done
  say "kafka ready on 127.0.0.1:$KAFKA_PORT (pid $pid, $(elapsed "$t0"))"
}

kafka_down() {
  local pid
  if pid=$(kafka_pid); then
    stop_pid kafka "$pid"
    wait_port_closed "$KAFKA_PORT"
    say "kafka stopped"
  fi
  rm -f "$(pid_file kafka)"
}
