"""The scenarios: which fault, on how many hosts, under how much load, held to which bounds.
Declarations only, as a Kafka system test is one test parametrised over its cases; run.Run
executes one."""

from dataclasses import dataclass
from typing import Callable, Optional

from .faults import (bridge_restart, kill_host, missing_dlq, poison, postgres_pause,
                     postgres_restart, scorer, slow_sink)
from .settings import DUP_PER_FAULT, RSS_BOUND_MIB

FULL = "full"
SHORT = "short"


@dataclass(frozen=True)
class Scenario:
    name: str
    doc: str                       # one line, for --list and the log
    suites: tuple                  # SHORT and/or FULL
    fault: Callable                # fault(run): waits, records its moment with run.fault(), injects
    hosts: int = 2
    load_s: float = 30             # the plan holds rate * load_s * 0.8 focus events
    rate: int = 20                 # focus events per second
    drain_s: float = 120           # after the load, how long to wait for every answer and commit
    resume_bound_s: Optional[float] = None  # None: time to resume is measured, not bounded
    dup_bound: Optional[int] = None         # None: DUP_PER_FAULT per fault
    rss_bound_mib: int = RSS_BOUND_MIB
    dlq: bool = True               # create the dead-letter topic
    dlq_ok: bool = False           # good input may be dead-lettered (the fault makes the sink fail)
    tolerate_crash: bool = False
    setup: Optional[Callable] = None       # setup(run), before the hosts start
    plan: Optional[Callable] = None        # plan(run, expected) -> inputs; default run.plan()
    post_check: Optional[Callable] = None  # post_check(run, res, out), the scenario's own verdict
    strimzi_only: str = ""         # why it needs the stack's Strimzi bridge (skipped otherwise)


SCENARIOS = [
    Scenario(
        "kill-one-of-two", hosts=2, fault=kill_host.kill_busiest(False), resume_bound_s=45,
        load_s=40, drain_s=120,
        doc="kill -9 one of two hosts under load, not restarted: resumes within 45 s",
        suites=(SHORT, FULL)),
    Scenario(
        "kill-and-restart", hosts=2, fault=kill_host.kill_busiest(True), resume_bound_s=10,
        load_s=30,
        doc="kill -9 one of two hosts under load, restarted at once: resumes within 10 s",
        suites=(SHORT, FULL)),
    Scenario(
        "kill-random-points", hosts=3, fault=kill_host.kill_at_random_points(20), resume_bound_s=60,
        load_s=170, drain_s=180, dup_bound=DUP_PER_FAULT * 20,
        doc="20 kill -9 at random points across three hosts, each restarted at once or left dead "
            "until the next point", suites=(FULL,)),
    Scenario(
        "bridge-restart", hosts=2, fault=bridge_restart.fault, resume_bound_s=60, load_s=30,
        dlq_ok=False,
        doc="kill -9 the Strimzi bridge under load, start it again", suites=(FULL,),
        strimzi_only="it kills and restarts the local stack's own bridge process"),
    Scenario(
        "postgres-pause", hosts=2, fault=postgres_pause.fault, resume_bound_s=30, load_s=35,
        doc="SIGSTOP PostgreSQL (postmaster and backends) for 15 s, then SIGCONT",
        suites=(SHORT, FULL)),
    Scenario(
        "postgres-restart", hosts=2, fault=postgres_restart.fault, resume_bound_s=45, load_s=35,
        doc="stop PostgreSQL (fast shutdown), start it 5 s later", suites=(FULL,)),
    Scenario(
        "scorer-stall", hosts=2, setup=scorer.setup, fault=scorer.misbehave("stall"),
        resume_bound_s=60, load_s=35,
        doc="the scorer accepts requests and never answers for 15 s (proxy in front of it)",
        suites=(FULL,)),
    Scenario(
        "scorer-slow", hosts=2, setup=scorer.setup, fault=scorer.misbehave("drip"),
        resume_bound_s=60, load_s=35,
        doc="the scorer's answers drip one byte every 50 ms for 15 s", suites=(FULL,)),
    Scenario(
        "poison", hosts=2, fault=poison.fault, plan=poison.plan, load_s=20, rate=20,
        post_check=poison.post_check, dup_bound=10,
        doc="~530 KB [[[[...]]]], invalid UTF-8, truncated JSON, ~990 KB records between good ones",
        suites=(SHORT, FULL)),
    Scenario(
        "missing-dlq", hosts=2, dlq=False, fault=poison.fault, plan=missing_dlq.plan, load_s=10,
        post_check=missing_dlq.post_check, dup_bound=10,
        doc="the dead-letter topic does not exist when bad records arrive", suites=(FULL,),
        strimzi_only="it relies on a produce to a missing topic creating it (the stack's broker "
                     "auto-creates topics for the bridge's producer); Karapace refuses such a "
                     "produce with 40401"),
    Scenario(
        "slow-sink", hosts=2, setup=slow_sink.setup, fault=slow_sink.fault, resume_bound_s=60,
        load_s=35,
        doc="produce requests to the output topic delayed 0.5 s each for 15 s (proxy in front of "
            "the bridge)", suites=(FULL,)),
]

BY_NAME = {s.name: s for s in SCENARIOS}
