"""The stack's PostgreSQL stopped (pg_ctl stop -m fast) and started again (stack up) 5 s later."""

import os
import subprocess
import time

from ..services.stack import pg_dir, stack_up
from ..settings import now


def fault(run):
    run.at(10)
    data = os.path.join(pg_dir(run.env), "data")
    bindir = sorted(d for d in os.listdir("/usr/lib/postgresql"))[-1]
    pg_ctl = "/usr/lib/postgresql/%s/bin/pg_ctl" % bindir
    cmd = [pg_ctl, "-D", data, "-m", "fast", "-w", "stop"]
    if os.getuid() == 0:
        cmd = ["runuser", "-u", "streamhost", "--"] + cmd
    run.fault("PostgreSQL stopped (pg_ctl stop -m fast), started again 5 s later")
    run.suite.cleanups.append(lambda: stack_up(run.env))
    subprocess.run(cmd, capture_output=True, check=True)
    time.sleep(5)
    stack_up(run.env)
    run.suite.cleanups.pop()
    run.notes.append("+%.1fs PostgreSQL up again" % (now() - run.t0))
