# Optional: the coupon scorer, started only when it is built and its model exists. Kept apart so its
# command line and readiness check can change without touching the rest of the stack.

scorer_bin() { echo "$BUILD_DIR/bin/coupon-scorer"; }
scorer_model() { echo "$STACK_REPO/plugin/coupon/model/model.json"; }
scorer_configured() { [[ -x $(scorer_bin) && -f $(scorer_model) ]]; }
scorer_pid() { our_pid scorer "$(scorer_bin) --listen 127.0.0.1 --port $SCORER_PORT"; }

scorer_healthy() {
  scorer_pid >/dev/null &&
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SCORER_PORT/healthcheck") == 200 ]]
}

scorer_up() {
  local dir log pid t0
  if ! scorer_configured; then
    say "scorer skipped: $(scorer_bin) or $(scorer_model) does not exist yet"
    return 0
  fi
  if scorer_pid >/dev/null; then say "scorer already running (pid $(scorer_pid))"; return 0; fi
  require_free_port "$SCORER_PORT" "coupon scorer"
  t0=$(now_ms)
  dir=$RUN_DIR/scorer
  log=$dir/scorer.log
  mkdir -p "$dir"
  : >"$log"
  pid=$(spawn "$log" "$(scorer_bin)" --listen 127.0.0.1 --port "$SCORER_PORT" --model "$(scorer_model)")
  echo "$pid" >"$(pid_file scorer)"
  local deadline=$(($(date +%s) + START_TIMEOUT))
  until [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SCORER_PORT/healthcheck") == 200 ]]; do
    kill -0 "$pid" 2>/dev/null || fail_start scorer "$log" "the process exited"
    (($(date +%s) < deadline)) || fail_start scorer "$log" "/healthcheck not 200 after ${START_TIMEOUT}s"
    sleep 0.25
  done
  say "scorer ready on http://127.0.0.1:$SCORER_PORT (pid $pid, $(elapsed "$t0"))"
}

scorer_down() {
  local pid
  if pid=$(scorer_pid); then
    stop_pid scorer "$pid"
    wait_port_closed "$SCORER_PORT"
    say "scorer stopped"
  fi
  rm -f "$(pid_file scorer)"
}
