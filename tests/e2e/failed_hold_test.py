"""A failure Prometheus can see: a handler answers FATAL on the real stack (the statuses fixture's
`fatal` handler), and the host keeps serving /metrics with state FAILED and the reason for
admin.failed_hold_ms before it exits with code 1. Without the hold the process was gone 36 ms
after the FATAL, never scraped, and StreamhostPipelineFailed could not fire."""

import base64
import json
import os
import re
import secrets
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

REPO = os.environ["STREAMHOST_REPO_ROOT"]
STREAMHOST_BIN = os.environ["STREAMHOST_BIN"]
STATUSES_PLUGIN = os.environ["STREAMHOST_STATUSES_PLUGIN"]
STACK = os.environ.get("STREAMHOST_STACK_SCRIPT", os.path.join(REPO, "manifests", "local", "stack"))
HOLD_MS = 3000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except (urllib.error.URLError, ConnectionError):
        return None, ""


class FailedHold(unittest.TestCase):
    def test_failed_is_scraped_with_its_reason_before_the_exit(self):
        proxy = os.environ.get("STREAMHOST_REST_PROXY_URL")
        if not proxy:
            raise AssertionError('the local stack\'s variables are not set: run `manifests/local/stack up` '
                                 'and `eval "$(manifests/local/stack env)"`')
        suffix = secrets.token_hex(4)
        topic_in, topic_out, dlq = (f"failed-hold-{k}-{suffix}" for k in ("in", "out", "dlq"))
        subprocess.run([STACK, "topic", f"{topic_in}:1", f"{topic_out}:1", f"{dlq}:1"],
                       check=True, capture_output=True, timeout=120)
        port = free_port()
        with tempfile.TemporaryDirectory() as d:
            manifest = os.path.join(d, "fatal.yaml")
            with open(manifest, "w") as f:
                f.write(f"""pipeline: failed-hold
rest_proxy: {{url: {proxy}, dialect: strimzi}}
consumer: {{group: failed-hold-{suffix}, auto_offset_reset: earliest, instance_name: failed-hold-{suffix}}}
plugins:
  st: {{library: {STATUSES_PLUGIN}, config: {{prefix: p}}}}
routes:
  - {{name: poison, topic: {topic_in}, handler: st/fatal, output_topic: {topic_out}}}
dead_letter_topic: {dlq}
admin: {{port: {port}, failed_hold_ms: {HOLD_MS}}}
""")
            log = tempfile.TemporaryFile()
            host = subprocess.Popen([STREAMHOST_BIN, "run", "-f", manifest], stdout=log, stderr=subprocess.STDOUT)
            try:
                deadline = time.monotonic() + 60
                while get(f"http://127.0.0.1:{port}/readyz")[0] != 200:
                    self.assertIsNone(host.poll(), "streamhost exited before it was ready")
                    self.assertLess(time.monotonic(), deadline, "streamhost was not ready within 60 s")
                    time.sleep(0.2)
                body = {"records": [{"value": base64.b64encode(b"boom").decode()}]}
                req = urllib.request.Request(f"{proxy}/topics/{topic_in}", data=json.dumps(body).encode(),
                                             method="POST",
                                             headers={"Content-Type": "application/vnd.kafka.binary.v2+json"})
                urllib.request.urlopen(req, timeout=30).read()

                scraped = None
                deadline = time.monotonic() + 60
                while scraped is None and time.monotonic() < deadline and host.poll() is None:
                    status, text = get(f"http://127.0.0.1:{port}/metrics", timeout=2)
                    if status == 200 and 'streamhost_pipeline_state{state="FAILED"} 1' in text:
                        scraped = text
                    time.sleep(0.1)
                log.seek(0)
                output = log.read().decode(errors="replace")
                self.assertIsNotNone(scraped, f"FAILED never reached /metrics before the exit:\n{output[-4000:]}")
                failure = re.search(r'^streamhost_pipeline_failure_info\{reason="([^"]*)"\} 1$', scraped, re.M)
                self.assertIsNotNone(failure, "no streamhost_pipeline_failure_info series")
                self.assertIn("handler st/fatal failed fatally", failure.group(1))
                # Still up a moment later: the hold, not a lucky scrape in the last milliseconds.
                time.sleep(HOLD_MS / 1000 / 3)
                self.assertIsNone(host.poll(), "the host exited before admin.failed_hold_ms")
                self.assertEqual(host.wait(timeout=60), 1)
            finally:
                if host.poll() is None:
                    host.kill()
                    host.wait()
                log.close()


if __name__ == "__main__":
    unittest.main()
