"""Produce requests to the output and dead-letter topics delayed 0.5 s each for 15 s, through a
FaultProxy in front of the bridge (the hosts' STREAMHOST_REST_PROXY_URL)."""

import time

from ..settings import now


def setup(run):
    p = run.bridge_proxy = run.fault_proxy(run.env.proxy)
    run.host_env["STREAMHOST_REST_PROXY_URL"] = "http://127.0.0.1:%d" % p.port


def fault(run):
    run.at(10)
    p = run.bridge_proxy
    slow = ("/topics/" + run.topics["predictions"], "/topics/" + run.topics["dead-letter"])
    run.fault("produce to the output and dead-letter topics delayed 0.5 s per request for 15 s")
    p.policy = lambda m, path: ("delay", 0.5) if m == "POST" and path.startswith(slow) else ("pass",)
    time.sleep(15)
    p.policy = lambda m, path: ("pass",)
    run.notes.append("+%.1fs sink fast again; proxy counts %s" % (now() - run.t0, p.counts))
