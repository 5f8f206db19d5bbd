"""SIGSTOP of the stack's PostgreSQL (postmaster and backends) for 15 s, then SIGCONT."""

import os
import signal
import time

from ..services.stack import children_of, postmaster_pid
from ..settings import now


def fault(run):
    run.at(10)
    pm = postmaster_pid(run.env)
    if not pm:
        raise RuntimeError("no postmaster of the stack found")
    procs = [pm] + children_of(pm)

    def resume():
        for p in procs:
            try:
                os.kill(p, signal.SIGCONT)
            except OSError:
                pass
    run.suite.cleanups.append(resume)
    run.fault("SIGSTOP PostgreSQL (postmaster %d and %d backends) for 15 s" % (pm, len(procs) - 1))
    for p in reversed(procs):
        os.kill(p, signal.SIGSTOP)
    time.sleep(15)
    resume()
    run.suite.cleanups.remove(resume)
    run.notes.append("+%.1fs SIGCONT PostgreSQL" % (now() - run.t0))
