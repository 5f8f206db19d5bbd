"""streamhost chaos suite: faults on the real local stack, checked end to end.

Usage: scripts/chaos [--short|--full] [--build-dir DIR] [--seed N] [--list] [SCENARIO...]

Each scenario runs the coupon pipeline (build/bin/streamhost run -f manifests/pipelines/coupon.yaml)
as two or three hosts in one consumer group on fresh topics, drives a steady load of entry and
focus events through the REST proxy of STREAMHOST_REST_PROXY_URL in the dialect of
STREAMHOST_REST_PROXY_DIALECT (the stack's Strimzi bridge by default), injects its fault, and
checks, from the output and dead-letter topics and the group's committed offsets:

  * zero lost input: every focus event's expected prediction results appear on the output topic
    (or its dead-letter envelope does, with a reason), every entry event is committed;
  * bounded duplicates (at-least-once repeats after a fault only);
  * per-key order of the outputs (first answers follow each customer's input order);
  * committed offsets never go backwards (sampled with Kafka's OffsetFetch, 4 times a second);
  * bounded RSS of every host (VmRSS from /proc, 4 times a second);
  * time to resume: the longest answer gap on any input partition that the fault opened.

Details: docs/testing.md, "Chaos suite". Stdlib only. Needs `manifests/local/stack up`. With the
confluent dialect the scenarios that need the stack's own bridge (bridge-restart, missing-dlq) are
skipped, each with its reason.
"""

import argparse
import json
import os
import random
import signal

from .calibration import calibrate
from .run import Run, Suite
from .scenarios import BY_NAME, FULL, SCENARIOS, SHORT
from .services.stack import Env
from .settings import REPO, log, now


def fmt_resume(res):
    if not res:
        return "-"
    return " ".join("%.1f" % r["resume_s"] for r in res) if len(res) <= 2 else \
        "max %.1f (%d)" % (max(r["resume_s"] for r in res), len(res))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--short", action="store_true", help="the CI subset (default)")
    g.add_argument("--full", action="store_true", help="every scenario")
    ap.add_argument("--build-dir", default=os.environ.get("STREAMHOST_BUILD_DIR", os.path.join(REPO, "build")))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("STREAMHOST_CHAOS_SEED", "0")) or None)
    ap.add_argument("--list", action="store_true", help="list the scenarios")
    ap.add_argument("scenarios", nargs="*")
    a = ap.parse_args()
    if a.list:
        for s in SCENARIOS:
            print("%-20s %-11s %s" % (s.name, "/".join(s.suites), s.doc))
        return 0
    which = FULL if a.full else SHORT
    names = a.scenarios or [s.name for s in SCENARIOS if which in s.suites]
    for n in names:
        if n not in BY_NAME:
            log("unknown scenario %r (see --list)" % n)
            return 2
    seed = a.seed if a.seed is not None else random.randrange(1 << 31)
    random.seed(seed)
    try:
        os.nice(5)
    except OSError:
        pass
    env = Env(a.build_dir)
    problems = env.check()
    if problems:
        for p in problems:
            log("ERROR: " + p)
        return 1
    if env.dialect != "strimzi":
        only = [n for n in names if BY_NAME[n].strimzi_only]
        for n in only:
            log("skipped %s with the %s dialect: %s" % (n, env.dialect, BY_NAME[n].strimzi_only))
        names = [n for n in names if n not in only]
    suite = Suite(env, seed)

    def on_signal(signum, frame):
        for fn in suite.cleanups:
            try:
                fn()
            except Exception:  # noqa: BLE001
                pass
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    t_start = now()
    log("run dir %s, seed %d, scenarios: %s" % (suite.dir, seed, " ".join(names)))
    need = 700 if "kill-random-points" in names else 260
    t = now()
    suite.expected = calibrate(env, os.path.join(env.run_dir, "chaos"), need)
    log("expected answers of %d customers ready (%.1f s)" % (len(suite.expected), now() - t))
    results = []
    for n in names:
        log("== %s: %s" % (n, BY_NAME[n].doc))
        run = Run(suite, BY_NAME[n])
        r = run.execute(suite.expected)
        results.append(r)
        log("   %s in %.0f s: inputs %s, lost %s, duplicates %s, resume %s" % (
            r["verdict"], r["seconds"], r.get("inputs"), r.get("lost"), r.get("duplicates"),
            fmt_resume(r.get("resume"))))
        for f in r["failures"]:
            log("   FAIL: " + f.strip().replace("\n", "\n         "))
    total = now() - t_start
    hdr = "%-20s %7s %8s %5s %5s %8s %-18s %s" % ("scenario", "inputs", "answered", "lost", "dups",
                                                  "max RSS", "resume (s)", "verdict")
    lines = [hdr, "-" * len(hdr)]
    for r in results:
        lines.append("%-20s %7s %8s %5s %5s %7sM %-18s %s" % (
            r["scenario"], r.get("inputs"), r.get("answered"), r.get("lost"), r.get("duplicates"),
            r.get("max_rss_mib", "?"), fmt_resume(r.get("resume")), r["verdict"]))
    table = "\n".join(lines)
    print(table)
    failed = [r for r in results if r["verdict"] != "PASS"]
    print("chaos: %d scenario(s), %d failed, %.0f s; details in %s" % (len(results), len(failed), total, suite.dir))
    with open(os.path.join(suite.dir, "summary.txt"), "w") as f:
        f.write(table + "\n")
    with open(os.path.join(suite.dir, "summary.json"), "w") as f:
        json.dump({"seed": seed, "seconds": round(total, 1), "results": results}, f, indent=2, default=str)
    return 1 if failed else 0
