"""The Grafana dashboard and the alert rules against a real host: runs the coupon pipeline on the
local stack (real Kafka behind the Strimzi bridge, real PostgreSQL) on fresh topics, sends entry and
focus events and one malformed event through the bridge, scrapes /metrics and fails when an
expression names a metric, a label or a label value the host does not export."""

import base64
import json
import os
import secrets
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

import deploy_files as df
import promql
from exposition import Exposition, problems_in

STREAMHOST_BIN = os.environ.get("STREAMHOST_BIN", str(df.REPO / "build" / "bin" / "streamhost"))
PLUGIN_DIR = os.environ.get("STREAMHOST_PLUGIN_DIR", str(df.REPO / "build" / "lib"))
STACK = os.environ.get("STREAMHOST_STACK_SCRIPT", str(df.REPO / "manifests" / "local" / "stack"))
STACK_VARIABLES = ("STREAMHOST_REST_PROXY_URL", "STREAMHOST_REST_PROXY_DIALECT", "DB_HOST", "DB_PORT",
                   "DB_NAME", "DB_USER", "DB_PASSWORD")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def produce(proxy, topic, records):
    """Produces (key, value) byte pairs through the REST proxy (binary embedded format, which both
    dialects accept) and fails unless every record was acknowledged."""
    body = {"records": [{"key": base64.b64encode(k).decode(), "value": base64.b64encode(v).decode()}
                        for k, v in records]}
    req = urllib.request.Request(f"{proxy}/topics/{topic}", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/vnd.kafka.binary.v2+json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        answer = json.loads(r.read())
    errors = [o for o in answer["offsets"] if o.get("error") or o.get("error_code")]
    if errors:
        raise AssertionError(f"produce to {topic} failed: {errors}")


def entry(customer):
    return json.dumps({"event_type": "customer entry", "event_timestamp": "2021-03-18T08:29:02.160Z",
                       "payload": {"customer_id": customer}}).encode()


def focus(customer, category):
    return json.dumps({"event_type": "customer focus", "event_timestamp": "2021-03-18T08:29:02.160Z",
                       "payload": {"customer_id": customer, "category": category}}).encode()


def files_metric_names():
    """Every metric name the dashboard and the alert rules select."""
    _, targets, variables = df.dashboard_queries()
    exprs = [e for _, e, _ in targets] + [e for _, e, _ in df.alert_rules()]
    exprs += [promql.grafana_variable_query(q)[0] for _, q in variables]
    return {s.metric for e in exprs for s in promql.analyse(e).selectors}


class DashboardAndRulesAgainstARunningHost(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        missing = [v for v in STACK_VARIABLES if v not in os.environ]
        if missing:
            raise AssertionError(f"the local stack's variables are not set ({', '.join(missing)}): "
                                 'run `manifests/local/stack up` and `eval "$(manifests/local/stack env)"`')
        suffix = secrets.token_hex(4)
        cls.topics = {k: f"deploy-metrics-{k}-{suffix}" for k in ("entry", "focus", "predictions", "dead-letters")}
        subprocess.run([STACK, "topic", f"{cls.topics['entry']}:2", f"{cls.topics['focus']}:2",
                        f"{cls.topics['predictions']}:1", f"{cls.topics['dead-letters']}:1"],
                       check=True, capture_output=True, timeout=120)
        cls.port = free_port()
        env = dict(os.environ,
                   GROUP_ID=f"deploy-metrics-{suffix}",
                   INSTANCE_NAME=f"deploy-metrics-{suffix}",
                   ENTRY_EVENT_TOPIC_NAME=cls.topics["entry"],
                   FOCUS_EVENT_TOPIC_NAME=cls.topics["focus"],
                   COUPON_PREDICTION_TOPIC_NAME=cls.topics["predictions"],
                   DEAD_LETTER_TOPIC_NAME=cls.topics["dead-letters"],
                   ADMIN_PORT=str(cls.port),
                   STREAMHOST_PLUGIN_DIR=PLUGIN_DIR)
        env.pop("TESTING_NO_KAFKA", None)
        cls.log = tempfile.TemporaryFile()
        cls.proc = subprocess.Popen([STREAMHOST_BIN, "run", "-f", str(df.REPO / "manifests" / "pipelines" / "coupon.yaml")],
                                    env=env, stdout=cls.log, stderr=subprocess.STDOUT)
        try:
            cls.exposition = cls.drive_traffic_and_scrape()
        except BaseException:
            cls.stop()
            raise

    @classmethod
    def host_log(cls):
        cls.log.seek(0)
        return cls.log.read().decode(errors="replace")[-6000:]

    @classmethod
    def wait(cls, what, predicate, timeout_s):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if cls.proc.poll() is not None:
                raise AssertionError(f"streamhost exited with {cls.proc.returncode}:\n{cls.host_log()}")
            result = predicate()
            if result:
                return result
            time.sleep(0.5)
        raise AssertionError(f"{what} within {timeout_s} s\n{cls.host_log()}")

    @classmethod
    def scrape(cls):
        status, text = get(f"http://127.0.0.1:{cls.port}/metrics")
        return Exposition(text) if status == 200 else None

    @classmethod
    def drive_traffic_and_scrape(cls):
        base = f"http://127.0.0.1:{cls.port}"

        def ready():
            try:
                return get(base + "/readyz")[0] == 200
            except (urllib.error.URLError, ConnectionError):
                return False

        cls.wait("streamhost was not ready", ready, 90)
        proxy = os.environ["STREAMHOST_REST_PROXY_URL"]
        customers = (1, 2, 3)
        produce(proxy, cls.topics["entry"], [(str(c).encode(), entry(c)) for c in customers])
        # Entries first, so the focus events find the context cached (the cache-hit counter).
        cls.wait("the entry events were not handled",
                 lambda: (e := cls.scrape()) and e.value("streamhost_records_in_total", route="entry") >= 3, 60)
        # Customer 4 has no entry: its context is not cached (the cache-miss counter).
        produce(proxy, cls.topics["focus"], [(str(c).encode(), focus(c, cat)) for c in customers for cat in ("Men", "Women")]
                + [(b"4", focus(4, "Men")), (b"1", b"this is not an event")])
        cls.wait("the focus events (8, one rejected) were not handled, dead-lettered and committed",
                 lambda: (e := cls.scrape()) and e.value("streamhost_records_in_total", route="focus") >= 8
                 and e.value("streamhost_dead_letters_total", route="focus") >= 1
                 and e.value("streamhost_commits_total") >= 1, 90)
        # Some series appear a little later: per-partition offsets after the first commit and the
        # first log-end fetch (admin.lag_interval_ms, 10 s). Wait until every metric the files
        # name is there, for at most 30 s; what is still missing then is reported by the tests.
        wanted = files_metric_names()
        deadline = time.monotonic() + 30
        while True:
            exposition = cls.scrape()
            if exposition and wanted <= set(exposition.samples) or time.monotonic() > deadline:
                return exposition
            time.sleep(1)

    @classmethod
    def stop(cls):
        if cls.proc.poll() is None:
            cls.proc.terminate()
            try:
                cls.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                cls.proc.kill()
                cls.proc.wait()

    @classmethod
    def tearDownClass(cls):
        cls.stop()
        cls.log.close()

    def test_the_checker_notices_what_is_not_exported(self):
        # The same scrape must reject a made-up metric, label and label value, or the checks below
        # would pass whatever the files say.
        self.assertTrue(problems_in("rate(streamhost_no_such_metric_total[5m])", self.exposition))
        self.assertTrue(problems_in('streamhost_records_in_total{routee="entry"}', self.exposition))
        self.assertTrue(problems_in('streamhost_records_in_total{route="no-such-route"}', self.exposition))
        self.assertTrue(problems_in("sum by (partition) (streamhost_records_in_total)", self.exposition))
        self.assertFalse(problems_in('sum by (route) (streamhost_records_in_total{route="entry"})', self.exposition))

    def test_the_dashboard_names_only_exported_metrics_and_labels(self):
        _, targets, variables = df.dashboard_queries()
        found = []
        for where, expr, legend in targets:
            found += [f"{where}: {p}" for p in problems_in(expr, self.exposition, legend)]
        for where, query in variables:
            selector, label = promql.grafana_variable_query(query)
            found += [f"{where}: {p}" for p in problems_in(selector, self.exposition)]
            if label:
                names = set().union(*(self.exposition.label_names(s.metric) for s in promql.analyse(selector).selectors))
                if label not in names and label not in ("instance", "job"):
                    found.append(f"{where}: {selector} has no label {label}")
        if found:
            self.fail(f"{len(found)} problems:\n" + "\n".join(found))

    def test_the_alert_rules_name_only_exported_metrics_and_labels(self):
        found = []
        for name, expr, labels in df.alert_rules():
            legend = " ".join("{{" + l + "}}" for l in labels)
            found += [f"alert {name}: {p}" for p in problems_in(expr, self.exposition, legend)]
        if found:
            self.fail(f"{len(found)} problems:\n" + "\n".join(found))


if __name__ == "__main__":
    unittest.main()
