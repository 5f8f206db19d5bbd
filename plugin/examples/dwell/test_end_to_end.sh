#!/usr/bin/env bash
# End-to-end check of manifests/pipelines/dwell.yaml against the local stack (real Kafka, real REST
# proxy): a customer staying in the bakery must come out as one dwell record, a malformed visit
# must land in the dead-letter topic with its reason, and SIGTERM must stop the host cleanly.
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
export MIN_DWELL_S=300 MAX_GAP_S=600 INPUT_TOPIC=dw-in-$SUFFIX OUTPUT_TOPIC=dw-out-$SUFFIX DEAD_LETTER_TOPIC=dw-dlq-$SUFFIX
export GROUP_ID=dw-$SUFFIX STREAMHOST_PLUGIN_DIR=$PLUGIN_DIR
ADMIN_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export ADMIN_PORT
LOG=$(mktemp)
CHECKER=dw-check-$SUFFIX
V2='content-type: application/vnd.kafka.v2+json'

fail() { echo "FAIL: $*" >&2; echo "--- streamhost log:" >&2; cat "$LOG" >&2; exit 1; }
cleanup() {
  curl -s -X DELETE "$PROXY/consumers/$CHECKER/instances/c1" >/dev/null 2>&1
  [[ -n "${HOST_PID:-}" ]] && kill "$HOST_PID" 2>/dev/null
  rm -f "$LOG"
}
trap cleanup EXIT

visit() { echo "{\"key\":\"$1\",\"value\":{\"customer_id\":$1,\"lat\":52.52,\"lon\":13.4051,\"ts\":$2}}"; }
curl -sf -X POST "$PROXY/topics/$INPUT_TOPIC" -H 'content-type: application/vnd.kafka.json.v2+json' \
  -d "{\"records\":[$(visit 7 1000),$(visit 7 1200),$(visit 7 1300),$(visit 7 1400),
                   {\"key\":\"9\",\"value\":{\"customer_id\":\"x\"}}]}" >/dev/null ||
  fail "cannot produce the input"

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
  [[ $SEEN == *'"dwell_s":300'* && $SEEN == *'payload.customer_id'* ]] && break
  kill -0 "$HOST_PID" 2>/dev/null || fail "streamhost exited early"
done
[[ $SEEN == *'{"customer_id":7,"zone":"bakery","since":1000,"dwell_s":300}'* ]] ||
  fail "no dwell record in $SEEN"
[[ $SEEN != *'"dwell_s":400'* ]] || fail "a stay was reported twice: $SEEN"
[[ $SEEN == *'payload.customer_id: expected an integer, got \"x\"'* ]] ||
  fail "no dead letter in $SEEN"

kill -TERM "$HOST_PID"
wait "$HOST_PID"
STATUS=$?
HOST_PID=""
[[ $STATUS -eq 0 ]] || fail "streamhost exited with $STATUS after SIGTERM"
echo "dwell pipeline: one dwell record and one dead letter, as expected"
