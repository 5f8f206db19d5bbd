"""Expected answers: what each (customer, department) focus event must produce, from the real
plugin and scorer (a streamhost with TESTING_NO_KAFKA=true, POST /mock_focus), cached."""

import hashlib
import json
import os
import signal
import subprocess
import threading
import time

from .services.host import free_port, http_status
from .services.rest_proxy import http_call
from .settings import CATEGORIES, MANIFEST, REPO, now


def prefix_free(cats):
    """The departments of one customer whose answers (ranked coupon lists) can be told apart in
    the customer's output stream: no list equals or starts another one, so the stream of a key
    parses into answers in exactly one way. Deterministic: alphabetical, first wins."""
    chosen = {}
    for cat in sorted(cats):
        lst = cats[cat]
        if all(lst[:len(o)] != o and o[:len(lst)] != lst for o in chosen.values()):
            chosen[cat] = lst
    return chosen


def calibrate(env, base_dir, customers_needed):
    key_src = json.dumps([env.vars.get("STREAMHOST_DATASET"), env.scorer,
                          os.path.getmtime(os.path.join(REPO, "plugin/coupon/model/model.json"))])
    cache = os.path.join(base_dir, "expected-%s.json" % hashlib.sha256(key_src.encode()).hexdigest()[:12])
    if os.path.exists(cache):
        with open(cache) as f:
            data = json.load(f)
        if len(data) >= customers_needed:
            return {int(c): v for c, v in data.items()}
    pw = env.vars.get("DB_PASSWORD", "")
    out = subprocess.run(
        ["psql", "-X", "-A", "-t", "-h", env.vars["DB_HOST"], "-p", env.vars["DB_PORT"], "-U",
         env.vars["DB_USER"], "-d", env.vars["DB_NAME"], "-c",
         "SELECT customer_id FROM customer_info ORDER BY customer_id"],
        capture_output=True, text=True, env=dict(os.environ, PGPASSWORD=pw), check=True).stdout
    ids = [int(x) for x in out.split()]
    port = free_port()
    henv = dict(os.environ)
    henv.update(env.vars)
    henv.update({"TESTING_NO_KAFKA": "true", "ADMIN_PORT": str(port), "GROUP_ID": "chaos-calibrate",
                 "ENTRY_EVENT_TOPIC_NAME": "e", "FOCUS_EVENT_TOPIC_NAME": "f",
                 "COUPON_PREDICTION_TOPIC_NAME": "p", "DEAD_LETTER_TOPIC_NAME": "d",
                 "COUPON_SCORER_URL": env.scorer, "STREAMHOST_PLUGIN_DIR": env.plugin_dir,
                 "STREAMHOST_REST_PROXY_URL": "http://127.0.0.1:%d" % free_port()})
    logp = os.path.join(base_dir, "calibrate.log")
    with open(logp, "wb") as lf:
        proc = subprocess.Popen([env.streamhost, "run", "-f", MANIFEST], env=henv, stdout=lf,
                                stderr=subprocess.STDOUT, cwd=REPO)
    try:
        deadline = now() + 60
        while http_status("http://127.0.0.1:%d/readyz" % port) != 200:
            if proc.poll() is not None or now() > deadline:
                raise RuntimeError("calibration host did not get ready; see " + logp)
            time.sleep(0.2)
        expected = {}
        lock = threading.Lock()
        work = list(ids)

        def worker():
            while True:
                with lock:
                    if not work:
                        return
                    c = work.pop(0)
                cats = {}
                for cat in CATEGORIES:
                    body = {"event_type": "customer focus", "payload": {"customer_id": c, "category": cat}}
                    st, raw = http_call("http://127.0.0.1:%d/mock_focus" % port, "POST", body,
                                        {"Content-Type": "application/json"}, timeout=30)
                    if st != 200:
                        continue
                    coupons = []
                    for e in json.loads(raw)["emitted"]:
                        v = e["value"]
                        v = json.loads(v) if isinstance(v, str) else v
                        coupons.append(v["payload"]["coupon_id"])
                    if coupons:
                        cats[cat] = coupons
                if prefix_free(cats) and len(prefix_free(cats)) >= 2:
                    with lock:
                        expected[c] = cats

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    if len(expected) < customers_needed:
        raise RuntimeError("only %d customers with 3+ scored departments" % len(expected))
    with open(cache, "w") as f:
        json.dump(expected, f)
    return expected
