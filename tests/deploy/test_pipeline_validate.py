"""`streamhost validate` on the pipeline manifest the pods run (manifests/kubernetes/coupon/
pipeline.yaml), with the variables the pods get: the ConfigMap's, the Secret's (from its committed
example), the pod name, and a token file where the Secret is mounted."""

import os
import subprocess
import tempfile
import unittest

import deploy_files as df

STREAMHOST_BIN = os.environ.get("STREAMHOST_BIN", str(df.REPO / "build" / "bin" / "streamhost"))
PLUGIN_DIR = os.environ.get("STREAMHOST_PLUGIN_DIR", str(df.REPO / "build" / "lib"))
PIPELINE = df.KUBERNETES / "coupon" / "pipeline.yaml"


class PodPipelineValidates(unittest.TestCase):
    def validate(self, extra_env, drop=()):
        coupon = df.KUBERNETES / "coupon"
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "STREAMHOST_PLUGIN_DIR": PLUGIN_DIR,
               "INSTANCE_NAME": "coupon-7d9f8b6c5-x2k4q"}
        env.update(df.read_env_file(coupon / "coupon.env"))
        env.update(df.read_env_file(df.secret_source(coupon / "db-secret.env")))
        env.update(extra_env)
        for name in drop:
            env.pop(name)
        return subprocess.run([STREAMHOST_BIN, "validate", "-f", str(PIPELINE)], env=env,
                              capture_output=True, text=True, timeout=60)

    def test_validates_with_the_pods_variables(self):
        with tempfile.NamedTemporaryFile("w", suffix=".token") as token:
            token.write("0123456789abcdef0123456789abcdef\n")
            token.flush()
            result = self.validate({"ADMIN_TOKEN_FILE": token.name})
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("0.0.0.0:18080", result.stdout)

    def test_without_the_token_the_open_bind_is_refused(self):
        # ADMIN_BIND=0.0.0.0 from the ConfigMap and no token file: the host must refuse, so the
        # Secret-mounted token is what makes the pods' admin endpoint acceptable.
        result = self.validate({}, drop=["ADMIN_TOKEN_FILE"])
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("admin.bind", result.stderr)

    def test_a_required_variable_missing_is_named(self):
        # The same run without GROUP_ID must fail naming it: the check above is not vacuous.
        with tempfile.NamedTemporaryFile("w", suffix=".token") as token:
            token.write("0123456789abcdef0123456789abcdef\n")
            token.flush()
            result = self.validate({"ADMIN_TOKEN_FILE": token.name}, drop=["GROUP_ID"])
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("GROUP_ID", result.stderr)


if __name__ == "__main__":
    unittest.main()
