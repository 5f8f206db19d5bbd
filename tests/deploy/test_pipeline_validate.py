"""`streamhost validate` on the pipeline manifests the pods run (manifests/kubernetes/coupon/
pipeline.yaml, manifests/kubernetes/field-mapper/pipeline.yaml), with the variables the pods get:
the ConfigMap's, the Secret's (from its committed example), the pod name, and a token file where
the Secret is mounted."""

import contextlib
import os
import re
import subprocess
import tempfile
import unittest

import deploy_files as df
import yaml

STREAMHOST_BIN = os.environ.get("STREAMHOST_BIN", str(df.REPO / "build" / "bin" / "streamhost"))
PLUGIN_DIR = os.environ.get("STREAMHOST_PLUGIN_DIR", str(df.REPO / "build" / "lib"))
PIPELINE = df.KUBERNETES / "coupon" / "pipeline.yaml"


@contextlib.contextmanager
def token_file():
    """A token file where the Secret would be mounted, long enough for the host's minimum."""
    with tempfile.NamedTemporaryFile("w", suffix=".token") as token:
        token.write("0123456789abcdef0123456789abcdef\n")
        token.flush()
        yield token.name


class OverlayPodValidation:
    """`streamhost validate` on one overlay's pod manifest with the variables its pods get; the
    checks every overlay must pass. A subclass names the overlay and adds its own variables."""

    OVERLAY = ENV_FILE = INSTANCE = None

    @classmethod
    def pod_env(cls, overlay):
        return {}

    @classmethod
    def validate(cls, extra_env, drop=(), manifest=None):
        overlay = df.KUBERNETES / cls.OVERLAY
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "STREAMHOST_PLUGIN_DIR": PLUGIN_DIR,
               "INSTANCE_NAME": cls.INSTANCE}
        env.update(df.read_env_file(overlay / cls.ENV_FILE))
        env.update(cls.pod_env(overlay))
        env.update(extra_env)
        for name in drop:
            env.pop(name)
        return subprocess.run([STREAMHOST_BIN, "validate", "-f", str(manifest or overlay / "pipeline.yaml")],
                              env=env, capture_output=True, text=True, timeout=60)

    def test_validates_with_the_pods_variables(self):
        with token_file() as token:
            result = self.validate({"ADMIN_TOKEN_FILE": token})
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("0.0.0.0:18080", result.stdout)

    def test_without_the_token_the_open_bind_is_refused(self):
        # ADMIN_BIND=0.0.0.0 from the ConfigMap and no token file: the host must refuse, so the
        # Secret-mounted token is what makes the pods' admin endpoint acceptable.
        result = self.validate({}, drop=["ADMIN_TOKEN_FILE"])
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("admin.bind", result.stderr)


class PodPipelineValidates(OverlayPodValidation, unittest.TestCase):
    OVERLAY, ENV_FILE, INSTANCE = "coupon", "coupon.env", "coupon-7d9f8b6c5-x2k4q"

    @classmethod
    def pod_env(cls, overlay):
        # The coupon-db Secret's file, where the pod has it mounted (DB_PASSWORD_FILE).
        return {"DB_PASSWORD_FILE": str(df.secret_source(overlay / "db-password"))}

    def test_without_the_password_file_it_is_refused(self):
        # The password file is read by the plugin's config check: a missing mount is named.
        with token_file() as token:
            result = self.validate({"ADMIN_TOKEN_FILE": token, "DB_PASSWORD_FILE": "/nonexistent/password"})
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("database.password_file", result.stderr)

    def test_a_required_variable_missing_is_named(self):
        # The same run without GROUP_ID must fail naming it: the check above is not vacuous.
        with token_file() as token:
            result = self.validate({"ADMIN_TOKEN_FILE": token}, drop=["GROUP_ID"])
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("GROUP_ID", result.stderr)


class FieldMapperPodPipelineValidates(OverlayPodValidation, unittest.TestCase):
    """The field-mapper overlay's pod manifest with the variables its pods get: the overlay for your
    own pipeline starts from a working one."""

    OVERLAY, ENV_FILE, INSTANCE = "field-mapper", "field-mapper.env", "field-mapper-streamhost-5c8d7f9b4-q7w2e"


class ConfluentRestProxyExample(unittest.TestCase):
    """docs/deployment.md's rest_proxy block for a Confluent REST Proxy over TLS with Basic auth,
    put into the pod's pipeline manifest: the host must accept it, and refuse it without the CA."""

    def example(self):
        doc = (df.REPO / "docs" / "deployment.md").read_text()
        m = re.search(r"```yaml\n# example: confluent-rest-proxy-tls\n(.*?)```", doc, re.S)
        self.assertIsNotNone(m, "the example block is gone from docs/deployment.md")
        return yaml.safe_load(m.group(1))["rest_proxy"]

    def validate_with(self, directory, ca_exists):
        rest_proxy = self.example()
        ca = os.path.join(directory, "ca.crt")
        if ca_exists:
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                            "-subj", "/CN=example CA", "-keyout", os.path.join(directory, "ca.key"),
                            "-out", ca], check=True, capture_output=True, timeout=60)
        rest_proxy["tls"]["ca_file"] = ca
        text = PIPELINE.read_text()
        pipeline = yaml.safe_load(text)
        pipeline["rest_proxy"] = rest_proxy
        manifest = os.path.join(directory, "pipeline.yaml")
        with open(manifest, "w") as f:
            yaml.safe_dump(pipeline, f)
        token = os.path.join(directory, "token")
        with open(token, "w") as f:
            f.write("0123456789abcdef0123456789abcdef\n")
        # The plugin library path is relative to the manifest's folder unless absolute.
        return PodPipelineValidates.validate({"ADMIN_TOKEN_FILE": token, "REST_PROXY_PASSWORD": "example-pass-9f2c"},
                                             manifest=manifest)

    def test_the_example_validates_with_its_ca(self):
        with tempfile.TemporaryDirectory() as d:
            result = self.validate_with(d, ca_exists=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("https://kafka-rest.example.internal:8082", result.stdout)
        self.assertNotIn("example-pass-9f2c", result.stdout + result.stderr)

    def test_the_example_is_refused_without_its_ca(self):
        with tempfile.TemporaryDirectory() as d:
            result = self.validate_with(d, ca_exists=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("ca.crt", result.stderr)


if __name__ == "__main__":
    unittest.main()
