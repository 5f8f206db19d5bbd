"""kill -9 of a host under load: the busier of two, left dead or restarted at once (same instance
name), or at random points across three hosts."""

import random

from ..settings import now


def kill_busiest(restart):
    def fault(run):
        run.at(10)
        victim, n = run.busiest_host()
        if n <= 0:
            run.failures.append("no host was taking in records before the kill: %s" % [
                x for x in run.records_in_series[-6:]])
        run.fault("kill -9 %s (%d records in over the last 3 s)%s" % (
            victim.name, n, ", restarted at once" if restart else ", not restarted"))
        victim.kill9()
        if restart:
            victim.start()
    return fault


def kill_at_random_points(n_points):
    def fault(run):
        rnd = random.Random(run.suite.seed)
        t = 8.0
        for i in range(n_points):
            t += rnd.uniform(4, 9)
            run.at(t)
            dead = [h for h in run.hosts if not h.alive()]
            for h in dead:  # a host left dead at the previous point comes back now
                h.start()
                run.notes.append("+%.1fs %s started again" % (now() - run.t0, h.name))
            victim = rnd.choice([h for h in run.hosts if h.alive()])
            restart = rnd.random() < 0.5
            run.fault("point %d: kill -9 %s%s" % (i + 1, victim.name, ", restarted" if restart else ""))
            victim.kill9()
            if restart:
                victim.start()
        run.load_done.wait()
        for h in run.hosts:
            if not h.alive():
                h.start()
    return fault
