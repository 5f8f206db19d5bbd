"""The invariants checker (invariants.py) on synthetic runs: one clean run that must pass, and the
same run with one thing broken that must fail, naming what broke. No stack: the records are built
here in the shape the checking consumer (services/rest_proxy.Reader) stores them."""

import json
import unittest

from .invariants import check, findings, resume_failures, resume_times
from .workload import Input

TOPICS = {"entry": "in-entry", "focus": "in-focus", "predictions": "out", "dead-letter": "dlq"}
# Calibrated answers: the ranked coupon list each (customer, department) gets; prefix-free per customer.
EXPECTED = {7: {"Men": [11, 12], "Women": [21]}, 8: {"Boys": [31], "Girls": [41, 42]}}
T0 = 1000.0
BOUND = 120


class SyntheticRun:
    """Inputs as the load leaves them (topic, partition, offset, send time), and what the checking
    consumer and the offset sampler would have seen. Starts with every input produced, nothing
    answered and nothing committed."""

    def __init__(self):
        self.inputs = []
        self.records = []
        self.offset_samples = {}
        self.out_offsets = {}
        self.entry_7 = self._input("entry", 7, None, 0, "in-entry", 0, 0)
        self.men_7 = self._input("focus", 7, "Men", 0, "in-focus", 0, 0)
        self.women_7 = self._input("focus", 7, "Women", 1, "in-focus", 0, 1)
        self.entry_8 = self._input("entry", 8, None, 0, "in-entry", 1, 0)
        self.girls_8 = self._input("focus", 8, "Girls", 0, "in-focus", 1, 0)
        self.boys_8 = self._input("focus", 8, "Boys", 1, "in-focus", 1, 1)
        self.poison = self._input("poison", None, None, 0, "in-focus", 2, 0, expect_dlq=True,
                                  note="truncated")

    def _input(self, kind, customer, category, seq, topic, partition, offset, **kw):
        x = Input(kind, str(customer).encode(), b"{}", customer=customer, category=category, seq=seq,
                  chaos_id="c%d" % len(self.inputs), **kw)
        x.topic, x.partition, x.offset = topic, partition, offset
        x.sent = T0 + len(self.inputs) * 0.1
        self.inputs.append(x)
        return x

    def _output(self, topic, partition, ts, value):
        offset = self.out_offsets.get((topic, partition), 0)
        self.out_offsets[(topic, partition)] = offset + 1
        self.records.append({"topic": topic, "partition": partition, "offset": offset, "ts": ts,
                             "seen": ts, "key": None, "value": json.dumps(value).encode()})

    def answer(self, x, ts, coupons=None):
        """The prediction results of focus input `x` (its calibrated list unless `coupons`), on
        the output partition of its customer."""
        for coupon in EXPECTED[x.customer][x.category] if coupons is None else coupons:
            self._output("out", x.customer % 4, ts,
                         {"event_type": "coupon prediction",
                          "payload": {"customer_id": x.customer, "coupon_id": coupon}})

    def dead_letter(self, x, ts, reason="invalid JSON at byte 80"):
        self._output("dlq", 0, ts, {"topic": x.topic, "partition": x.partition, "offset": x.offset,
                                    "status": "REJECT", "reason": reason})

    def commit(self, topic, partition, offset, t):
        self.offset_samples.setdefault((topic, partition), []).append((t, offset))

    def all_answered(self):
        """Every focus input answered once in input order, the poison record dead-lettered with a
        reason, every input partition committed to its end, offsets only ever going forward."""
        for i, x in enumerate((self.men_7, self.women_7, self.girls_8, self.boys_8)):
            self.answer(x, T0 + 2 + i)
        self.dead_letter(self.poison, T0 + 3)
        for (topic, partition), ends in {("in-entry", 0): 1, ("in-entry", 1): 1,
                                         ("in-focus", 0): 2, ("in-focus", 1): 2,
                                         ("in-focus", 2): 1}.items():
            for offset in range(1, ends + 1):
                self.commit(topic, partition, offset, T0 + 1 + offset)
        return self

    def verdict(self, dup_bound=BOUND, dlq_ok=False):
        res = check(self.inputs, self.records, TOPICS, EXPECTED, self.offset_samples)
        failures, notes = findings(res, self.offset_samples, T0, dup_bound, dlq_ok)
        return res, failures, notes


class CleanRun(unittest.TestCase):
    def test_every_input_answered_once_in_order_passes(self):
        res, failures, notes = SyntheticRun().all_answered().verdict()
        self.assertEqual(failures, [])
        self.assertEqual(notes, [])
        self.assertEqual((res["inputs"], res["answered"], res["duplicates"]), (7, 7, 0))
        self.assertEqual(res["lost"], [])
        self.assertEqual(len(res["dlq_envelopes"]), 1)

    def test_a_repeat_within_the_bound_passes(self):
        run = SyntheticRun().all_answered()
        run.answer(run.men_7, T0 + 9)
        res, failures, _ = run.verdict(dup_bound=1)
        self.assertEqual(failures, [])
        self.assertEqual(res["duplicates"], 1)
        self.assertEqual(res["answers"][run.men_7.chaos_id], 2)

    def test_a_partial_answer_repeated_in_full_is_a_note(self):
        run = SyntheticRun()
        run.answer(run.men_7, T0 + 1, coupons=[11])  # the host died after the first of two results
        run.all_answered()
        res, failures, notes = run.verdict()
        self.assertEqual(failures, [])
        self.assertEqual(res["partial"], 1)
        self.assertIn("not part of a complete answer", notes[0])


class BrokenRun(unittest.TestCase):
    def assertFailsWith(self, failures, words):
        self.assertTrue(any(words in f for f in failures), "%r not in %r" % (words, failures))

    def test_a_lost_focus_record_fails(self):
        run = SyntheticRun().all_answered()
        run.records = [r for r in run.records
                       if json.loads(r["value"]).get("payload", {}).get("coupon_id") != 31]
        res, failures, _ = run.verdict()
        self.assertEqual(res["lost"], [run.boys_8])
        self.assertFailsWith(failures, "1 input(s) never answered, e.g. focus %s p1@1 Boys"
                             % run.boys_8.chaos_id)

    def test_an_entry_record_never_committed_past_fails(self):
        run = SyntheticRun().all_answered()
        del run.offset_samples[("in-entry", 1)]
        res, failures, _ = run.verdict()
        self.assertEqual(res["lost"], [run.entry_8])
        self.assertFailsWith(failures, "never answered")

    def test_a_poison_record_not_dead_lettered_fails(self):
        run = SyntheticRun().all_answered()
        run.records = [r for r in run.records if r["topic"] != "dlq"]
        res, failures, _ = run.verdict()
        self.assertEqual(res["lost"], [run.poison])
        self.assertFailsWith(failures, "poison %s p2@0 truncated" % run.poison.chaos_id)

    def test_duplicates_beyond_the_bound_fail(self):
        run = SyntheticRun().all_answered()
        for t in (10, 11, 12):
            run.answer(run.girls_8, T0 + t)
        res, failures, _ = run.verdict(dup_bound=2)
        self.assertEqual(res["duplicates"], 3)
        self.assertFailsWith(failures, "3 duplicates > bound 2")

    def test_per_key_order_broken_fails(self):
        run = SyntheticRun()
        run.answer(run.women_7, T0 + 2)  # customer 7's second event answered before its first
        run.answer(run.men_7, T0 + 3)
        run.answer(run.girls_8, T0 + 2)
        run.answer(run.boys_8, T0 + 3)
        run.dead_letter(run.poison, T0 + 3)
        run.offset_samples = SyntheticRun().all_answered().offset_samples
        res, failures, _ = run.verdict()
        self.assertEqual(res["lost"], [])
        self.assertEqual(len(res["order_violations"]), 1)
        self.assertFailsWith(failures, "per-key order broken")
        self.assertFailsWith(failures, "customer 7: first answer to its event #0 after #1")

    def test_a_committed_offset_going_backwards_fails(self):
        run = SyntheticRun().all_answered()
        run.commit("in-focus", 0, 1, T0 + 7.5)  # after 2 at +3 s
        run.commit("in-focus", 0, 2, T0 + 8)
        _, failures, _ = run.verdict()
        self.assertEqual(len(failures), 1, failures)
        self.assertFailsWith(failures, "committed offset of in-focus/0 went back from 2 to 1 at +7.5s")

    def test_a_good_focus_record_dead_lettered_fails(self):
        run = SyntheticRun().all_answered()
        run.dead_letter(run.girls_8, T0 + 4, reason="scorer said no")
        res, failures, _ = run.verdict()
        self.assertEqual(res["lost"], [])
        self.assertFailsWith(failures, "good input(s) dead-lettered: ['%s: scorer said no']"
                             % run.girls_8.chaos_id)
        # Only a scenario that makes the sink fail on purpose may allow it.
        self.assertEqual(run.verdict(dlq_ok=True)[1], [])

    def test_a_good_record_dead_lettered_instead_of_answered_fails(self):
        run = SyntheticRun().all_answered()
        run.records = [r for r in run.records
                       if json.loads(r["value"]).get("payload", {}).get("coupon_id") != 21]
        run.dead_letter(run.women_7, T0 + 4)
        res, failures, _ = run.verdict()
        self.assertEqual(res["lost"], [])  # it has an envelope with a reason...
        self.assertFailsWith(failures, "good input(s) dead-lettered")  # ...but was good

    def test_a_good_entry_record_dead_lettered_fails(self):
        run = SyntheticRun().all_answered()
        del run.offset_samples[("in-entry", 0)]
        run.dead_letter(run.entry_7, T0 + 4)
        _, failures, _ = run.verdict()
        self.assertFailsWith(failures, "good input(s) dead-lettered: ['%s:" % run.entry_7.chaos_id)

    def test_a_dead_letter_without_a_reason_fails(self):
        run = SyntheticRun().all_answered()
        run.records = [r for r in run.records if r["topic"] != "dlq"]
        run.dead_letter(run.poison, T0 + 3, reason=" ")
        _, failures, _ = run.verdict()
        self.assertFailsWith(failures, "dead-letter envelope(s) without a reason: ['%s']"
                             % run.poison.chaos_id)

    def test_output_that_maps_to_no_input_fails(self):
        run = SyntheticRun().all_answered()
        run._output("out", 1, T0 + 5, {"payload": {"customer_id": 99, "coupon_id": 1}})
        run._output("out", 1, T0 + 5, "not an answer")
        run._output("dlq", 0, T0 + 5, {"topic": "in-focus", "partition": 3, "offset": 0,
                                       "reason": "x"})
        res, failures, _ = run.verdict()
        self.assertEqual(res["foreign"], 3)
        self.assertFailsWith(failures, "3 output record(s) that map to no input")


class ResumeTimes(unittest.TestCase):
    def test_the_longest_silence_after_a_fault_is_measured_and_bounded(self):
        run = SyntheticRun()
        first = {run.men_7.chaos_id: T0 + 1,      # answered before the fault at +5 s
                 run.women_7.chaos_id: T0 + 35,   # partition 0 silent from the fault to +35 s
                 run.girls_8.chaos_id: T0 + 6,
                 run.boys_8.chaos_id: T0 + 8}
        out = resume_times(run.inputs, first, [(T0 + 5, "kill -9 h1")], T0)
        self.assertEqual(len(out), 1)
        self.assertEqual((out[0]["fault"], out[0]["at"]), ("kill -9 h1", 5.0))
        self.assertEqual((out[0]["resume_s"], out[0]["partition"]), (30.0, 0))
        self.assertEqual(resume_failures(out, 45), [])
        self.assertEqual(resume_failures(out, None), [])
        self.assertEqual(resume_failures(out, 10),
                         ["kill -9 h1 at +5.0s: partition 0 served again after 30.0 s > 10 s"])


if __name__ == "__main__":
    unittest.main()
