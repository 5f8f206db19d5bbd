"""A frozen REST proxy, seen from outside: the field-mapper pipeline runs against a private Strimzi
bridge (`manifests/local/stack private-bridge`, a second bridge process on the shared stack's
broker), which the test stops with SIGSTOP for 20 s, as an operator saw it happen. Freezing the
shared bridge would stall every other test using the stack, so only the private one is frozen.

Checks: the state turns STALLED within 5 s of the freeze (the default stall_after_ms is 3 s; the
bound is the operator-facing promise, not a speed figure), /readyz and /metrics say so with the
call that waits, and once the bridge runs again the pipeline is RUNNING and every record produced
before and during the freeze is handled (nothing lost).

Every wait is bounded so that their worst cases together fit the CTest TIMEOUT
(tests/e2e/CMakeLists.txt, 420 s): set-up 30 + 75, the test's waits about 270 (each wait may
overrun by one admin request of at most 5 s), the host's stop 20. An admin request that times out
counts as no answer, never as an error of the test."""

import base64
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

REPO = os.environ["STREAMHOST_REPO_ROOT"]
STREAMHOST_BIN = os.environ["STREAMHOST_BIN"]
PLUGIN_DIR = os.environ["STREAMHOST_PLUGIN_DIR"]
STACK = os.path.join(REPO, "manifests", "local", "stack")
FREEZE_S = 20


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=5):
    """(status, body); (None, "") when the request fails or times out, which callers retry."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except OSError:  # URLError, a refused or reset connection, a timeout
        return None, ""


def produce(proxy, topic, values):
    body = {"records": [{"key": base64.b64encode(b"k").decode(), "value": base64.b64encode(v).decode()}
                        for v in values]}
    req = urllib.request.Request(f"{proxy}/topics/{topic}", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/vnd.kafka.binary.v2+json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        answer = json.loads(r.read())
    errors = [o for o in answer["offsets"] if o.get("error") or o.get("error_code")]
    if errors:
        raise AssertionError(f"produce to {topic} failed: {errors}")


def metric(text, name, **labels):
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = re.escape(name + ("{" + want + "}" if want else "")) + r" (\S+)"
    found = re.search("^" + pattern + "$", text, re.M)
    return float(found.group(1)) if found else None


class FrozenProxy(unittest.TestCase):
    def setUp(self):
        shared_proxy = os.environ.get("STREAMHOST_REST_PROXY_URL")
        if not shared_proxy or "STREAMHOST_RUN_DIR" not in os.environ:
            raise AssertionError('the local stack\'s variables are not set: run `manifests/local/stack up` '
                                 'and `eval "$(manifests/local/stack env)"`')
        self.shared_proxy = shared_proxy
        suffix = secrets.token_hex(4)
        self.topics = {k: f"freeze-{k}-{suffix}" for k in ("in", "out", "dlq")}
        subprocess.run([STACK, "topic", f"{self.topics['in']}:1", f"{self.topics['out']}:1",
                        f"{self.topics['dlq']}:1"], check=True, capture_output=True, timeout=30)
        self.work = tempfile.TemporaryDirectory(prefix="streamhost-freeze-")
        self.addCleanup(self.work.cleanup)
        bridge_port = free_port()
        # The stack script gives up after STREAMHOST_START_TIMEOUT; the subprocess bound is above it.
        started = subprocess.run([STACK, "private-bridge", os.path.join(self.work.name, "bridge"), str(bridge_port)],
                                 capture_output=True, text=True, timeout=75,
                                 env=dict(os.environ, STREAMHOST_START_TIMEOUT="60"))
        if started.returncode != 0:
            raise AssertionError(f"the private bridge did not start:\n{started.stderr}")
        self.bridge_pid = int(started.stdout.strip().splitlines()[-1])
        self.addCleanup(self.stop_bridge)
        self.admin = f"http://127.0.0.1:{free_port()}"
        env = dict(os.environ,
                   STREAMHOST_REST_PROXY_URL=f"http://127.0.0.1:{bridge_port}",
                   STREAMHOST_REST_PROXY_DIALECT="strimzi",
                   STREAMHOST_PLUGIN_DIR=PLUGIN_DIR,
                   GROUP_ID=f"freeze-{suffix}",
                   INPUT_TOPIC=self.topics["in"], OUTPUT_TOPIC=self.topics["out"],
                   DEAD_LETTER_TOPIC=self.topics["dlq"],
                   ADMIN_PORT=self.admin.rsplit(":", 1)[1])
        self.log = tempfile.TemporaryFile()
        self.addCleanup(self.log.close)
        self.host = subprocess.Popen([STREAMHOST_BIN, "run", "-f",
                                      os.path.join(REPO, "manifests", "pipelines", "field-mapper.yaml")],
                                     env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.addCleanup(self.stop_host)

    def stop_bridge(self):
        for sig in (signal.SIGCONT, signal.SIGKILL):
            try:
                os.kill(self.bridge_pid, sig)
            except ProcessLookupError:
                pass

    def stop_host(self):
        if self.host.poll() is None:
            self.host.terminate()
            try:
                self.host.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.host.kill()
                self.host.wait()

    def host_log(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-6000:]

    def wait(self, what, predicate, timeout_s):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.host.poll() is not None:
                raise AssertionError(f"streamhost exited with {self.host.returncode}:\n{self.host_log()}")
            result = predicate()
            if result:
                return result
            time.sleep(0.1)
        raise AssertionError(f"{what} within {timeout_s} s\n{self.host_log()}")

    def pipeline(self):
        status, body = get(self.admin + "/pipeline", timeout=2)
        return json.loads(body) if status == 200 else None

    def records_in(self):
        status, text = get(self.admin + "/metrics")
        return (metric(text, "streamhost_records_in_total", route="orders") or 0) if status == 200 else 0

    def test_a_frozen_bridge_shows_as_stalled_and_loses_nothing(self):
        order = lambda i: json.dumps({"order_id": i, "cust": "c"}).encode()
        self.wait("the pipeline was not RUNNING", lambda: (p := self.pipeline()) and p["state"] == "RUNNING", 45)
        produce(self.shared_proxy, self.topics["in"], [order(i) for i in range(5)])
        self.wait("the first 5 records were not handled", lambda: self.records_in() >= 5, 30)

        os.kill(self.bridge_pid, signal.SIGSTOP)
        frozen_at = time.monotonic()
        stalled = self.wait("the pipeline did not turn STALLED",
                            lambda: (p := self.pipeline()) and p["state"] == "STALLED" and p, 5)
        self.assertIn("no answer from the REST proxy to the", stalled["reason"])
        print(f"\nSTALLED {time.monotonic() - frozen_at:.1f} s after SIGSTOP ({stalled['reason']})", flush=True)
        # Records keep arriving through the shared bridge while this host's proxy is frozen.
        produce(self.shared_proxy, self.topics["in"], [order(i) for i in range(5, 10)])
        # /readyz answers from a report refreshed every second.
        body = self.wait("/readyz did not turn 503", lambda: (r := get(self.admin + "/readyz"))[0] == 503 and r[1], 3)
        self.assertIn("no answer from the REST proxy to the", body)
        text = self.wait("/metrics did not answer", lambda: (r := get(self.admin + "/metrics"))[0] == 200 and r[1], 5)
        self.assertEqual(metric(text, "streamhost_pipeline_state", state="STALLED"), 1.0, text[-3000:])
        self.assertGreater(metric(text, "streamhost_poll_age_seconds") or 0.0, 3.0, text[-3000:])
        time.sleep(max(0.0, FREEZE_S - (time.monotonic() - frozen_at)))
        # Still STALLED at the end of the freeze, never RUNNING in between (an admin request that
        # times out is asked again, not read as a state).
        final = self.wait("/pipeline did not answer at the end of the freeze", self.pipeline, 10)
        self.assertEqual(final["state"], "STALLED", final)

        os.kill(self.bridge_pid, signal.SIGCONT)
        self.wait("the pipeline was not RUNNING again", lambda: (p := self.pipeline()) and p["state"] == "RUNNING", 45)
        self.wait("the 10 records were not all handled", lambda: self.records_in() >= 10, 60)


if __name__ == "__main__":
    unittest.main()
