# The REST proxy: the local bridge (manifests/local/kafka/bridge) speaking the Strimzi bridge dialect.

BRIDGE_DIR_RUN() { echo "$RUN_DIR/bridge"; }

bridge_pid() { our_pid bridge "$(BRIDGE_DIR_RUN)/application.properties"; }

bridge_healthy() {
  bridge_pid >/dev/null &&
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$REST_PROXY_PORT/ready") == 204 ]]
}

write_bridge_config() {
  local dir=$1
  cat >"$dir/application.properties" <<PROPS
# Written by manifests/local/stack.
bridge.id=streamhost-local
http.host=127.0.0.1
http.port=$REST_PROXY_PORT
http.producer.enabled=true
http.consumer.enabled=true
kafka.bootstrap.servers=127.0.0.1:$KAFKA_PORT
kafka.producer.acks=all
kafka.producer.linger.ms=5
kafka.consumer.auto.offset.reset=earliest
kafka.consumer.max.poll.records=500
PROPS
}

bridge_up() {
  local dir log pid t0
  dir=$(BRIDGE_DIR_RUN)
  log=$dir/bridge.log
  if bridge_pid >/dev/null; then say "bridge already running (pid $(bridge_pid))"; return 0; fi
  require_free_port "$REST_PROXY_PORT" "REST proxy"
  t0=$(now_ms)
  mkdir -p "$dir/tmp"
  write_bridge_config "$dir"
  : >"$log"
  # A clean environment: the Strimzi bridge merges every environment variable into its config, and
  # this one keeps the same rule so the two stay interchangeable.
  pid=$(spawn "$log" env -i PATH="$PATH" HOME="${HOME:-/root}" ${JAVA_HOME:+JAVA_HOME="$JAVA_HOME"} \
    java -Xms64m -Xmx256m -XX:+UseSerialGC -XX:-UsePerfData -Djava.awt.headless=true \
    "-Djava.io.tmpdir=$dir/tmp" "-Dvertx.cacheDirBase=$dir/tmp/vertx" \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -Dsun.net.httpserver.nodelay=true \
    -cp "$BRIDGE_LIBS/*" io.streamhost.localbridge.LocalBridge --config-file "$dir/application.properties")
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
  say "bridge ready on $url (pid $pid, $(elapsed "$t0"))"
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

# Creates a topic with N partitions through the bridge's admin endpoint; an existing topic is fine.
bridge_create_topic() {
  local name=$1 partitions=$2 code
  [[ $partitions =~ ^[1-9][0-9]*$ ]] || die "partitions must be a positive number"
  code=$(curl -s -o "$RUN_DIR/topic-reply.json" -w '%{http_code}' -X POST \
    -H 'Content-Type: application/vnd.kafka.json.v2+json' \
    --data "{\"topic_name\":\"$name\",\"partitions_count\":$partitions,\"replication_factor\":1}" \
    "http://127.0.0.1:$REST_PROXY_PORT/admin/topics")
  case $code in
    201) say "topic $name created with $partitions partition(s)" ;;
    409) say "topic $name already exists" ;;
    *) die "creating topic $name failed (HTTP $code): $(cat "$RUN_DIR/topic-reply.json")" ;;
  esac
}
