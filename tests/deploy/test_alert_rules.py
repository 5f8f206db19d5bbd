"""The alert rules evaluated by Prometheus's own rule engine (promtool test rules) on series written
like the host's: each rule tested here fires on the failure it is written for and stays quiet on
the brief blips around it. The scrape interval is 15 s, as in manifests/monitoring."""

import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

import yaml

import deploy_files as df

PROMTOOL = shutil.which("promtool")


def rules_file(directory):
    """The PrometheusRule's spec as a plain rules file (what docs/deployment.md's conversion does)."""
    doc = yaml.safe_load((df.MONITORING / "prometheus-rules.yaml").read_text())
    path = Path(directory) / "rules.yaml"
    path.write_text(yaml.safe_dump(doc["spec"]))
    return path


def run_promtool(tests):
    """Runs promtool on `tests` (its tests list); returns (ok, output)."""
    with tempfile.TemporaryDirectory() as d:
        rules = rules_file(d)
        spec = Path(d) / "tests.yaml"
        spec.write_text(yaml.safe_dump({"rule_files": [str(rules)], "evaluation_interval": "15s",
                                        "tests": tests}))
        done = subprocess.run([PROMTOOL, "test", "rules", str(spec)], capture_output=True, text=True, timeout=60)
        return done.returncode == 0, done.stdout + done.stderr


def state_series(state, values):
    return {"series": f'streamhost_pipeline_state{{state="{state}",instance="h:9",job="streamhost"}}',
            "values": values}


class AlertRules(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if PROMTOOL is None:
            raise AssertionError("promtool is not installed: run scripts/install-deps (Debian's prometheus)")

    def assert_passes(self, tests):
        ok, output = run_promtool(tests)
        self.assertTrue(ok, output)

    def test_a_twenty_second_proxy_freeze_fires_stalled(self):
        # Scrapes every 15 s; one of them fell in the freeze (STALLED from +3 s to +20 s).
        self.assert_passes([{
            "interval": "15s",
            "input_series": [state_series("STALLED", "0 0 1 0 0 0 0 0")],
            "alert_rule_test": [
                {"eval_time": "15s", "alertname": "StreamhostProxyStalled", "exp_alerts": []},
                {"eval_time": "45s", "alertname": "StreamhostProxyStalled", "exp_alerts": [{
                    "exp_labels": {"severity": "warning", "state": "STALLED", "instance": "h:9",
                                   "job": "streamhost"},
                    "exp_annotations": {
                        "summary": "the REST proxy stopped answering streamhost on h:9",
                        "description": _rule("StreamhostProxyStalled")["annotations"]["description"],
                    }}]},
                # Resolved once no STALLED sample is left in the 5-minute window.
                {"eval_time": "6m", "alertname": "StreamhostProxyStalled", "exp_alerts": []},
            ]}])

    def test_a_host_that_never_stalls_raises_nothing(self):
        ok, output = run_promtool([{
            "interval": "15s",
            "input_series": [state_series("STALLED", "0x40")],
            "alert_rule_test": [{"eval_time": "10m", "alertname": "StreamhostProxyStalled", "exp_alerts": []}],
        }])
        self.assertTrue(ok, output)

    def test_a_failure_held_for_one_scrape_fires_failed(self):
        # admin.failed_hold_ms (20 s) keeps FAILED up for at least one 15 s scrape; then the target
        # is gone (the process restarted: its series ends).
        self.assert_passes([{
            "interval": "15s",
            "input_series": [state_series("FAILED", "0 0 1 _ _ _ _ _")],
            "alert_rule_test": [
                {"eval_time": "15s", "alertname": "StreamhostPipelineFailed", "exp_alerts": []},
                {"eval_time": "2m", "alertname": "StreamhostPipelineFailed", "exp_alerts": [{
                    "exp_labels": {"severity": "critical", "state": "FAILED", "instance": "h:9",
                                   "job": "streamhost"},
                    "exp_annotations": {
                        "summary": "streamhost pipeline failed on h:9",
                        "description": _rule("StreamhostPipelineFailed")["annotations"]["description"],
                    }}]},
            ]}])

    def test_the_rule_test_can_fail(self):
        # The harness itself: a wrong expectation must be reported, or the tests above prove nothing.
        ok, output = run_promtool([{
            "interval": "15s",
            "input_series": [state_series("STALLED", "0x40")],
            "alert_rule_test": [{"eval_time": "1m", "alertname": "StreamhostProxyStalled",
                                 "exp_alerts": [{"exp_labels": {"severity": "warning"}}]}],
        }])
        self.assertFalse(ok, output)


def _rule(alert):
    doc = yaml.safe_load((df.MONITORING / "prometheus-rules.yaml").read_text())
    return next(r for g in doc["spec"]["groups"] for r in g["rules"] if r.get("alert") == alert)


if __name__ == "__main__":
    unittest.main()
