#!/usr/bin/env bash
# End-to-end check of manifests/pipelines/field-mapper.yaml against the local stack (real Kafka, real
# REST proxy, either dialect): one good event must come out mapped, one malformed event must land in
# the dead-letter topic with its reason, and SIGTERM must stop the host cleanly. Topics are created
# through Kafka (a proxy need not auto-create them), and records are compared as JSON values (a
# proxy may re-serialise them, e.g. with sorted keys).
# Usage: test_end_to_end.sh STREAMHOST_BIN PLUGIN_DIR MANIFEST [STACK_SCRIPT]
# STREAMHOST_STACK_SCRIPT in the environment overrides STACK_SCRIPT (manifests/local/stack).
set -uo pipefail
BIN=$1 PLUGIN_DIR=$2 MANIFEST=$3
STACK=${STREAMHOST_STACK_SCRIPT:-${4:-$(dirname "$0")/../../../manifests/local/stack}}

if [[ -z "${STREAMHOST_REST_PROXY_URL:-}" ]]; then
  echo "STREAMHOST_REST_PROXY_URL is not set: run manifests/local/stack up, then" \
       "eval \"\$(manifests/local/stack env)\" before ctest" >&2
  exit 1
fi
PROXY=$STREAMHOST_REST_PROXY_URL
SUFFIX=$RANDOM$RANDOM
export INPUT_TOPIC=fm-in-$SUFFIX OUTPUT_TOPIC=fm-out-$SUFFIX DEAD_LETTER_TOPIC=fm-dlq-$SUFFIX
export GROUP_ID=fm-$SUFFIX STREAMHOST_PLUGIN_DIR=$PLUGIN_DIR
ADMIN_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export ADMIN_PORT
LOG=$(mktemp) SEEN=$(mktemp) BODY=$(mktemp)
CHECKER=fm-check-$SUFFIX

fail() {
  echo "FAIL: $*" >&2
  if [[ -z "${HOST_STARTED:-}" ]]; then
    echo "--- streamhost was not started yet" >&2
  else
    echo "--- streamhost log:" >&2
    if [[ -s $LOG ]]; then cat "$LOG" >&2; else echo "(streamhost wrote nothing)" >&2; fi
  fi
  exit 1
}
cleanup() {
  curl -s -X DELETE "$PROXY/consumers/$CHECKER/instances/c1" >/dev/null 2>&1
  [[ -n "${HOST_PID:-}" ]] && kill "$HOST_PID" 2>/dev/null
  rm -f "$LOG" "$SEEN" "$BODY"
}
trap cleanup EXIT

# POST URL CONTENT_TYPE BODY WHAT: fails with the proxy's own answer (status and body) on an error.
post() {
  local status
  status=$(curl -sS -o "$BODY" -w '%{http_code}' -X POST "$1" -H "content-type: $2" -d "$3") ||
    fail "$4: the proxy at $PROXY did not answer"
  ((status < 300)) || fail "$4: HTTP $status: $(cat "$BODY")"
}

"$STACK" topic "$INPUT_TOPIC:1" "$OUTPUT_TOPIC:1" "$DEAD_LETTER_TOPIC:1" >"$BODY" 2>&1 ||
  fail "cannot create the topics through Kafka ($STACK topic): $(cat "$BODY")"

"$BIN" run -f "$MANIFEST" >"$LOG" 2>&1 &
HOST_PID=$! HOST_STARTED=1

post "$PROXY/topics/$INPUT_TOPIC" application/vnd.kafka.json.v2+json \
  '{"records":[{"key":"c-7","value":{"order_id":5,"cust":"c-7","internal_note":"x"}},
               {"key":"c-8","value":"not an object"}]}' "cannot produce the input"
post "$PROXY/consumers/$CHECKER" application/vnd.kafka.v2+json \
  '{"name":"c1","format":"json","auto.offset.reset":"earliest"}' "cannot create the checking consumer"
post "$PROXY/consumers/$CHECKER/instances/c1/subscription" application/vnd.kafka.v2+json \
  "{\"topics\":[\"$OUTPUT_TOPIC\",\"$DEAD_LETTER_TOPIC\"]}" "cannot subscribe"

# Each read's JSON array on a line of its own; "missing" lists what has not been seen yet.
check() {
  python3 - "$SEEN" "$OUTPUT_TOPIC" "$DEAD_LETTER_TOPIC" <<'PY'
import json, sys
seen, out_topic, dlq_topic = sys.argv[1:]
records = []
for line in open(seen):
    line = line.strip()
    if line:
        try:
            records += json.loads(line)
        except ValueError:
            pass  # an error reply; the deadline decides
missing = []
if not any(r.get("topic") == out_topic and r.get("value") == {"order_id": 5, "customer_id": "c-7", "id": 5}
           for r in records):
    missing.append("the mapped record {order_id: 5, customer_id: c-7, id: 5} in " + out_topic)
if not any(r.get("topic") == dlq_topic and isinstance(r.get("value"), dict)
           and r["value"].get("reason") == 'payload: expected an object, got "not an object"'
           for r in records):
    missing.append("a dead letter with reason 'payload: expected an object, got \"not an object\"' in "
                   + dlq_topic)
print("; ".join(missing))
PY
}
MISSING=unread
for _ in $(seq 1 60); do  # a deadline for a broken pipeline, not a speed check
  curl -sS "$PROXY/consumers/$CHECKER/instances/c1/records?timeout=1000" \
    -H 'accept: application/vnd.kafka.json.v2+json' >>"$SEEN"
  echo >>"$SEEN"
  MISSING=$(check)
  [[ -z $MISSING ]] && break
  kill -0 "$HOST_PID" 2>/dev/null || fail "streamhost exited early"
done
[[ -z $MISSING ]] || fail "missing: $MISSING; read: $(cat "$SEEN")"

kill -TERM "$HOST_PID"
wait "$HOST_PID"
STATUS=$?
HOST_PID=""
[[ $STATUS -eq 0 ]] || fail "streamhost exited with $STATUS after SIGTERM"
echo "field-mapper pipeline: mapped and dead-lettered as expected"
