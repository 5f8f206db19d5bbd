"""The invariants checker: what decides PASS. Pure functions of what a run recorded (its inputs,
the records read back from the output and dead-letter topics, the committed-offset samples, the
fault times), so tests/chaos/test_invariants.py feeds them synthetic runs that must fail.

check() reads the outputs, resume_times() measures each fault's answer gap, findings() turns
check()'s result into the failures and notes of a verdict. What needs the live run (every input
partition committed to its end, crashes, RSS, the scenario's own post-check) is in run.Run.verdict.
"""

import json


def check(inputs, records, topics, expected, offset_samples):
    """What the outputs say about the inputs: which were answered (and how often), lost, dead-lettered
    (with or without a reason, expected or not), answered out of order, and the output records that
    map to no input. `records` are what the checking consumer read from the output and dead-letter
    topics (dicts: topic, partition, offset, ts, key, value); `offset_samples` maps (topic,
    partition) to the [(time, committed offset)] samples; `expected` is the calibration."""
    outputs = [r for r in records if r["topic"] == topics["predictions"]]
    dlq = [r for r in records if r["topic"] == topics["dead-letter"]]
    # focus input by (customer, category); dead letters by (topic, partition, offset)
    by_pair = {}
    by_pos = {}
    for x in inputs:
        if x.offset is None:
            continue
        if x.kind == "focus":
            by_pair[(x.customer, x.category)] = x
        by_pos[(x.topic, x.partition, x.offset)] = x
    # The prediction results carry no id of their input: an answer is identified by its key
    # (the customer) and its content (the ranked coupon list of the department), which
    # prefix_free() made unambiguous within each customer's output stream.
    streams = {}
    foreign = 0
    for r in sorted(outputs, key=lambda r: (r["partition"], r["offset"])):
        try:
            p = json.loads(r["value"])["payload"]
            streams.setdefault(p["customer_id"], []).append((p["coupon_id"], r))
        except Exception:  # noqa: BLE001
            foreign += 1
    seen = {}         # chaos_id -> number of complete answers
    first = {}        # chaos_id -> time of its first answer (Kafka timestamp)
    unparsed = 0
    order_violations = []
    for c, recs in streams.items():
        mine = {cat: x for (cc, cat), x in by_pair.items() if cc == c}
        if not mine:
            foreign += len(recs)
            continue
        top = -1
        i = 0
        while i < len(recs):
            match = None
            for cat, x in mine.items():
                lst = expected[c][cat]
                if [cp for cp, _ in recs[i:i + len(lst)]] == lst:
                    match = x
                    break
            if match is None:
                unparsed += 1
                i += 1
                continue
            r0 = recs[i][1]
            seen[match.chaos_id] = seen.get(match.chaos_id, 0) + 1
            if match.chaos_id not in first:
                first[match.chaos_id] = r0["ts"]
                if match.seq < top:
                    order_violations.append(
                        "customer %d: first answer to its event #%d after #%d (output %d/%d)"
                        % (c, match.seq, top, r0["partition"], r0["offset"]))
                top = max(top, match.seq)
            i += len(expected[c][match.category])
    dl_by_id = {}
    for r in dlq:
        try:
            env = json.loads(r["value"])
            x = by_pos.get((env["topic"], env["partition"], env["offset"]))
        except Exception:  # noqa: BLE001
            x = None
            env = {}
        if x is None:
            foreign += 1
            continue
        dl_by_id.setdefault(x.chaos_id, []).append((r["ts"], env))
        first.setdefault(x.chaos_id, r["ts"])
        first[x.chaos_id] = min(first[x.chaos_id], r["ts"])
    committed = {k: (v[-1][1] if v else -1) for k, v in offset_samples.items()}
    res = {"inputs": 0, "answered": 0, "lost": [], "duplicates": 0, "partial": unparsed,
           "unexpected_dlq": [], "dlq_without_reason": [], "foreign": foreign,
           "order_violations": order_violations, "first": first}
    for x in inputs:
        if x.offset is None:
            if x.note:
                res.setdefault("refused", []).append("%s: %s" % (x.chaos_id, x.note))
            continue
        res["inputs"] += 1
        dls = dl_by_id.get(x.chaos_id, [])
        if x.kind == "focus" and not x.expect_dlq:
            got = seen.get(x.chaos_id, 0)
            if dls:
                res["unexpected_dlq"].append("%s: %s" % (x.chaos_id, str(dls[0][1].get("reason"))[:160]))
            if got:
                res["answered"] += 1
                res["duplicates"] += got - 1
            else:
                if not dls:
                    res["lost"].append(x)
                else:
                    res["answered"] += 1
        elif x.expect_dlq:
            if dls:
                res["answered"] += 1
                res["duplicates"] += len(dls) - 1
                if not all(str(e.get("reason") or "").strip() for _, e in dls):
                    res["dlq_without_reason"].append(x.chaos_id)
            else:
                res["lost"].append(x)
        else:  # entry: answered once the group's committed offset passed it
            if committed.get((x.topic, x.partition), -1) > x.offset:
                res["answered"] += 1
            elif dls:
                res["answered"] += 1
                res["unexpected_dlq"].append("%s: %s" % (x.chaos_id, str(dls[0][1].get("reason"))[:160]))
            else:
                res["lost"].append(x)
    res["dlq_envelopes"] = [e for v in dl_by_id.values() for _, e in v]
    res["answers"] = {cid: n for cid, n in seen.items()}
    for cid, v in dl_by_id.items():
        res["answers"][cid] = res["answers"].get(cid, 0) + len(v)
    return res


def resume_times(inputs, first, faults, t0):
    """For each fault: the longest stretch after it in which an input partition that had
    unanswered input gave no answer (from the fault or the last answer before the gap, whichever
    is later), the maximum over the focus partitions; and the time until every input produced
    before the fault was answered."""
    per_part = {}
    for x in inputs:
        if x.offset is None or x.kind != "focus" or x.chaos_id not in first:
            continue
        per_part.setdefault(x.partition, []).append((x.sent, first[x.chaos_id]))
    out = []
    series = {}
    for p, pairs in per_part.items():
        pairs.sort(key=lambda sa: sa[1])
        suffix_min = [0.0] * len(pairs)
        m = float("inf")
        for k in range(len(pairs) - 1, -1, -1):
            m = min(m, pairs[k][0])
            suffix_min[k] = m
        series[p] = (pairs, suffix_min)
    for tf, what in faults:
        worst = 0.0
        worst_p = None
        for p, (pairs, suffix_min) in series.items():
            prev = tf
            for k, (_, a) in enumerate(pairs):
                if a <= tf:
                    continue
                # the partition was silent from max(last answer, fault, oldest waiting input)
                gap = a - max(prev, tf, suffix_min[k])
                if gap > worst:
                    worst, worst_p = gap, p
                prev = a
        before = [first[x.chaos_id] for x in inputs
                  if x.sent is not None and x.sent <= tf and x.chaos_id in first]
        all_answered = max(before) - tf if before else 0.0
        out.append({"fault": what, "at": tf - t0, "resume_s": round(worst, 2),
                    "partition": worst_p, "backlog_answered_s": round(max(0.0, all_answered), 2)})
    return out


def findings(res, offset_samples, t0, dup_bound, dlq_ok=False):
    """(failures, notes) of check()'s result `res`: input lost, good input dead-lettered (unless the
    scenario allows it, `dlq_ok`), a dead-letter envelope without a reason, per-key order broken,
    more duplicates than `dup_bound`, output that maps to no input, and a committed offset that went
    backwards in `offset_samples` ({(topic, partition): [(time, offset)]}; times shown from `t0`)."""
    failures, notes = [], []
    if res["lost"]:
        ex = res["lost"][:5]
        failures.append("%d input(s) never answered, e.g. %s" % (len(res["lost"]), "; ".join(
            "%s %s p%s@%s %s" % (x.kind, x.chaos_id, x.partition, x.offset,
                                  x.category or x.note) for x in ex)))
    if res.get("refused"):
        notes.append("not produced (the proxy refused them): %s" % res["refused"][:5])
    if res["partial"]:
        notes.append("%d output record(s) were not part of a complete answer (a partial "
                     "answer, repeated in full later)" % res["partial"])
    if res["unexpected_dlq"] and not dlq_ok:
        failures.append("good input(s) dead-lettered: %s" % res["unexpected_dlq"][:5])
    if res["dlq_without_reason"]:
        failures.append("dead-letter envelope(s) without a reason: %s" % res["dlq_without_reason"])
    if res["order_violations"]:
        failures.append("per-key order broken: %s" % res["order_violations"][:5])
    if res["duplicates"] > dup_bound:
        failures.append("%d duplicates > bound %d" % (res["duplicates"], dup_bound))
    if res["foreign"]:
        failures.append("%d output record(s) that map to no input" % res["foreign"])
    for key, s in offset_samples.items():
        for (t1, a), (t2, b) in zip(s, s[1:]):
            if b < a:
                failures.append("committed offset of %s/%d went back from %d to %d at +%.1fs"
                                % (key[0], key[1], a, b, t2 - t0))
    return failures, notes


def resume_failures(resume, bound_s):
    """The faults of resume_times() after which a partition was served again later than `bound_s`
    (None: the scenario has no bound)."""
    if bound_s is None:
        return []
    return ["%s at +%.1fs: partition %s served again after %.1f s > %d s"
            % (r["fault"], r["at"], r["partition"], r["resume_s"], bound_s)
            for r in resume if r["resume_s"] > bound_s]
