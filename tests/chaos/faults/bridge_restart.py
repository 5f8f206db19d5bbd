"""kill -9 of the local stack's own Strimzi bridge under load; `stack up` starts it again."""

import os
import signal
import time

from ..services.stack import stack_pid, stack_up
from ..settings import now


def fault(run):
    run.at(10)
    pid = stack_pid(run.env, "bridge", "bridge.properties")
    if not pid:
        raise RuntimeError("no bridge process of the stack found")
    run.fault("kill -9 the bridge (pid %d), stack up again" % pid)
    os.kill(pid, signal.SIGKILL)
    time.sleep(2)
    t = now()
    stack_up(run.env)
    run.notes.append("bridge back in %.1f s (stack up)" % (now() - t))
