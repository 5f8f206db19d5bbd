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


PIPELINES = df.PIPELINES
rendered = df.rendered
pipelines = df.pipelines


def pod_labels(deployment):
    return deployment["spec"]["template"]["metadata"]["labels"]


def selects(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


container = df.container


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


class Pipelines(unittest.TestCase):
    """What every pipeline overlay (the generic base with one pipeline's configuration) must get
    right, checked on kustomize's output."""

    def test_each_overlay_is_the_base_named_for_its_pipeline(self):
        for name, k, d in pipelines():
            self.assertEqual(d["metadata"]["name"], f"{name}-streamhost")
            self.assertEqual(pod_labels(d)["app.kubernetes.io/instance"], name)
            self.assertEqual(d["spec"]["selector"]["matchLabels"]["app.kubernetes.io/instance"], name)

    def test_every_referenced_configmap_and_secret_exists(self):
        for name, k, d in pipelines():
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
            self.assertTrue(refs, f"{name}: the Deployment references nothing")
            for kind, ref in refs:
                self.assertEqual(len(k.find(kind, ref)), 1, f"{name}: the Deployment references {kind} {ref}, "
                                                            "which is not defined")
            self.assertEqual(len(k.find("ServiceAccount", spec["serviceAccountName"])), 1, name)

    def test_the_deployment_provides_every_required_variable_and_only_those_read(self):
        for name, k, d in pipelines():
            env = df.provided_env(k, d)
            text, _ = df.pod_pipeline(k, d)
            stock = df.REPO / "manifests" / "pipelines" / PIPELINES[name]
            for label, (required, _) in (("the pod's manifest", df.manifest_variables(text=text)),
                                         (stock.name, df.manifest_variables(stock))):
                missing = sorted(required - set(env))
                self.assertFalse(missing, f"{name}: {label} requires {missing}, not set by the Deployment")
            _, every = df.manifest_variables(text=text)
            self.assertIn("INSTANCE_NAME", every)  # the scan found the manifest's variables
            unused = sorted(set(env) - every)
            self.assertFalse(unused, f"{name}: the Deployment sets {unused}, which its manifest does not read")

    def test_the_pipeline_manifest_mounted_is_the_overlays(self):
        for name, k, d in pipelines():
            text, _ = df.pod_pipeline(k, d)
            self.assertEqual(text, (df.KUBERNETES / name / "pipeline.yaml").read_text(), name)

    def test_the_pods_manifest_differs_from_the_stock_one_only_in_shutdown_timeout_and_state_dir(self):
        for name, k, d in pipelines():
            stock = yaml.safe_load((df.REPO / "manifests" / "pipelines" / PIPELINES[name]).read_text())
            pod = yaml.safe_load(df.pod_pipeline(k, d)[0])
            self.assertEqual(strip_keys(pod, ["shutdown_timeout_ms", "state_dir"]), stock, name)
            self.assertIn("shutdown_timeout_ms", pod, name)
            self.assertIn("state_dir", pod, name)

    def test_the_coupon_db_password_is_a_mounted_secret_file(self):
        k = rendered("coupon")
        d = k.one("Deployment")
        env = df.provided_env(k, d)
        self.assertNotIn("DB_PASSWORD", env, "the password must not be an environment variable")
        volume, key = df.mounted_file(k, d, env["DB_PASSWORD_FILE"])
        self.assertIn(key, k.one("Secret", volume["secret"]["secretName"])["data"])
        for cm in k.find("ConfigMap"):
            self.assertNotIn("DB_PASSWORD", cm.get("data", {}), f"DB_PASSWORD in ConfigMap {cm['metadata']['name']}")

    def test_the_field_mapper_overlay_has_nothing_of_coupon(self):
        # Not one object, name, variable, mount or value: the overlay is the base and field-mapper's
        # configuration alone. The coupon overlay's output does name coupon, so the check can fail.
        fm = rendered("field-mapper")
        self.assertNotRegex(fm.text.lower(), "coupon")
        self.assertRegex(rendered("coupon").text.lower(), "coupon")
        self.assertIn("libstreamhost_field_mapper.so", df.pod_pipeline(fm, fm.one("Deployment"))[0])

    def test_the_base_names_no_pipeline(self):
        base = rendered("base")
        for word in ("coupon", "field-mapper", "field_mapper"):
            self.assertNotIn(word, base.text.lower())
        self.assertFalse(base.find("ConfigMap") + base.find("Secret"), "the overlay supplies the configuration")

    def test_the_instance_name_is_the_pod_name(self):
        for name, k, d in pipelines():
            env = {e["name"]: e for e in container(d).get("env", [])}
            self.assertEqual(env["INSTANCE_NAME"]["valueFrom"]["fieldRef"]["fieldPath"], "metadata.name", name)
            pipeline = yaml.safe_load(df.pod_pipeline(k, d)[0])
            self.assertEqual(pipeline["consumer"]["instance_name"], "${INSTANCE_NAME:-}", name)

    def test_two_replicas_share_one_consumer_group(self):
        for name, k, d in pipelines():
            self.assertEqual(d["spec"]["replicas"], 2, name)
            env = df.provided_env(k, d)
            pipeline = yaml.safe_load(df.pod_pipeline(k, d)[0])
            group = df.interpolate(pipeline["consumer"]["group"], env)
            self.assertEqual(group, name, "GROUP_ID must be one fixed value for every replica")

    def test_the_admin_endpoint_listens_for_the_kubelet_with_a_token(self):
        for name, k, d in pipelines():
            admin = yaml.safe_load(df.pod_pipeline(k, d)[0])["admin"]
            env = df.provided_env(k, d)
            self.assertEqual(df.interpolate(admin["bind"], env), "0.0.0.0", name)
            self.assertFalse(df.interpolate(admin.get("token_env", ""), env), "the token comes from a file")
            volume, key = df.mounted_file(k, d, df.interpolate(admin["token_file"], env))
            self.assertIn(key, k.one("Secret", volume["secret"]["secretName"])["data"], name)
            self.assertNotIn("ADMIN_TOKEN", env, "the token must not be an environment variable")

    def test_the_state_dir_is_an_empty_dir_of_the_pod(self):
        # An emptyDir survives a crashed container (the crash counts must), and the root file
        # system is read-only, so state_dir must be one.
        for name, k, d in pipelines():
            state_dir = yaml.safe_load(df.pod_pipeline(k, d)[0])["state_dir"]
            mounts = {m["mountPath"]: m for m in container(d)["volumeMounts"]}
            self.assertIn(state_dir, mounts, f"{name}: state_dir is not a mount of the container")
            self.assertFalse(mounts[state_dir].get("readOnly", False))
            volumes = {v["name"]: v for v in d["spec"]["template"]["spec"]["volumes"]}
            self.assertIn("emptyDir", volumes[mounts[state_dir]["name"]])

    def test_probe_and_service_ports_are_the_manifests_admin_port(self):
        for name, k, d in pipelines():
            c = container(d)
            admin_port = int(df.interpolate(yaml.safe_load(df.pod_pipeline(k, d)[0])["admin"]["port"],
                                            df.provided_env(k, d)))
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                self.assertEqual(container_port(c, c[probe]["httpGet"]["port"]), admin_port, f"{name}: {probe} port")
            self.assertEqual(c["livenessProbe"]["httpGet"]["path"], "/healthz")
            self.assertEqual(c["readinessProbe"]["httpGet"]["path"], "/readyz")
            annotations = d["spec"]["template"]["metadata"]["annotations"]
            self.assertEqual(int(annotations["prometheus.io/port"]), admin_port)
            svc = k.one("Service")
            self.assertTrue(selects(svc["spec"]["selector"], pod_labels(d)), name)
            self.assertEqual(svc["spec"]["clusterIP"], "None", "headless: one address per host, not one at random")
            (port,) = svc["spec"]["ports"]
            self.assertEqual(container_port(c, port["targetPort"]), admin_port, name)

    def test_grace_period_outlasts_the_hosts_shutdown_bound(self):
        for name, k, d in pipelines():
            cmd = container(d)["lifecycle"]["preStop"]["exec"]["command"]
            self.assertEqual(cmd[0], "sleep")
            pre_stop = float(cmd[1])
            grace = d["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
            shutdown_s = yaml.safe_load(df.pod_pipeline(k, d)[0])["shutdown_timeout_ms"] / 1000
            bound = pre_stop + shutdown_s + HARD_BOUND_AFTER_SHUTDOWN_S
            self.assertGreater(grace, bound, f"{name}: grace {grace} s <= preStop {pre_stop} + shutdown "
                                             f"{shutdown_s} + {HARD_BOUND_AFTER_SHUTDOWN_S} s")

    def test_memory_request_covers_every_measured_rss(self):
        # The chaos suite's table in docs/testing.md and the slow-sink figure in BENCHMARKS.md.
        testing = (df.REPO / "docs" / "testing.md").read_text()
        figures = [float(x) for x in re.findall(r"\|\s*([0-9.]+) MiB\s*\|", testing)]
        bench = (df.REPO / "BENCHMARKS.md").read_text()
        figures += [float(x) for x in re.findall(r"\*\*([0-9.]+) MiB\*\* \(max", bench)]
        self.assertGreaterEqual(len(figures), 5, "the measured RSS figures were not found")
        for name, k, d in pipelines():
            c = container(d)
            self.assertGreaterEqual(mebibytes(c["resources"]["requests"]["memory"]), max(figures), name)
            self.assertGreaterEqual(mebibytes(c["resources"]["limits"]["memory"]), 2 * max(figures), name)

    def test_pod_disruption_budget_selects_the_pods_and_leaves_one(self):
        for name, k, d in pipelines():
            pdb = k.one("PodDisruptionBudget")
            self.assertTrue(selects(pdb["spec"]["selector"]["matchLabels"], pod_labels(d)), name)
            self.assertEqual(d["spec"]["selector"]["matchLabels"], pdb["spec"]["selector"]["matchLabels"])
            self.assertGreaterEqual(pdb["spec"]["minAvailable"], 1)
            self.assertLess(pdb["spec"]["minAvailable"], d["spec"]["replicas"])
            # A shared outage makes every replica not ready: the budget must not block drains then.
            self.assertEqual(pdb["spec"]["unhealthyPodEvictionPolicy"], "AlwaysAllow", name)

    def test_two_pipelines_never_select_each_others_pods(self):
        ks = pipelines()
        for name, k, d in ks:
            for other, _, od in ks:
                if other == name:
                    continue
                selectors = [d["spec"]["selector"]["matchLabels"], k.one("PodDisruptionBudget")["spec"]["selector"]["matchLabels"],
                             k.one("Service")["spec"]["selector"]]
                selectors += [p["spec"]["podSelector"]["matchLabels"] for p in k.find("NetworkPolicy")]
                for s in selectors:
                    self.assertFalse(selects(s, pod_labels(od)), f"{name}'s selector {s} selects {other}'s pods")
            (spread,) = d["spec"]["template"]["spec"]["topologySpreadConstraints"]
            self.assertEqual(spread["labelSelector"]["matchLabels"], d["spec"]["selector"]["matchLabels"], name)

    def test_no_two_pipelines_share_an_object_name(self):
        names = {}
        for name, k, _ in pipelines():
            for o in k.objects:
                key = (o["kind"], o["metadata"]["name"])
                self.assertNotIn(key, names, f"{name} and {names.get(key)} both define {key}")
                names[key] = name

    def test_pods_run_as_the_images_non_root_user_and_group_hardened(self):
        user, group = re.search(r"^USER (\d+):(\d+)", (df.REPO / "Containerfile").read_text(), re.M).groups()
        for name, k, d in pipelines():
            spec = d["spec"]["template"]["spec"]
            sc = spec["securityContext"]
            self.assertTrue(sc["runAsNonRoot"])
            self.assertEqual(sc["runAsUser"], int(user))
            self.assertNotEqual(int(group), 0, "the image's group must not be root's")
            self.assertEqual(sc["runAsGroup"], int(group))
            self.assertEqual(sc["seccompProfile"]["type"], "RuntimeDefault")
            # The Secrets are mounted 0440: readable by the owner and the pod's fsGroup only.
            self.assertEqual(sc["fsGroup"], int(group))
            for v in spec["volumes"]:
                if "secret" in v:
                    self.assertEqual(v["secret"]["defaultMode"], 0o440, f"{name}: {v['name']}")
            csc = container(d)["securityContext"]
            self.assertFalse(csc["allowPrivilegeEscalation"])
            self.assertTrue(csc["readOnlyRootFilesystem"])
            self.assertEqual(csc["capabilities"]["drop"], ["ALL"])
            self.assertFalse(spec["automountServiceAccountToken"])
            self.assertFalse(spec["enableServiceLinks"])
            account = k.one("ServiceAccount", spec["serviceAccountName"])
            self.assertFalse(account["automountServiceAccountToken"], name)
            self.assertFalse([o for o in k.objects if o["kind"] in ("Role", "RoleBinding", "ClusterRoleBinding")],
                             "the host calls no Kubernetes API")


def mebibytes(quantity):
    m = re.fullmatch(r"(\d+)(Mi|Gi)", quantity)
    return int(m.group(1)) * (1024 if m.group(2) == "Gi" else 1)


class Bridges(unittest.TestCase):
    """Both REST proxies of a namespace (the plain bridge, the KafkaBridge): where every pipeline
    finds them, and the local stack's consumer settings."""

    @classmethod
    def setUpClass(cls):
        cls.plain = rendered("bridge")
        cls.strimzi = rendered("strimzi")
        local = (df.REPO / "manifests" / "local" / "lib" / "bridge.sh").read_text()
        cls.local = dict(re.findall(r"^(http\.timeoutSeconds|kafka\.consumer\.session\.timeout\.ms)=(\d+)$", local, re.M))
        # The local stack's default producer linger (its STREAMHOST_BRIDGE_PRODUCER_LINGER_MS fallback).
        cls.local["kafka.producer.linger.ms"] = re.search(
            r"STREAMHOST_BRIDGE_PRODUCER_LINGER_MS:-(\d+)", local).group(1)

    def proxy_addresses(self):
        """{pipeline: (host, port, dialect)} of the REST proxy each pipeline is given."""
        out = {}
        for name, k, d in pipelines():
            env = df.provided_env(k, d)
            proxy = yaml.safe_load(df.pod_pipeline(k, d)[0])["rest_proxy"]
            m = re.fullmatch(r"http://([a-z0-9-]+):(\d+)", df.interpolate(proxy["url"], env))
            self.assertIsNotNone(m, f"{name}: {proxy['url']}")
            out[name] = (m.group(1), int(m.group(2)), df.interpolate(proxy["dialect"], env))
        return out

    def test_every_pipeline_reaches_the_one_bridge_in_the_strimzi_dialect(self):
        addresses = self.proxy_addresses()
        self.assertEqual(len(set(addresses.values())), 1, addresses)
        for host, port, dialect in addresses.values():
            self.assertEqual(dialect, "strimzi")

    def test_the_plain_service_reaches_the_bridge_pods(self):
        host, port, _ = next(iter(self.proxy_addresses().values()))
        svc = self.plain.one("Service", host)
        d = self.plain.one("Deployment", "streamhost-bridge")
        self.assertTrue(selects(svc["spec"]["selector"], pod_labels(d)))
        (p,) = [p for p in svc["spec"]["ports"] if p["port"] == port]
        c = container(d, "bridge")
        bridge_port = container_port(c, p["targetPort"])
        self.assertIsNotNone(bridge_port, f"targetPort {p['targetPort']} is not a bridge port")
        self.assertEqual(int(self.bridge_properties()["http.port"]), bridge_port)
        for probe in ("livenessProbe", "readinessProbe"):
            self.assertEqual(container_port(c, c[probe]["httpGet"]["port"]), bridge_port)

    def test_the_plain_bridge_reads_its_config_where_the_image_looks(self):
        d = self.plain.one("Deployment", "streamhost-bridge")
        volume, _ = df.mounted_file(self.plain, d, "/opt/strimzi/custom-config/application.properties")
        data = self.plain.one("ConfigMap", volume["configMap"]["name"])["data"]
        self.assertIn("application.properties", data)
        self.assertIn("log4j2.properties", data)
        self.assertFalse(d["spec"]["template"]["spec"]["enableServiceLinks"],
                         "the bridge merges environment variables into its configuration")

    def bridge_properties(self):
        text = self.plain.generated("ConfigMap", "streamhost-bridge-config")["data"]["application.properties"]
        return dict(l.split("=", 1) for l in text.splitlines() if l and not l.startswith("#"))

    def test_the_plain_bridge_sweeps_idle_consumers_as_the_local_stack_does(self):
        props = self.bridge_properties()
        self.assertEqual(props["http.timeoutSeconds"], self.local["http.timeoutSeconds"])
        self.assertEqual(props["kafka.consumer.session.timeout.ms"], self.local["kafka.consumer.session.timeout.ms"])
        self.assertEqual(props["kafka.producer.acks"], "all")
        self.assertEqual(props["kafka.producer.linger.ms"], self.local["kafka.producer.linger.ms"])
        self.assertEqual(self.plain.one("Deployment", "streamhost-bridge")["spec"]["replicas"], 1)

    def test_the_kafkabridge_resource_matches(self):
        host, port, _ = next(iter(self.proxy_addresses().values()))
        kb = self.strimzi.one("KafkaBridge")
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
    """Nothing reaches the bridge but the streamhost pods, and each pipeline's admin port only the
    scraper (docs/deployment.md, "Network policies"): a namespace with either bridge and both
    pipelines, as kustomize renders them."""

    BRIDGE = {"app.kubernetes.io/name": "kafka-bridge", "app.kubernetes.io/instance": "streamhost"}
    CLIENT = {"app.kubernetes.io/name": "streamhost"}

    @classmethod
    def setUpClass(cls):
        ks = [rendered(name) for name in PIPELINES]
        cls.namespaces = (("plain", df.combined(rendered("bridge"), *ks)),
                          ("strimzi", df.combined(rendered("strimzi"), *ks)))
        cls.bridge_port = rendered("strimzi").one("KafkaBridge")["spec"]["http"]["port"]

    def admin_port(self, name):
        k = rendered(name)
        d = k.one("Deployment")
        return int(df.interpolate(yaml.safe_load(df.pod_pipeline(k, d)[0])["admin"]["port"], df.provided_env(k, d)))

    def pod(self, k, want):
        found = [(n, labels, ports) for n, labels, ports in network_policy.pods(k.objects) if selects(want, labels)]
        self.assertEqual(len(found), 1, f"pods with {want}: {[n for n, _, _ in found]}")
        return found[0]

    def bridge_problems(self, k, pipeline="coupon"):
        _, labels, ports = self.pod(k, self.BRIDGE)
        _, client, _ = self.pod(k, pod_labels(k.one("Deployment", f"{pipeline}-streamhost")))
        return network_policy.only_from_pods(k.objects, labels, ports, self.bridge_port, client, self.CLIENT)

    def admin_problems(self, k, pipeline="coupon"):
        _, labels, ports = self.pod(k, pod_labels(k.one("Deployment", f"{pipeline}-streamhost")))
        return network_policy.only_from_scraper(k.objects, labels, ports, self.admin_port(pipeline))

    def test_every_pod_and_every_services_pods_are_isolated_for_ingress(self):
        for label, k in self.namespaces:
            self.assertGreaterEqual(len(network_policy.pods(k.objects)), 3, label)
            self.assertEqual(network_policy.unisolated(k.objects), [], label)

    def test_a_default_deny_covers_every_pod_of_the_namespace(self):
        for label, k in self.namespaces:
            deny = [p for p in k.find("NetworkPolicy") if not p["spec"].get("ingress")]
            self.assertEqual(len(deny), 1, label)
            for name, labels, _ in network_policy.pods(k.objects):
                self.assertTrue(network_policy.selects(deny[0]["spec"]["podSelector"], labels), f"{label}: {name}")

    def test_the_bridge_admits_only_streamhost_pods_on_its_http_port(self):
        for label, k in self.namespaces:
            for pipeline in PIPELINES:
                self.assertEqual(self.bridge_problems(k, pipeline), [], f"{label}: {pipeline}")

    def test_each_admin_port_admits_only_the_scraper(self):
        for label, k in self.namespaces:
            for pipeline in PIPELINES:
                self.assertEqual(self.admin_problems(k, pipeline), [], f"{label}: {pipeline}")

    def test_the_scrapers_namespace_and_labels_are_documented(self):
        policy = rendered("coupon").one("NetworkPolicy")
        (peer,) = policy["spec"]["ingress"][0]["from"]
        doc = (df.REPO / "docs" / "deployment.md").read_text()
        for key, value in list(peer["namespaceSelector"]["matchLabels"].items()) + list(peer["podSelector"]["matchLabels"].items()):
            self.assertIn(f"`{key}: {value}`", doc)

    # The checks themselves: each loosening of a policy must be reported.

    def loosened(self, name, change):
        k = copy.copy(self.namespaces[0][1])
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
                self.assertTrue(self.admin_problems(self.loosened("coupon-streamhost-admin-ingress", change)), case)
        k = copy.copy(self.namespaces[0][1])
        k.objects = [o for o in k.objects if o["kind"] != "NetworkPolicy" or "admin-ingress" in o["metadata"]["name"]]
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
        image = container(rendered("coupon").one("Deployment"))["image"]
        self.assertEqual(image, f"streamhost:{self.version}")
        script = (df.REPO / "scripts" / "build-image").read_text()
        self.assertIn("TAG=streamhost:$VERSION", script)
        self.assertIn('sed -n \'s/^project(streamhost VERSION', script)
        self.assertIn(f"`{image}`", (df.REPO / "docs" / "deployment.md").read_text())
        self.assertIn(f"ARG VERSION={self.version}", self.text)

    def test_the_field_mapper_image_is_the_one_the_docs_say_to_build(self):
        # The stock image has no field_mapper plugin: the overlay names an image built FROM it.
        image = container(rendered("field-mapper").one("Deployment"))["image"]
        self.assertEqual(image, f"streamhost-field-mapper:{self.version}")
        self.assertIn(f"`{image}`", (df.REPO / "docs" / "deployment.md").read_text())

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
        for manifest in [df.REPO / "manifests" / "pipelines" / f for f in PIPELINES.values()] + \
                [df.KUBERNETES / name / "pipeline.yaml" for name in PIPELINES]:
            self.assertIn("${STREAMHOST_PLUGIN_DIR:-", manifest.read_text())


class Monitoring(unittest.TestCase):
    def test_the_pod_monitor_scrapes_every_pipelines_admin_port(self):
        pm = yaml.safe_load((df.MONITORING / "podmonitor.yaml").read_text())
        (ep,) = pm["spec"]["podMetricsEndpoints"]
        self.assertEqual(ep["path"], "/metrics")
        for name, _, d in pipelines():
            self.assertTrue(selects(pm["spec"]["selector"]["matchLabels"], pod_labels(d)), name)
            self.assertIsNotNone(container_port(container(d), ep["port"]), name)

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
        d = rendered("coupon").one("Deployment")
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
