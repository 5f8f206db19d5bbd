"""The load: the inputs of one run (entry and focus events, and the poison records some faults add)
in the order they are produced."""

import json
import random
import time

from .calibration import prefix_free


class Input:
    __slots__ = ("kind", "key", "value", "customer", "category", "seq", "chaos_id", "sent",
                 "partition", "offset", "expect_dlq", "topic", "note")

    def __init__(self, kind, key, value, **kw):
        self.kind, self.key, self.value = kind, key, value
        self.customer = kw.get("customer")
        self.category = kw.get("category")
        self.seq = kw.get("seq", 0)
        self.chaos_id = kw.get("chaos_id")
        self.expect_dlq = kw.get("expect_dlq", False)
        self.note = kw.get("note", "")
        self.sent = None
        self.partition = None
        self.offset = None
        self.topic = None


def plan(run_id, expected, n_focus):
    """A shuffled sequence: for each customer one entry event, then its scored departments in
    a random order; customers interleaved. Every input carries a unique chaos_id."""
    customers = list(expected)
    random.shuffle(customers)
    queues = []
    total = 0
    for c in customers:
        cats = list(prefix_free(expected[c]))
        random.shuffle(cats)
        queues.append([c, cats])
        total += len(cats)
        if total >= n_focus:
            break
    if total < n_focus:
        raise RuntimeError("not enough calibrated customers for %d focus events" % n_focus)
    active = []
    out = []
    while queues or active:
        while queues and len(active) < 12:
            c, cats = queues.pop(0)
            active.append([c, cats, 0])
            cid = "%s-%d" % (run_id, len(out))
            v = {"event_type": "customer entry", "event_timestamp": iso_now(),
                 "payload": {"customer_id": c, "chaos_id": cid}, "chaos_id": cid}
            out.append(Input("entry", str(c).encode(), json.dumps(v).encode(), customer=c,
                             chaos_id=cid))
        a = random.choice(active)
        c, cats, i = a
        cid = "%s-%d" % (run_id, len(out))
        v = {"event_type": "customer focus", "event_timestamp": iso_now(),
             "payload": {"customer_id": c, "category": cats[i], "chaos_id": cid}, "chaos_id": cid}
        out.append(Input("focus", str(c).encode(), json.dumps(v).encode(), customer=c,
                         category=cats[i], seq=i, chaos_id=cid))
        a[2] += 1
        if a[2] >= len(cats):
            active.remove(a)
    return out


def iso_now():
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % int((t % 1) * 1000)
