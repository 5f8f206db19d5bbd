"""One scenario run: topics, hosts, load, fault, samplers, checker; and the Suite the runs share
(the seed, the expected answers, the cleanups a signal must still run)."""

import json
import os
import random
import subprocess
import threading
import time
import traceback

from . import invariants, workload
from .services.fault_proxy import FaultProxy, url_target
from .services.host import Host, records_in, vm_rss_kib
from .services.kafka_protocol import KafkaOffsets
from .services.rest_proxy import Bridge, Reader
from .settings import DUP_PER_FAULT, STACK, log, now


class Run:
    def __init__(self, suite, scenario):
        self.suite, self.env, self.name, self.spec = suite, suite.env, scenario.name, scenario
        self.run_id = "%s-%s-%04x" % (time.strftime("%H%M%S"), self.name, random.randrange(1 << 16))
        self.dir = os.path.join(suite.dir, self.name)
        os.makedirs(self.dir, exist_ok=True)
        self.topics = {k: "chaos-%s-%s" % (k, self.run_id)
                       for k in ("entry", "focus", "predictions", "dead-letter")}
        self.group = "chaos-%s" % self.run_id
        self.host_env = {
            "GROUP_ID": self.group, "ENTRY_EVENT_TOPIC_NAME": self.topics["entry"],
            "FOCUS_EVENT_TOPIC_NAME": self.topics["focus"],
            "COUPON_PREDICTION_TOPIC_NAME": self.topics["predictions"],
            "DEAD_LETTER_TOPIC_NAME": self.topics["dead-letter"], "AUTO_OFFSET_RESET": "earliest",
            "COUPON_SCORER_URL": self.env.scorer}
        self.bridge = Bridge(self.env.proxy, self.env.dialect)
        self.hosts = []
        self.inputs = []
        self.faults = []          # (time, description)
        self.notes = []
        self.failures = []
        self.offset_samples = {}  # (topic, partition) -> [(t, offset)]
        self.rss = {}             # host name -> max KiB
        self.rss_series = []
        self.records_in_series = []  # (t, host, incarnation, records_in_total)
        self.produce_retries = []    # (t, error) of load produce requests retried
        self.stop_ev = threading.Event()
        self.proxies = []
        self.load_done = threading.Event()
        self.crashes = []

    # ---- set-up -------------------------------------------------------------------------------
    def create_topics(self, with_dlq=True):
        specs = ["%s:2" % self.topics["entry"], "%s:4" % self.topics["focus"],
                 "%s:4" % self.topics["predictions"]]
        if with_dlq:
            specs.append("%s:1" % self.topics["dead-letter"])
        r = subprocess.run([STACK, "topic"] + specs, capture_output=True, text=True,
                           env=dict(os.environ, **self.env.vars))
        if r.returncode != 0:
            raise RuntimeError("creating topics failed: " + r.stderr)

    def start_hosts(self, n):
        for i in range(n):
            h = Host(self, i + 1)
            self.hosts.append(h)
            h.start()
        for h in self.hosts:
            if not h.wait_ready(90):
                raise RuntimeError("%s not ready:\n%s" % (h.name, h.log_tail()))
        # Load starts only once every host is a member of a stable group, so that the first
        # rebalance (and its at-least-once repeats) is the fault's, not the start-up's.
        k = KafkaOffsets(self.env.kafka)
        deadline = now() + 60
        state = None
        while now() < deadline:
            state = k.group_state(self.group)
            if state == ("Stable", n):
                break
            time.sleep(0.25)
        else:
            raise RuntimeError("group %s not stable with %d members in 60 s: %s" % (self.group, n, state))
        k.sock.close()

    # ---- samplers -----------------------------------------------------------------------------
    def sampler(self):
        k = KafkaOffsets(self.env.kafka)
        tp = {self.topics["entry"]: [0, 1], self.topics["focus"]: [0, 1, 2, 3]}
        while not self.stop_ev.is_set():
            t = now()
            try:
                for key, off in k.fetch(self.group, tp).items():
                    s = self.offset_samples.setdefault(key, [])
                    if off >= 0 and (not s or s[-1][1] != off):
                        s.append((t, off))
            except Exception as e:  # noqa: BLE001
                self.notes.append("offset sample failed: %s" % e)
            for h in self.hosts:
                if h.proc is None:
                    continue
                if h.alive():
                    kib = vm_rss_kib(h.proc.pid)
                    if kib:
                        self.rss[h.name] = max(self.rss.get(h.name, 0), kib)
                        self.rss_series.append((round(t, 2), h.name, kib))
                elif not h.expected_exit:
                    h.expected_exit = True
                    self.crashes.append("%s (pid %d) exited by itself with %s:\n%s" % (
                        h.name, h.proc.pid, h.proc.returncode, h.log_tail()))
            tick = getattr(self, "_tick", 0) + 1
            self._tick = tick
            if tick % 4 == 0:
                for h in self.hosts:
                    if h.alive():
                        n = records_in(h.metrics())
                        if n is not None:
                            self.records_in_series.append((t, h.name, h.incarnation, n))
            self.stop_ev.wait(0.25)

    def busiest_host(self, window=3.0):
        """The live host that took in the most records over the last `window` seconds (so a kill
        hits a host that owns partitions, not an idle one)."""
        t = now()
        best, best_n = None, -1
        for h in self.hosts:
            if not h.alive():
                continue
            pts = [n for (ts, name, inc, n) in self.records_in_series
                   if name == h.name and inc == h.incarnation and ts >= t - window - 1.5]
            d = (pts[-1] - pts[0]) if len(pts) >= 2 else 0
            if d > best_n:
                best, best_n = h, d
        return best, best_n

    # ---- load ---------------------------------------------------------------------------------
    def plan(self, expected, n_focus):
        """This run's inputs (workload.plan); a fault's own plan adds its bad records to it."""
        return workload.plan(self.run_id, expected, n_focus)

    def load(self, inputs, rate):
        """Produces `inputs` in order at about `rate` events per second, in batches every 0.1 s, one
        produce request per topic. A failed request is retried until it is acknowledged."""
        period = 0.1
        per_batch = max(1, int(rate * period))
        i = 0
        next_t = now()
        while i < len(inputs) and not self.stop_ev.is_set():
            # Big poison records travel alone, in a produce request of their own.
            batch = []
            for x in inputs[i:i + per_batch]:
                if len(x.value) > 100000:
                    if not batch:
                        batch = [x]
                    break
                batch.append(x)
            by_topic = {}
            for x in batch:
                x.topic = self.topics["entry" if x.kind == "entry" else "focus"]
                by_topic.setdefault(x.topic, []).append(x)
            for topic, xs in by_topic.items():
                while not self.stop_ev.is_set():
                    try:
                        res = self.bridge.produce(topic, [(x.key, x.value) for x in xs])
                        t = now()
                        for x, r in zip(xs, res):
                            if isinstance(r, str):
                                x.note = "produce refused: " + r
                            else:
                                x.partition, x.offset = r
                            x.sent = t
                        break
                    except Exception as e:  # noqa: BLE001 - the proxy may be down: retry
                        self.produce_retries.append((now() - self.t0, str(e)[:120]))
                        time.sleep(0.5)
            i += len(batch)
            next_t += period
            time.sleep(max(0.0, next_t - now()))
        self.load_done.set()

    # ---- checker (invariants.py) --------------------------------------------------------------
    def check(self, expected):
        return invariants.check(self.inputs, self.reader.snapshot(), self.topics, expected,
                                self.offset_samples)

    def execute(self, expected):
        spec = self.spec
        self.t0 = now()
        result = {"scenario": self.name, "run_id": self.run_id}
        try:
            self.create_topics(with_dlq=spec.dlq)
            if spec.setup:
                spec.setup(self)
            self.start_hosts(spec.hosts)
            self.reader = Reader(self.bridge, [self.topics["predictions"], self.topics["dead-letter"]],
                                 "chaos-check-" + self.run_id)
            self.reader.start()
            threading.Thread(target=self.sampler, daemon=True).start()
            rate = spec.rate
            n_focus = int(rate * spec.load_s * 0.8)
            self.inputs = spec.plan(self, expected) if spec.plan else self.plan(expected, n_focus)
            self.t0 = now()
            loader = threading.Thread(target=self.load, args=(self.inputs, rate), daemon=True)
            loader.start()
            spec.fault(self)
            loader.join()
            # Drain: wait until every input is answered and every input partition is committed.
            deadline = now() + spec.drain_s
            while now() < deadline:
                if self.crashes and not spec.tolerate_crash:
                    break
                res = self.check(expected)
                if not res["lost"] and self.all_committed():
                    break
                time.sleep(1)
            time.sleep(1.5)  # let late duplicates and commits show
            res = self.check(expected)
            result.update(self.verdict(res, spec))
        except Exception as e:  # noqa: BLE001
            self.failures.append("scenario error: %s\n%s" % (e, traceback.format_exc()))
            result.update({"inputs": len(self.inputs), "answered": 0, "lost": "?", "duplicates": "?",
                           "resume": []})
        finally:
            self.teardown(result)
        if self.produce_retries:
            r = self.produce_retries
            self.notes.insert(0, "load: %d produce request(s) retried from +%.1fs to +%.1fs (%s)"
                              % (len(r), r[0][0], r[-1][0], r[0][1]))
        result["failures"] = self.failures
        result["notes"] = self.notes[:40]
        result["verdict"] = "PASS" if not self.failures else "FAIL"
        result["seconds"] = round(now() - self.t0, 1)
        with open(os.path.join(self.dir, "result.json"), "w") as f:
            json.dump(result, f, indent=2, default=str)
        return result

    def all_committed(self):
        try:
            for kind, parts in (("entry", 2), ("focus", 4)):
                for p in range(parts):
                    end = self.bridge.end_offset(self.topics[kind], p)
                    s = self.offset_samples.get((self.topics[kind], p), [])
                    if end > 0 and (not s or s[-1][1] < end):
                        return False
            return True
        except Exception:  # noqa: BLE001
            return False

    def verdict(self, res, spec):
        """The failures and figures of the run's final check: invariants.findings() and the checks
        that need the live run (committed to the end, crashes, RSS, resume bounds, post-check)."""
        out = {"inputs": res["inputs"], "answered": res["answered"], "lost": len(res["lost"]),
               "duplicates": res["duplicates"]}
        bound = spec.dup_bound if spec.dup_bound is not None else \
            DUP_PER_FAULT * max(1, len(self.faults))
        out["dup_bound"] = bound
        failures, notes = invariants.findings(res, self.offset_samples, self.t0, bound, spec.dlq_ok)
        self.failures.extend(failures)
        self.notes.extend(notes)
        if not self.all_committed():
            self.failures.append("committed offsets did not reach the end of every input partition")
        if self.crashes and not spec.tolerate_crash:
            self.failures.extend("host crashed: " + c for c in self.crashes)
        rss = max(self.rss.values()) if self.rss else 0
        out["max_rss_mib"] = round(rss / 1024.0, 1)
        if rss / 1024.0 > spec.rss_bound_mib:
            self.failures.append("RSS %.0f MiB > bound %d MiB" % (rss / 1024.0, spec.rss_bound_mib))
        out["resume"] = invariants.resume_times(self.inputs, res["first"], self.faults, self.t0)
        with open(os.path.join(self.dir, "inputs.tsv"), "w") as f:
            f.write("chaos_id\tkind\tcustomer\tcategory\tseq\tpartition\toffset\tsent_s\tfirst_answer_s\tanswers\n")
            for x in self.inputs:
                fa = res["first"].get(x.chaos_id)
                f.write("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" % (
                    x.chaos_id, x.kind if x.kind != "poison" else "poison:" + x.note, x.customer,
                    x.category, x.seq, x.partition, x.offset,
                    "%.3f" % (x.sent - self.t0) if x.sent else "", "%.3f" % (fa - self.t0) if fa else "",
                    res["answers"].get(x.chaos_id, 0)))
        self.failures.extend(invariants.resume_failures(out["resume"], spec.resume_bound_s))
        if spec.post_check:
            spec.post_check(self, res, out)
        return out

    def teardown(self, result):
        self.stop_ev.set()
        self.load_done.wait(5)
        for fn in self.suite.cleanups[:]:
            try:
                fn()
            except Exception as e:  # noqa: BLE001
                self.notes.append("cleanup failed: %s" % e)
            self.suite.cleanups.remove(fn)
        codes = {}
        for h in self.hosts:
            if h.alive():
                codes[h.name] = h.stop()
                if codes[h.name] != 0:
                    self.failures.append("%s exited %s on SIGTERM:\n%s" % (h.name, codes[h.name], h.log_tail()))
        result["exit_codes"] = codes
        last = {}
        for t, name, inc, n in self.records_in_series:
            last["%s.%d" % (name, inc)] = n
        result["records_in_per_host"] = last
        result["host_events"] = {h.name: [(round(t - self.t0, 2), e, p) for t, e, p in h.events]
                                 for h in self.hosts}
        if hasattr(self, "reader"):
            self.reader.close()
        for p in self.proxies:
            p.close()
        with open(os.path.join(self.dir, "offsets.tsv"), "w") as f:
            for (topic, part), s in sorted(self.offset_samples.items()):
                for t, o in s:
                    f.write("%.2f\t%s\t%d\t%d\n" % (t - self.t0, topic, part, o))
        with open(os.path.join(self.dir, "rss.tsv"), "w") as f:
            for t, name, kib in self.rss_series:
                f.write("%.2f\t%s\t%d\n" % (t - self.t0, name, kib))

    # ---- helpers for faults -------------------------------------------------------------------
    def at(self, seconds):
        """Sleeps until `seconds` after the load started."""
        time.sleep(max(0.0, self.t0 + seconds - now()))

    def fault(self, what):
        self.faults.append((now(), what))
        log("  +%.1fs %s" % (now() - self.t0, what))

    def fault_proxy(self, url):
        """A FaultProxy in front of `url` (a setup step points the hosts at it), closed at teardown."""
        p = FaultProxy(url_target(url))
        self.proxies.append(p)
        return p


class Suite:
    def __init__(self, env, seed):
        self.env = env
        self.seed = seed
        self.cleanups = []
        self.dir = os.path.join(env.run_dir, "chaos", time.strftime("%Y%m%d-%H%M%S"))
        os.makedirs(self.dir, exist_ok=True)
        self.expected = None
