"""Checks the Kubernetes manifests, the Containerfile and the monitoring objects against each other
and against the project, without a cluster: names, images, labels, ports, probe paths (on the real
admin server), variables, the shutdown bound and the measured memory figures."""

import copy
import os
import re
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request
from pathlib import Path

import yaml

import deploy_files as df
import network_policy

# The host's hard bound after shutdown_timeout: a stop that is still stuck exits 1 five seconds later
# (docs/runtime.md, "Shutdown").
HARD_BOUND_AFTER_SHUTDOWN_S = 5
STREAMHOST_BIN = os.environ.get("STREAMHOST_BIN", str(df.REPO / "build" / "bin" / "streamhost"))
PLUGIN_DIR = os.environ.get("STREAMHOST_PLUGIN_DIR", str(df.REPO / "build" / "lib"))


def pod_labels(deployment):
    return deployment["spec"]["template"]["metadata"]["labels"]


def selects(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def container(deployment, name=None):
    cs = deployment["spec"]["template"]["spec"]["containers"]
    return cs[0] if name is None else next(c for c in cs if c["name"] == name)


def container_port(c, port):
    """The number a probe's or Service's port (a name or a number) means in container `c`."""
    if isinstance(port, int):
        return port if any(p["containerPort"] == port for p in c.get("ports", [])) else None
    return next((p["containerPort"] for p in c.get("ports", []) if p.get("name") == port), None)


def strip_keys(doc, paths):
    doc = copy.deepcopy(doc)
    for path in paths:
        node = doc
        *parents, last = path.split(".")
        for p in parents:
            node = node[p]
        node.pop(last, None)
    return doc


class Overlays(unittest.TestCase):
    """What both ways of applying (with and without the Strimzi operator) must get right."""

    @classmethod
    def setUpClass(cls):
        cls.plain = df.Kustomization(df.KUBERNETES)
        cls.strimzi = df.Kustomization(df.KUBERNETES / "strimzi")
        cls.pipeline_file = df.KUBERNETES / "coupon" / "pipeline.yaml"
        cls.pipeline = yaml.safe_load(cls.pipeline_file.read_text())

    def overlays(self):
        return (("plain", self.plain), ("strimzi", self.strimzi))

    def provided_env(self, k, deployment):
        """Variable name -> value (None when it comes from a Secret or the downward API)."""
        c = container(deployment)
        env = {}
        for src in c.get("envFrom", []):
            if "configMapRef" in src:
                name = src["configMapRef"]["name"]
                env.update(df.read_env_file(k.files[name][next(iter(k.files[name]))]))
            if "secretRef" in src:
                name = src["secretRef"]["name"]
                env.update({key: None for key in k.one("Secret", name)["data"]})
        for e in c.get("env", []):
            env[e["name"]] = e.get("value")
        return env

    def test_every_referenced_configmap_and_secret_exists(self):
        for label, k in self.overlays():
            for d in k.find("Deployment"):
                spec = d["spec"]["template"]["spec"]
                refs = []
                for c in spec["containers"]:
                    for src in c.get("envFrom", []):
                        refs += [("ConfigMap", src["configMapRef"]["name"])] if "configMapRef" in src else []
                        refs += [("Secret", src["secretRef"]["name"])] if "secretRef" in src else []
                    for e in c.get("env", []):
                        ref = e.get("valueFrom", {})
                        if "configMapKeyRef" in ref:
                            refs.append(("ConfigMap", ref["configMapKeyRef"]["name"]))
                        if "secretKeyRef" in ref:
                            refs.append(("Secret", ref["secretKeyRef"]["name"]))
                for v in spec.get("volumes", []):
                    if "configMap" in v:
                        refs.append(("ConfigMap", v["configMap"]["name"]))
                    if "secret" in v:
                        refs.append(("Secret", v["secret"]["secretName"]))
                self.assertTrue(refs, f"{label}: {d['metadata']['name']} references nothing")
                for kind, name in refs:
                    self.assertEqual(len(k.find(kind, name)), 1,
                                     f"{label}: {d['metadata']['name']} references {kind} {name}, which is not defined")

    def test_the_coupon_deployment_provides_every_required_variable(self):
        for label, k in self.overlays():
            d = k.one("Deployment", "coupon")
            env = self.provided_env(k, d)
            for manifest in (df.REPO / "manifests" / "pipelines" / "coupon.yaml", self.pipeline_file):
                required, every = df.manifest_variables(manifest)
                self.assertIn("GROUP_ID", required)  # the scan found the manifest's variables
                missing = sorted(required - set(env))
                self.assertFalse(missing, f"{label}: {manifest.name} requires {missing}, not set by the Deployment")
            # And nothing the Deployment sets is a misspelt name the manifest never reads.
            _, every = df.manifest_variables(self.pipeline_file)
            unused = sorted(set(env) - every)
            self.assertFalse(unused, f"{label}: the Deployment sets {unused}, which coupon.yaml does not read")

    def test_db_password_is_a_mounted_secret_file(self):
        for label, k in self.overlays():
            d = k.one("Deployment", "coupon")
            env = self.provided_env(k, d)
            self.assertNotIn("DB_PASSWORD", env, f"{label}: the password must not be an environment variable")
            path = env["DB_PASSWORD_FILE"]
            c = container(d)
            mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
            volumes = {v["name"]: v for v in d["spec"]["template"]["spec"]["volumes"]}
            (name, mount), = [(n, m) for n, m in mounts.items() if path.startswith(m + "/")]
            secret = volumes[name]["secret"]["secretName"]
            self.assertIn(path[len(mount) + 1:], k.one("Secret", secret)["data"], label)
            for n in k.files:
                if n.startswith("coupon-env"):
                    self.assertNotIn("DB_PASSWORD", k.one("ConfigMap", n)["data"], "DB_PASSWORD in a ConfigMap")

    def test_the_instance_name_is_the_pod_name(self):
        d = self.plain.one("Deployment", "coupon")
        env = {e["name"]: e for e in container(d).get("env", [])}
        self.assertEqual(env["INSTANCE_NAME"]["valueFrom"]["fieldRef"]["fieldPath"], "metadata.name")
        self.assertEqual(self.pipeline["consumer"]["instance_name"], "${INSTANCE_NAME:-}")

    def test_two_replicas_share_one_consumer_group(self):
        d = self.plain.one("Deployment", "coupon")
        self.assertEqual(d["spec"]["replicas"], 2)
        env = self.provided_env(self.plain, d)
        self.assertTrue(env.get("GROUP_ID"), "GROUP_ID must be one fixed value for every replica")
        self.assertEqual(self.pipeline["consumer"]["group"], "${GROUP_ID}")

    def test_the_pipeline_manifest_is_mounted_where_the_container_reads_it(self):
        d = self.plain.one("Deployment", "coupon")
        c = container(d)
        path = c["args"][c["args"].index("-f") + 1]
        mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
        volumes = {v["name"]: v for v in d["spec"]["template"]["spec"]["volumes"]}
        (name, mount), = [(n, m) for n, m in mounts.items() if path.startswith(m + "/")]
        cm = volumes[name]["configMap"]["name"]
        key = path[len(mount) + 1:]
        self.assertIn(key, self.plain.one("ConfigMap", cm)["data"])
        self.assertEqual(self.plain.files[cm][key].resolve(), self.pipeline_file.resolve())

    def test_the_admin_endpoint_listens_for_the_kubelet_with_a_token(self):
        admin = self.pipeline["admin"]
        d = self.plain.one("Deployment", "coupon")
        c = container(d)
        env = self.provided_env(self.plain, d)
        self.assertEqual(df.interpolate(admin["bind"], env), "0.0.0.0")
        token_path = df.interpolate(admin["token_file"], env)
        self.assertFalse(df.interpolate(admin.get("token_env", ""), env), "the token comes from a file")
        mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
        volumes = {v["name"]: v for v in d["spec"]["template"]["spec"]["volumes"]}
        (name, mount), = [(n, m) for n, m in mounts.items() if token_path.startswith(m + "/")]
        secret = volumes[name]["secret"]["secretName"]
        self.assertIn(token_path[len(mount) + 1:], self.plain.one("Secret", secret)["data"])
        self.assertNotIn("ADMIN_TOKEN", env, "the token must not be an environment variable")

    def test_the_state_dir_is_an_empty_dir_of_the_pod(self):
        # An emptyDir survives a crashed container (the crash counts must), and the root file
        # system is read-only, so state_dir must be one.
        d = self.plain.one("Deployment", "coupon")
        c = container(d)
        state_dir = self.pipeline["state_dir"]
        mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
        self.assertIn(state_dir, mounts, "state_dir is not a mount of the container")
        self.assertFalse(mounts[state_dir].get("readOnly", False))
        volumes = {v["name"]: v for v in d["spec"]["template"]["spec"]["volumes"]}
        self.assertIn("emptyDir", volumes[mounts[state_dir]["name"]])

    def test_probe_ports_are_the_manifests_admin_port(self):
        d = self.plain.one("Deployment", "coupon")
        c = container(d)
        env = self.provided_env(self.plain, d)
        admin_port = int(df.interpolate(self.pipeline["admin"]["port"], env))
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            get = c[probe]["httpGet"]
            self.assertEqual(container_port(c, get["port"]), admin_port, f"{probe} port")
        self.assertEqual(c["livenessProbe"]["httpGet"]["path"], "/healthz")
        self.assertEqual(c["readinessProbe"]["httpGet"]["path"], "/readyz")
        annotations = d["spec"]["template"]["metadata"]["annotations"]
        self.assertEqual(int(annotations["prometheus.io/port"]), admin_port)

    def test_grace_period_outlasts_the_hosts_shutdown_bound(self):
        d = self.plain.one("Deployment", "coupon")
        c = container(d)
        grace = d["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
        cmd = c["lifecycle"]["preStop"]["exec"]["command"]
        self.assertEqual(cmd[0], "sleep")
        pre_stop = float(cmd[1])
        shutdown_s = self.pipeline["shutdown_timeout_ms"] / 1000
        bound = pre_stop + shutdown_s + HARD_BOUND_AFTER_SHUTDOWN_S
        self.assertGreater(grace, bound, f"grace {grace} s <= preStop {pre_stop} + shutdown {shutdown_s} + "
                                         f"{HARD_BOUND_AFTER_SHUTDOWN_S} s")

    def test_memory_request_covers_every_measured_rss(self):
        # The chaos suite's table in docs/testing.md and the slow-sink figure in BENCHMARKS.md.
        testing = (df.REPO / "docs" / "testing.md").read_text()
        figures = [float(x) for x in re.findall(r"\|\s*([0-9.]+) MiB\s*\|", testing)]
        bench = (df.REPO / "BENCHMARKS.md").read_text()
        figures += [float(x) for x in re.findall(r"\*\*([0-9.]+) MiB\*\* \(max", bench)]
        self.assertGreaterEqual(len(figures), 5, "the measured RSS figures were not found")
        c = container(self.plain.one("Deployment", "coupon"))
        request = mebibytes(c["resources"]["requests"]["memory"])
        limit = mebibytes(c["resources"]["limits"]["memory"])
        self.assertGreaterEqual(request, max(figures))
        self.assertGreaterEqual(limit, 2 * max(figures))

    def test_pod_disruption_budget_selects_the_pods_and_leaves_one(self):
        for label, k in self.overlays():
            d = k.one("Deployment", "coupon")
            pdb = k.one("PodDisruptionBudget", "coupon")
            self.assertTrue(selects(pdb["spec"]["selector"]["matchLabels"], pod_labels(d)), label)
            self.assertEqual(d["spec"]["selector"]["matchLabels"], pdb["spec"]["selector"]["matchLabels"])
            self.assertGreaterEqual(pdb["spec"]["minAvailable"], 1)
            self.assertLess(pdb["spec"]["minAvailable"], d["spec"]["replicas"])

    def test_deployment_selectors_match_their_pods(self):
        for label, k in self.overlays():
            for d in k.find("Deployment"):
                self.assertTrue(selects(d["spec"]["selector"]["matchLabels"], pod_labels(d)),
                                f"{label}: {d['metadata']['name']}")

    def test_pods_run_as_the_images_non_root_user_and_group(self):
        user, group = re.search(r"^USER (\d+):(\d+)", (df.REPO / "Containerfile").read_text(), re.M).groups()
        d = self.plain.one("Deployment", "coupon")
        sc = d["spec"]["template"]["spec"]["securityContext"]
        self.assertTrue(sc["runAsNonRoot"])
        self.assertEqual(sc["runAsUser"], int(user))
        self.assertNotEqual(int(group), 0, "the image's group must not be root's")
        self.assertEqual(sc["runAsGroup"], int(group))
        # The Secrets are mounted 0440: readable by the owner and the pod's fsGroup only.
        self.assertEqual(sc["fsGroup"], int(group))
        for v in d["spec"]["template"]["spec"]["volumes"]:
            if "secret" in v:
                self.assertEqual(v["secret"]["defaultMode"], 0o440, v["name"])
        self.assertFalse(container(d)["securityContext"]["allowPrivilegeEscalation"])


def mebibytes(quantity):
    m = re.fullmatch(r"(\d+)(Mi|Gi)", quantity)
    return int(m.group(1)) * (1024 if m.group(2) == "Gi" else 1)


class Bridges(unittest.TestCase):
    """Both REST proxies: where the pipeline finds them, and the local stack's consumer settings."""

    @classmethod
    def setUpClass(cls):
        cls.plain = df.Kustomization(df.KUBERNETES)
        cls.strimzi = df.Kustomization(df.KUBERNETES / "strimzi")
        cls.env = df.read_env_file(df.KUBERNETES / "coupon" / "coupon.env")
        local = (df.REPO / "manifests" / "local" / "lib" / "bridge.sh").read_text()
        cls.local = dict(re.findall(r"^(http\.timeoutSeconds|kafka\.consumer\.session\.timeout\.ms)=(\d+)$", local, re.M))
        # The local stack's default producer linger (its STREAMHOST_BRIDGE_PRODUCER_LINGER_MS fallback).
        cls.local["kafka.producer.linger.ms"] = re.search(
            r"STREAMHOST_BRIDGE_PRODUCER_LINGER_MS:-(\d+)", local).group(1)

    def proxy_address(self):
        m = re.fullmatch(r"http://([a-z0-9-]+):(\d+)", self.env["STREAMHOST_REST_PROXY_URL"])
        return m.group(1), int(m.group(2))

    def test_the_pipeline_speaks_the_strimzi_dialect(self):
        self.assertEqual(self.env["STREAMHOST_REST_PROXY_DIALECT"], "strimzi")

    def test_the_plain_service_reaches_the_bridge_pods(self):
        host, port = self.proxy_address()
        svc = self.plain.one("Service", host)
        d = self.plain.one("Deployment", "streamhost-bridge")
        self.assertTrue(selects(svc["spec"]["selector"], pod_labels(d)))
        (p,) = [p for p in svc["spec"]["ports"] if p["port"] == port]
        c = container(d, "bridge")
        bridge_port = container_port(c, p["targetPort"])
        self.assertIsNotNone(bridge_port, f"targetPort {p['targetPort']} is not a bridge port")
        props = self.bridge_properties()
        self.assertEqual(int(props["http.port"]), bridge_port)
        for probe in ("livenessProbe", "readinessProbe"):
            self.assertEqual(container_port(c, c[probe]["httpGet"]["port"]), bridge_port)

    def test_the_plain_bridge_reads_its_config_where_the_image_looks(self):
        d = self.plain.one("Deployment", "streamhost-bridge")
        c = container(d, "bridge")
        (mount,) = [m for m in c["volumeMounts"] if m["mountPath"] == "/opt/strimzi/custom-config"]
        (vol,) = [v for v in d["spec"]["template"]["spec"]["volumes"] if v["name"] == mount["name"]]
        data = self.plain.one("ConfigMap", vol["configMap"]["name"])["data"]
        self.assertIn("application.properties", data)
        self.assertIn("log4j2.properties", data)
        self.assertFalse(d["spec"]["template"]["spec"]["enableServiceLinks"],
                         "the bridge merges environment variables into its configuration")

    def bridge_properties(self):
        (cm,) = [n for n in self.plain.files if n == "streamhost-bridge-config"]
        text = self.plain.files[cm]["application.properties"].read_text()
        return dict(l.split("=", 1) for l in text.splitlines() if l and not l.startswith("#"))

    def test_the_plain_bridge_sweeps_idle_consumers_as_the_local_stack_does(self):
        props = self.bridge_properties()
        self.assertEqual(props["http.timeoutSeconds"], self.local["http.timeoutSeconds"])
        self.assertEqual(props["kafka.consumer.session.timeout.ms"], self.local["kafka.consumer.session.timeout.ms"])
        self.assertEqual(props["kafka.producer.acks"], "all")
        self.assertEqual(props["kafka.producer.linger.ms"], self.local["kafka.producer.linger.ms"])
        self.assertEqual(self.plain.one("Deployment", "streamhost-bridge")["spec"]["replicas"], 1)

    def test_the_kafkabridge_resource_matches(self):
        host, port = self.proxy_address()
        (kb,) = self.strimzi.find("KafkaBridge")
        self.assertEqual(kb["apiVersion"], "kafka.strimzi.io/v1beta2")
        self.assertEqual(kb["metadata"]["name"] + "-bridge-service", host)
        self.assertEqual(kb["spec"]["http"]["port"], port)
        self.assertEqual(str(kb["spec"]["consumer"]["timeoutSeconds"]), self.local["http.timeoutSeconds"])
        self.assertEqual(str(kb["spec"]["consumer"]["config"]["session.timeout.ms"]),
                         self.local["kafka.consumer.session.timeout.ms"])
        self.assertEqual(kb["spec"]["producer"]["config"]["acks"], "all")
        self.assertEqual(str(kb["spec"]["producer"]["config"]["linger.ms"]), self.local["kafka.producer.linger.ms"])
        self.assertEqual(kb["spec"]["replicas"], 1)
        self.assertFalse(self.strimzi.find("Service"), "the operator makes the Service")


class NetworkPolicies(unittest.TestCase):
    """Nothing reaches the bridge but the streamhost pods, and the admin port only the scraper
    (docs/deployment.md, "Network policies"), in both ways of applying."""

    BRIDGE = {"app.kubernetes.io/name": "kafka-bridge", "app.kubernetes.io/instance": "streamhost"}
    CLIENT = {"app.kubernetes.io/name": "streamhost"}

    @classmethod
    def setUpClass(cls):
        cls.overlays = (("plain", df.Kustomization(df.KUBERNETES)),
                        ("strimzi", df.Kustomization(df.KUBERNETES / "strimzi")))
        env = df.read_env_file(df.KUBERNETES / "coupon" / "coupon.env")
        cls.bridge_port = int(re.fullmatch(r"http://[a-z0-9-]+:(\d+)", env["STREAMHOST_REST_PROXY_URL"]).group(1))
        pipeline = yaml.safe_load((df.KUBERNETES / "coupon" / "pipeline.yaml").read_text())
        cls.admin_port = int(df.interpolate(pipeline["admin"]["port"], env))

    def pod(self, k, want):
        found = [(n, labels, ports) for n, labels, ports in network_policy.pods(k.objects) if selects(want, labels)]
        self.assertEqual(len(found), 1, f"pods with {want}: {[n for n, _, _ in found]}")
        return found[0]

    def bridge_problems(self, k):
        _, labels, ports = self.pod(k, self.BRIDGE)
        _, client, _ = self.pod(k, pod_labels(k.one("Deployment", "coupon")))
        return network_policy.only_from_pods(k.objects, labels, ports, self.bridge_port, client, self.CLIENT)

    def admin_problems(self, k):
        _, labels, ports = self.pod(k, pod_labels(k.one("Deployment", "coupon")))
        return network_policy.only_from_scraper(k.objects, labels, ports, self.admin_port)

    def test_every_pod_and_every_services_pods_are_isolated_for_ingress(self):
        for label, k in self.overlays:
            self.assertGreaterEqual(len(network_policy.pods(k.objects)), 2, label)
            self.assertEqual(network_policy.unisolated(k.objects), [], label)

    def test_a_default_deny_covers_every_pod_of_the_pipeline(self):
        for label, k in self.overlays:
            deny = [p for p in k.find("NetworkPolicy") if not p["spec"].get("ingress")]
            self.assertEqual(len(deny), 1, label)
            for name, labels, _ in network_policy.pods(k.objects):
                self.assertTrue(network_policy.selects(deny[0]["spec"]["podSelector"], labels), f"{label}: {name}")

    def test_the_bridge_admits_only_streamhost_pods_on_its_http_port(self):
        for label, k in self.overlays:
            self.assertEqual(self.bridge_problems(k), [], label)

    def test_the_admin_port_admits_only_the_scraper(self):
        for label, k in self.overlays:
            self.assertEqual(self.admin_problems(k), [], label)

    def test_the_pod_monitor_namespace_and_labels_are_documented(self):
        (policy,) = [p for p in self.overlays[0][1].find("NetworkPolicy") if p["metadata"]["name"] == "coupon-admin-ingress"]
        (peer,) = policy["spec"]["ingress"][0]["from"]
        doc = (df.REPO / "docs" / "deployment.md").read_text()
        for key, value in list(peer["namespaceSelector"]["matchLabels"].items()) + list(peer["podSelector"]["matchLabels"].items()):
            self.assertIn(f"`{key}: {value}`", doc)

    # The checks themselves: each loosening of a policy must be reported.

    def loosened(self, name, change):
        k = copy.copy(self.overlays[0][1])
        k.objects = copy.deepcopy(k.objects)
        (policy,) = [o for o in k.objects if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == name]
        change(policy["spec"])
        return k

    def test_the_checks_report_a_loosened_bridge_policy(self):
        cases = {
            "any source": lambda s: s["ingress"][0].pop("from"),
            "any port": lambda s: s["ingress"][0].pop("ports"),
            "another port": lambda s: s["ingress"][0]["ports"][0].update(port=9090),
            "any namespace": lambda s: s["ingress"][0]["from"].append({"namespaceSelector": {}}),
            "an address": lambda s: s["ingress"][0]["from"].append({"ipBlock": {"cidr": "0.0.0.0/0"}}),
            "any pod": lambda s: s["ingress"][0]["from"].append({"podSelector": {}}),
            "not the client": lambda s: s["ingress"][0]["from"][0]["podSelector"]["matchLabels"].update(
                {"app.kubernetes.io/name": "other"}),
            "gone": lambda s: s.update(podSelector={"matchLabels": {"app": "none"}}),
        }
        for case, change in cases.items():
            with self.subTest(case=case):
                k = self.loosened("streamhost-bridge-ingress", change)
                self.assertTrue(self.bridge_problems(k), case)

    def test_the_checks_report_a_loosened_admin_policy_and_a_missing_default_deny(self):
        cases = {
            "any source": lambda s: s["ingress"][0].pop("from"),
            "any port": lambda s: s["ingress"][0].pop("ports"),
            "any namespace": lambda s: s["ingress"][0]["from"][0].pop("namespaceSelector"),
            "any pod there": lambda s: s["ingress"][0]["from"][0].pop("podSelector"),
        }
        for case, change in cases.items():
            with self.subTest(case=case):
                self.assertTrue(self.admin_problems(self.loosened("coupon-admin-ingress", change)), case)
        k = copy.copy(self.overlays[0][1])
        k.objects = [o for o in k.objects if o["kind"] != "NetworkPolicy" or o["metadata"]["name"] == "coupon-admin-ingress"]
        self.assertEqual(network_policy.unisolated(k.objects),
                         ["streamhost-bridge", "Service streamhost-bridge-service -> streamhost-bridge"])


class Image(unittest.TestCase):
    """The Containerfile, the image the Deployment runs and what the build script and docs say."""

    @classmethod
    def setUpClass(cls):
        cls.text = (df.REPO / "Containerfile").read_text()
        cls.version = df.project_version()
        cls.stages = re.split(r"^FROM ", cls.text, flags=re.M)[1:]

    def test_the_deployment_runs_the_image_the_build_script_tags_and_the_docs_name(self):
        image = container(df.Kustomization(df.KUBERNETES).one("Deployment", "coupon"))["image"]
        self.assertEqual(image, f"streamhost:{self.version}")
        script = (df.REPO / "scripts" / "build-image").read_text()
        self.assertIn("TAG=streamhost:$VERSION", script)
        self.assertIn('sed -n \'s/^project(streamhost VERSION', script)
        self.assertIn(f"`{image}`", (df.REPO / "docs" / "deployment.md").read_text())
        self.assertIn(f"ARG VERSION={self.version}", self.text)

    def test_two_stages_on_debian_12(self):
        self.assertEqual(len(self.stages), 2)
        base = re.search(r"^ARG DEBIAN_IMAGE=(\S+)", self.text, re.M).group(1)
        self.assertRegex(base, r"debian:12")
        for stage in self.stages:
            self.assertTrue(stage.startswith("${DEBIAN_IMAGE}"), stage.splitlines()[0])

    def test_the_final_stage_has_no_compiler_and_runs_as_non_root(self):
        final = self.stages[1]
        installs = " ".join(re.findall(r"apt-get install[^&]*", final))
        for tool in ("g++", "gcc", "clang", "cmake", "build-essential", "-dev"):
            self.assertNotIn(tool, installs)
        self.assertRegex(final, r"(?m)^USER [1-9]\d*")
        self.assertIn("COPY --from=build", final)

    def test_the_plugin_lands_where_the_manifests_look(self):
        final = self.stages[1]
        plugin_dir = re.search(r"^ENV STREAMHOST_PLUGIN_DIR=(\S+)", final, re.M).group(1)
        self.assertIn(f"{plugin_dir}/libstreamhost_coupon.so", final)
        for manifest in (df.REPO / "manifests" / "pipelines" / "coupon.yaml", df.KUBERNETES / "coupon" / "pipeline.yaml"):
            self.assertIn("${STREAMHOST_PLUGIN_DIR:-", manifest.read_text())


class PipelineManifest(unittest.TestCase):
    def test_only_the_shutdown_timeout_and_state_dir_differ_from_the_stock_coupon_manifest(self):
        stock = yaml.safe_load((df.REPO / "manifests" / "pipelines" / "coupon.yaml").read_text())
        pod = yaml.safe_load((df.KUBERNETES / "coupon" / "pipeline.yaml").read_text())
        self.assertEqual(strip_keys(pod, ["shutdown_timeout_ms", "state_dir"]), stock)
        self.assertIn("shutdown_timeout_ms", pod)
        self.assertIn("state_dir", pod)


class Monitoring(unittest.TestCase):
    def test_the_pod_monitor_scrapes_the_coupon_pods_admin_port(self):
        pm = yaml.safe_load((df.MONITORING / "podmonitor.yaml").read_text())
        d = df.Kustomization(df.KUBERNETES).one("Deployment", "coupon")
        self.assertTrue(selects(pm["spec"]["selector"]["matchLabels"], pod_labels(d)))
        (ep,) = pm["spec"]["podMetricsEndpoints"]
        self.assertIsNotNone(container_port(container(d), ep["port"]))
        self.assertEqual(ep["path"], "/metrics")

    def test_every_expression_reads(self):
        _, targets, variables = df.dashboard_queries()
        rules = df.alert_rules()
        self.assertGreater(len(targets), 10)
        self.assertGreater(len(rules), 5)
        import promql
        for where, expr, _ in targets + [(n, e, None) for n, e, _ in rules]:
            with self.subTest(where=where):
                promql.analyse(expr)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ProbePathsOnTheAdminServer(unittest.TestCase):
    """The probe paths must be routes of the real admin server: a streamhost with no Kafka (the
    field-mapper pipeline, TESTING_NO_KAFKA) is asked for each; 404 means the route is not there."""

    def test_probe_paths_are_served(self):
        d = df.Kustomization(df.KUBERNETES).one("Deployment", "coupon")
        c = container(d)
        paths = {c[p]["httpGet"]["path"] for p in ("startupProbe", "livenessProbe", "readinessProbe")}
        annotations = d["spec"]["template"]["metadata"]["annotations"]
        paths.add(annotations["prometheus.io/path"])
        port = free_port()
        env = dict(os.environ, TESTING_NO_KAFKA="true", ADMIN_PORT=str(port), STREAMHOST_PLUGIN_DIR=PLUGIN_DIR)
        with tempfile.TemporaryFile() as log:
            proc = subprocess.Popen([STREAMHOST_BIN, "run", "-f", str(df.REPO / "manifests" / "pipelines" / "field-mapper.yaml")],
                                    env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                base = f"http://127.0.0.1:{port}"
                status = wait_for_status(base + "/no-such-route", proc, log)
                self.assertEqual(status, 404, "an unknown path must answer 404, or this check proves nothing")
                for path in sorted(paths):
                    with self.subTest(path=path):
                        self.assertIn(http_status(base + path), (200, 503), f"{path} is not a route of the admin server")
            finally:
                proc.terminate()
                proc.wait(timeout=30)


def http_status(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def wait_for_status(url, proc, log, timeout_s=30):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise AssertionError(f"streamhost exited with {proc.returncode}:\n{log.read().decode(errors='replace')}")
        try:
            return http_status(url)
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise AssertionError(f"no answer from {url} within {timeout_s} s")


if __name__ == "__main__":
    unittest.main()
