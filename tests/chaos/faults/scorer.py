"""The scorer stalls (reads requests, never answers) or drips its answers, for 15 s, through a
FaultProxy in front of it (the hosts' COUPON_SCORER_URL)."""

import time

from ..settings import now


def setup(run):
    p = run.scorer_proxy = run.fault_proxy(run.env.scorer)
    run.host_env["COUPON_SCORER_URL"] = "http://127.0.0.1:%d/score" % p.port


def misbehave(mode):
    def fault(run):
        run.at(10)
        p = run.scorer_proxy
        if mode == "stall":
            run.fault("scorer stalls (requests read, never answered) for 15 s")
            p.policy = lambda m, path: ("stall",) if path.startswith("/score") else ("pass",)
        else:
            run.fault("scorer answers drip one byte every 50 ms for 15 s")
            p.policy = lambda m, path: ("drip", 0.05) if path.startswith("/score") else ("pass",)
        time.sleep(15)
        p.policy = lambda m, path: ("pass",)
        run.notes.append("+%.1fs scorer healthy again; proxy counts %s" % (now() - run.t0, p.counts))
    return fault
