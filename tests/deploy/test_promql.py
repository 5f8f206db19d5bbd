"""The expression reader and the exposition check on fixed inputs: what they extract, and that they
report what is missing."""

import unittest

import promql
from exposition import Exposition, problems_in

SCRAPE = """\
# HELP streamhost_records_in_total Records dispatched to a handler
# TYPE streamhost_records_in_total counter
streamhost_records_in_total{route="entry"} 3
streamhost_records_in_total{route="focus"} 7
# TYPE streamhost_handler_duration_seconds histogram
streamhost_handler_duration_seconds_bucket{plugin="coupon",handler="focus",le="0.001"} 2
streamhost_handler_duration_seconds_bucket{plugin="coupon",handler="focus",le="+Inf"} 7
streamhost_handler_duration_seconds_sum{plugin="coupon",handler="focus"} 0.02
streamhost_handler_duration_seconds_count{plugin="coupon",handler="focus"} 7
# TYPE streamhost_pipeline_state gauge
streamhost_pipeline_state{state="RUNNING"} 1
streamhost_pipeline_state{state="FAILED"} 0
# TYPE streamhost_uptime_seconds gauge
streamhost_uptime_seconds 12.5
"""


class Analyse(unittest.TestCase):
    def test_selectors_grouping_and_functions(self):
        n = promql.analyse('histogram_quantile(0.99, sum by (le, plugin) '
                           '(rate(streamhost_handler_duration_seconds_bucket{plugin="coupon", handler=~"$h"}[$__rate_interval])))')
        self.assertEqual([(s.metric, s.matchers) for s in n.selectors],
                         [("streamhost_handler_duration_seconds_bucket", [("plugin", "=", "coupon"), ("handler", "=~", "$h")])])
        self.assertEqual(n.grouping_labels, {"le", "plugin"})
        self.assertEqual(n.functions, {"histogram_quantile", "sum", "rate"})

    def test_binary_operators_joins_and_offsets(self):
        n = promql.analyse("a > 0 and on (topic, partition) max without (pod) (changes(b[15m] offset 1h)) == bool 0")
        self.assertEqual([s.metric for s in n.selectors], ["a", "b"])
        self.assertEqual(n.grouping_labels, {"topic", "partition", "pod"})

    def test_trailing_by_clause_and_name_matcher(self):
        n = promql.analyse('sum(rate({__name__="x_total", route="e"}[5m])) by (route)')
        self.assertEqual([(s.metric, s.matchers) for s in n.selectors], [("x_total", [("route", "=", "e")])])
        self.assertEqual(n.grouping_labels, {"route"})

    def test_unknown_function_and_bad_matcher_are_errors(self):
        with self.assertRaises(promql.PromQLError):
            promql.analyse("rates(x[5m])")
        with self.assertRaises(promql.PromQLError):
            promql.analyse("x{route=entry}")

    def test_grafana_variable_queries_and_legends(self):
        self.assertEqual(promql.grafana_variable_query("label_values(streamhost_records_in_total, route)"),
                         ("streamhost_records_in_total", "route"))
        self.assertEqual(promql.legend_labels("p99 {{plugin}}/{{ handler }}"), {"plugin", "handler"})


class Check(unittest.TestCase):
    def setUp(self):
        self.e = Exposition(SCRAPE)

    def test_what_is_exported_passes(self):
        for expr in ('sum by (route) (rate(streamhost_records_in_total{route="entry"}[5m]))',
                     "histogram_quantile(0.5, sum by (le, handler) (rate(streamhost_handler_duration_seconds_bucket[5m])))",
                     'streamhost_pipeline_state{state="FAILED"} == 1',
                     "rate(streamhost_handler_duration_seconds_sum[5m]) / rate(streamhost_handler_duration_seconds_count[5m])",
                     'sum by (instance) (streamhost_uptime_seconds{job="x"})'):
            with self.subTest(expr=expr):
                self.assertEqual(problems_in(expr, self.e), [])

    def test_what_is_not_exported_is_reported(self):
        cases = {
            "streamhost_records_out_total": "not exported",
            "streamhost_handler_duration_seconds": "is a histogram",
            'streamhost_records_in_total{topic="a"}': "has no label topic",
            'streamhost_pipeline_state{state="STOPPED"}': "is not exported",
            "sum by (topic) (streamhost_records_in_total)": "groups or joins by",
        }
        for expr, words in cases.items():
            with self.subTest(expr=expr):
                found = problems_in(expr, self.e)
                self.assertTrue(any(words in p for p in found), found)
        self.assertTrue(problems_in("streamhost_records_in_total", self.e, legend="{{handler}}"))


if __name__ == "__main__":
    unittest.main()
