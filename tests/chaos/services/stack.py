"""The stack's endpoints (`manifests/local/stack env`), the built binaries, and the stack's own
bridge and PostgreSQL processes (only processes it started, checked by command line as the stack
script does), for the faults that kill, stop or restart them."""

import os
import subprocess

from ..settings import STACK


class Env:
    def __init__(self, build_dir):
        out = subprocess.run([STACK, "env"], capture_output=True, text=True, check=True).stdout
        self.vars = {}
        for line in out.splitlines():
            if line.startswith("export ") and "=" in line:
                k, v = line[len("export "):].split("=", 1)
                self.vars[k] = v.strip("'")
        # Values already exported (scripts/test, a CI job) win, like for every other test.
        for k in list(self.vars):
            if os.environ.get(k):
                self.vars[k] = os.environ[k]
        self.proxy = self.vars["STREAMHOST_REST_PROXY_URL"].rstrip("/")
        self.dialect = self.vars.get("STREAMHOST_REST_PROXY_DIALECT", "strimzi")
        host, port = self.vars["STREAMHOST_KAFKA_BOOTSTRAP"].split(",")[0].rsplit(":", 1)
        self.kafka = (host, int(port))
        self.scorer = self.vars.get("STREAMHOST_SCORER_URL", "")
        self.run_dir = self.vars["STREAMHOST_RUN_DIR"]
        self.build_dir = os.path.abspath(build_dir)
        self.streamhost = os.path.join(self.build_dir, "bin", "streamhost")
        self.plugin_dir = os.path.join(self.build_dir, "lib")

    def check(self):
        problems = []
        st = subprocess.run([STACK, "status"], capture_output=True, text=True)
        if st.returncode != 0:
            problems.append("the local stack is not up (`manifests/local/stack status`):\n" + st.stdout
                            + st.stderr + "run `manifests/local/stack up` first")
        if not self.scorer:
            problems.append("the stack has no coupon scorer (build coupon-scorer, then stack up)")
        for f in (self.streamhost, os.path.join(self.plugin_dir, "libstreamhost_coupon.so")):
            if not os.path.exists(f):
                problems.append("missing %s: build the project first" % f)
        if self.dialect not in ("strimzi", "confluent"):
            problems.append("STREAMHOST_REST_PROXY_DIALECT must be strimzi or confluent, not %r"
                            % self.dialect)
        return problems



def stack_pid(env, name, marker):
    try:
        pid = int(open(os.path.join(env.run_dir, name + ".pid")).read().strip())
        cmd = open("/proc/%d/cmdline" % pid, "rb").read().replace(b"\0", b" ").decode()
        return pid if marker in cmd else None
    except (OSError, ValueError):
        return None


def pg_dir(env):
    return os.path.realpath(os.path.join(env.run_dir, "postgres"))


def postmaster_pid(env):
    try:
        pid = int(open(os.path.join(pg_dir(env), "data", "postmaster.pid")).readline())
        cmd = open("/proc/%d/cmdline" % pid, "rb").read().decode(errors="replace")
        return pid if os.path.join(pg_dir(env), "data") in cmd else None
    except (OSError, ValueError):
        return None


def children_of(pid):
    kids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = open("/proc/%s/stat" % d).read()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                if ppid == pid:
                    kids.append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    return kids


def stack_up(env):
    r = subprocess.run([STACK, "up"], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("stack up failed: " + r.stderr[-2000:])
