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

# The broker a `stack topic` call talks to: STREAMHOST_KAFKA_BOOTSTRAP when set (what `stack env`
# exports; point it at another cluster to create topics there), else this stack's broker.
kafka_bootstrap() { echo "${STREAMHOST_KAFKA_BOOTSTRAP:-127.0.0.1:$KAFKA_PORT}"; }

# Kafka's own admin tool (org.apache.kafka.tools.TopicCommand, kafka-tools on the broker's
# classpath), so topics are created the same way whatever REST proxy is in front of the broker.
# One JVM per call, kept lean: C1 only, a small heap, and a class-data-sharing archive of the
# classes TopicCommand loads, written beside the jars by the first call (1.1-1.3 s a call with it,
# 1.8-2.1 s without, on 2 busy cores). Output goes to stdout and stderr; the exit code is
# TopicCommand's.
topic_command() {
  local java_id jsa cds=() tmp=
  # An archive only fits the JVM that wrote it: its name follows the java binary (a JDK update
  # replaces it), and the folder is replaced whenever its jars change.
  java_id=$(stat -L -c '%s %Y' "$(readlink -f "$(command -v java)")" | sha256sum | cut -c1-12)
  jsa=$KAFKA_LIBS/.topic-command-$java_id.jsa
  if [[ -f $jsa ]]; then
    cds=("-XX:SharedArchiveFile=$jsa")
  elif [[ -w $KAFKA_LIBS ]]; then
    tmp=$jsa.$BASHPID
    cds=("-XX:ArchiveClassesAtExit=$tmp")
  fi
  local rc=0
  env -i PATH="$PATH" HOME="${HOME:-/root}" ${JAVA_HOME:+JAVA_HOME="$JAVA_HOME"} \
    java -Xms16m -Xmx128m -XX:TieredStopAtLevel=1 -Xshare:auto -Xlog:cds=off,cds+dynamic=off \
    "${cds[@]}" -XX:+UseSerialGC -XX:-UsePerfData -Djava.awt.headless=true \
    -cp "$KAFKA_LIBS/*" org.apache.kafka.tools.TopicCommand "$@" || rc=$?
  if [[ -n $tmp ]]; then
    # Written at exit; several first calls may race, each with its own file, and the last one wins.
    if ((rc == 0)) && [[ -s $tmp ]]; then mv -f "$tmp" "$jsa"; else rm -f "$tmp"; fi
  fi
  return "$rc"
}

# Creates topics, each given as NAME:PARTITIONS, with the broker's default replication factor; an
# existing topic is fine (its partition count is left as it is). The tool runs once per topic, all
# topics of a call at the same time.
kafka_create_topics() {
  local spec name parts bootstrap i=0 failed=0 out
  bootstrap=$(kafka_bootstrap)
  for spec in "$@"; do
    name=${spec%:*} parts=${spec##*:}
    [[ $spec == *:* && $name =~ ^[A-Za-z0-9._-]{1,249}$ && $name != . && $name != .. ]] ||
      die "invalid topic '$spec': expected NAME:PARTITIONS, NAME of letters, digits, '.', '_', '-'"
    [[ $parts =~ ^[1-9][0-9]{0,4}$ ]] || die "invalid partition count in '$spec'"
  done
  [[ -f $KAFKA_LIBS/.inputs ]] || die "the Kafka jars are not resolved: run manifests/local/stack resolve"
  # Fail at once rather than after the admin client's 60 s when the stack's own broker is meant.
  if [[ $bootstrap == "127.0.0.1:$KAFKA_PORT" ]]; then
    port_open "$KAFKA_PORT" || die "nothing listens on $bootstrap: run manifests/local/stack up"
  fi
  out=$(mktemp -d)
  local pids=()
  for spec in "$@"; do
    topic_command --bootstrap-server "$bootstrap" --create --if-not-exists \
      --topic "${spec%:*}" --partitions "${spec##*:}" >"$out/$i.log" 2>&1 &
    pids+=($!)
    i=$((i + 1))
  done
  i=0
  for spec in "$@"; do
    if ! wait "${pids[$i]}"; then
      failed=1
      printf 'stack: ERROR: creating topic %s on %s failed:\n' "${spec%:*}" "$bootstrap" >&2
      cat "$out/$i.log" >&2
    elif grep -q '^Created topic' "$out/$i.log"; then
      say "topic ${spec%:*} created with ${spec##*:} partition(s)"
    else
      say "topic ${spec%:*} already exists"
    fi
    i=$((i + 1))
  done
  rm -rf "$out"
  ((failed == 0)) || exit 1
}
