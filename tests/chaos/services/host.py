"""Hosts: `streamhost run -f coupon.yaml` child processes with their own admin port and name."""

import os
import signal
import socket
import subprocess
import time

from ..settings import MANIFEST, REPO, now
from .rest_proxy import http_call


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def http_status(url, timeout=2):
    try:
        return http_call(url, timeout=timeout)[0]
    except Exception:  # noqa: BLE001
        return 0


def vm_rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class Host:
    def __init__(self, run, index):
        self.run, self.index = run, index
        self.name = "chaos-%s-h%d" % (run.run_id, index)
        self.port = free_port()
        self.proc = None
        self.incarnation = 0
        self.expected_exit = True  # no process yet
        self.events = []

    def start(self):
        self.incarnation += 1
        env = dict(os.environ)
        env.update(self.run.env.vars)
        env.update(self.run.host_env)
        env.update({"ADMIN_PORT": str(self.port), "HOSTNAME": self.name,
                    "STREAMHOST_PLUGIN_DIR": self.run.env.plugin_dir})
        logf = open(os.path.join(self.run.dir, "%s.%d.log" % (self.name, self.incarnation)), "wb")
        self.proc = subprocess.Popen([self.run.env.streamhost, "run", "-f", MANIFEST], env=env,
                                     stdout=logf, stderr=subprocess.STDOUT, cwd=REPO)
        logf.close()
        self.expected_exit = False
        self.events.append((now(), "start", self.proc.pid))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def ready(self):
        return self.alive() and http_status("http://127.0.0.1:%d/readyz" % self.port) == 200

    def wait_ready(self, limit=60):
        deadline = now() + limit
        while now() < deadline:
            if self.ready():
                return True
            if not self.alive():
                return False
            time.sleep(0.2)
        return False

    def kill9(self):
        self.expected_exit = True
        self.events.append((now(), "kill -9", self.proc.pid))
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self, timeout=40):
        """SIGTERM; returns the exit code (None when it had to be killed)."""
        if not self.alive():
            return self.proc.returncode if self.proc else 0
        self.expected_exit = True
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None

    def metrics(self):
        try:
            st, raw = http_call("http://127.0.0.1:%d/metrics" % self.port, timeout=3)
            return raw.decode() if st == 200 else ""
        except Exception:  # noqa: BLE001
            return ""

    def log_tail(self, n=15):
        p = os.path.join(self.run.dir, "%s.%d.log" % (self.name, self.incarnation))
        try:
            with open(p, "rb") as f:
                return b"".join(f.readlines()[-n:]).decode(errors="replace")
        except OSError:
            return ""


def records_in(metrics_text):
    total = None
    for line in metrics_text.splitlines():
        if line.startswith("streamhost_records_in_total"):
            try:
                total = (total or 0) + int(float(line.rsplit(" ", 1)[1]))
            except ValueError:
                pass
    return total
