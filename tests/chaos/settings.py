"""Where the suite finds the repository, the stack script and the pipeline, and the bounds every
scenario is held to unless it says otherwise."""

import os
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# STREAMHOST_STACK_SCRIPT wins, as for every other stack test (a stack started from another checkout).
STACK = os.environ.get("STREAMHOST_STACK_SCRIPT") or os.path.join(REPO, "manifests", "local", "stack")
MANIFEST = os.path.join(REPO, "manifests", "pipelines", "coupon.yaml")
CATEGORIES = ["Boys", "Girls", "Men", "Sport", "Women"]

# Bounds every scenario is held to unless it says otherwise.
RSS_BOUND_MIB = 256          # per host process
DUP_PER_FAULT = 120          # focus inputs answered twice per kill/fault (1 s commit interval at
                             # 20 events/s plus what was prefetched: measured far below this)


def log(msg):
    sys.stderr.write("chaos: %s\n" % msg)
    sys.stderr.flush()


def now():
    return time.time()
