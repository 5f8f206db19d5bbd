"""Records that must be dead-lettered, between good ones: ~530 KB [[[[...]]]], invalid UTF-8,
truncated JSON, a ~990 KB wrongly typed event. No host may restart or crash."""

from ..workload import Input


def poison_record(run_id, n, kind=None):
    """A record that must be dead-lettered, with a unique id where its bytes can hold one (the
    envelope's topic/partition/offset identifies every one of them anyway)."""
    kind = kind or ["nested", "utf8", "truncated", "oversized"][n % 4]
    cid = "%s-poison-%d" % (run_id, n)
    if kind == "nested":
        depth = 265000  # ~530 KB of [[[[...]]]]
        value = b"[" * depth + b"]" * depth
    elif kind == "utf8":
        value = ('{"event_type":"customer focus","chaos_id":"%s","payload":{"customer_id":1,'
                 '"category":"' % cid).encode() + b"\xff\xfe\xc3\x28" + b'"}}'
    elif kind == "truncated":
        value = ('{"event_type":"customer focus","chaos_id":"%s","payload":{"customer_id":1,"cat'
                 % cid).encode()
    else:  # oversized: ~990 KB, a string where the customer id must be an integer
        value = ('{"event_type":"customer focus","chaos_id":"%s","payload":{"customer_id":"' % cid
                 ).encode() + b"9" * 990000 + b'","category":"Men"}}'
    return Input("poison", cid.encode(), value, chaos_id=cid, expect_dlq=True,
                 note=kind)


def plan(run, expected):
    inputs = run.plan(expected, 240)
    # Poison records between good ones: each kind three times, spread over the run.
    kinds = ["nested", "utf8", "truncated", "oversized"] * 3
    out = []
    step = max(1, len(inputs) // (len(kinds) + 1))
    for i, x in enumerate(inputs):
        out.append(x)
        if i % step == step - 1 and kinds:
            out.append(poison_record(run.run_id, len(out), kinds.pop(0)))
    return out


def fault(run):
    run.fault("poison records between good ones (no pause of the load)")
    run.load_done.wait()


def post_check(run, res, out):
    poison = [x for x in run.inputs if x.kind == "poison"]
    sent = [x for x in poison if x.offset is not None]
    kinds = {}
    for x in sent:
        kinds[x.note] = kinds.get(x.note, 0) + 1
    out["poison_sent"] = kinds
    reasons = {}
    for e in res["dlq_envelopes"]:
        reasons.setdefault(e.get("status"), []).append(str(e.get("reason"))[:100])
    out["poison_reasons"] = sorted(set(r for v in reasons.values() for r in v))[:12]
    for x in poison:
        if x.offset is None:
            run.failures.append("poison record (%s) not accepted by the proxy: %s" % (x.note, x.note))
    restarts = [h for h in run.hosts if h.incarnation > 1]
    if restarts or run.crashes:
        run.failures.append("a host restarted or crashed during the poison records")
