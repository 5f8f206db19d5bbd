#!/usr/bin/env bash
# End-to-end check of manifests/pipelines/field-mapper.yaml against the local stack (real Kafka, real
# REST proxy): one good event must come out mapped, one malformed event must land in the dead-letter
# topic with its reason, and SIGTERM must stop the host cleanly.
# Usage: test_end_to_end.sh STREAMHOST_BIN PLUGIN_DIR MANIFEST
set -uo pipefail
BIN=$1 PLUGIN_DIR=$2 MANIFEST=$3

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
LOG=$(mktemp)
CHECKER=fm-check-$SUFFIX
V2='content-type: application/vnd.kafka.v2+json'

fail() { echo "FAIL: $*" >&2; echo "--- streamhost log:" >&2; cat "$LOG" >&2; exit 1; }
cleanup() {
  curl -s -X DELETE "$PROXY/consumers/$CHECKER/instances/c1" >/dev/null 2>&1
  [[ -n "${HOST_PID:-}" ]] && kill "$HOST_PID" 2>/dev/null
  rm -f "$LOG"
}
trap cleanup EXIT

curl -sf -X POST "$PROXY/topics/$INPUT_TOPIC" -H 'content-type: application/vnd.kafka.json.v2+json' \
  -d '{"records":[{"key":"c-7","value":{"order_id":5,"cust":"c-7","internal_note":"x"}},
                  {"key":"c-8","value":"not an object"}]}' >/dev/null || fail "cannot produce the input"

"$BIN" run -f "$MANIFEST" >"$LOG" 2>&1 &
HOST_PID=$!

curl -sf -X POST "$PROXY/consumers/$CHECKER" -H "$V2" \
  -d '{"name":"c1","format":"json","auto.offset.reset":"earliest"}' >/dev/null ||
  fail "cannot create the checking consumer"
curl -sf -X POST "$PROXY/consumers/$CHECKER/instances/c1/subscription" -H "$V2" \
  -d "{\"topics\":[\"$OUTPUT_TOPIC\",\"$DEAD_LETTER_TOPIC\"]}" >/dev/null || fail "cannot subscribe"

SEEN=""
for _ in $(seq 1 60); do  # a deadline for a broken pipeline, not a speed check
  SEEN+=$(curl -s "$PROXY/consumers/$CHECKER/instances/c1/records?timeout=1000" \
            -H 'accept: application/vnd.kafka.json.v2+json')
  [[ $SEEN == *'"customer_id":"c-7"'* && $SEEN == *'payload: expected an object'* ]] && break
  kill -0 "$HOST_PID" 2>/dev/null || fail "streamhost exited early"
done
[[ $SEEN == *'{"order_id":5,"customer_id":"c-7","id":5}'* ]] || fail "no mapped record in $SEEN"
[[ $SEEN == *'"reason":"payload: expected an object, got \"not an object\""'* ]] ||
  fail "no dead letter in $SEEN"

kill -TERM "$HOST_PID"
wait "$HOST_PID"
STATUS=$?
HOST_PID=""
[[ $STATUS -eq 0 ]] || fail "streamhost exited with $STATUS after SIGTERM"
echo "field-mapper pipeline: mapped and dead-lettered as expected"
