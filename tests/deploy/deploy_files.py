"""Loads the deployment files the tests check: the Kubernetes manifests (rendered by the real
kustomize, generators included), the pipeline manifests' variables, the Grafana
dashboard's and the alert rules' PromQL expressions."""

import atexit
import copy
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

REPO = Path(os.environ.get("STREAMHOST_REPO_ROOT", Path(__file__).resolve().parents[2]))
KUBERNETES = REPO / "manifests" / "kubernetes"
MONITORING = REPO / "manifests" / "monitoring"

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}")


def project_version():
    m = re.search(r"project\(streamhost VERSION ([0-9.]+)", (REPO / "CMakeLists.txt").read_text())
    return m.group(1)


def manifest_variables(path=None, text=None):
    """(required, all) variable names of a pipeline manifest (a file, or its text): required ones
    have no default."""
    text = Path(path).read_text() if text is None else text
    text = "\n".join(line.split("#", 1)[0] if line.lstrip().startswith("#") else line
                     for line in text.splitlines())
    required, every = set(), set()
    for name, default in _VAR.findall(text):
        every.add(name)
        if not default:
            required.add(name)
    return required, every


def interpolate(text, env):
    """A manifest value with its ${VAR} and ${VAR:-default} resolved from `env` as the host does
    (a default applies when the variable is unset or empty)."""
    def one(m):
        value = env.get(m.group(1), "")
        if value == "" and m.group(2) is not None:
            return m.group(2)[2:]
        if value == "" and m.group(2) is None and m.group(1) not in env:
            raise KeyError(f"{m.group(1)} is required and not provided")
        return value
    return _VAR.sub(one, str(text))


def read_env_file(path):
    """KEY=value lines (kustomize's `envs:` format): comments and blank lines skipped."""
    out = {}
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        out[key] = value
    return out


def secret_source(path):
    """A generator's secret file, or the committed .example standing for it (the real one is
    written per cluster and ignored by git)."""
    path = Path(path)
    if path.exists():
        return path
    example = path.with_name(path.name + ".example")
    if not example.exists():
        raise FileNotFoundError(f"{path} and {example} are both missing")
    return example


def kustomize_binary():
    """The kustomize scripts/install-kustomize installs (or STREAMHOST_KUSTOMIZE, or one on PATH)."""
    for candidate in (os.environ.get("STREAMHOST_KUSTOMIZE"), REPO / ".cache" / "bin" / "kustomize",
                      shutil.which("kustomize")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise FileNotFoundError("no kustomize: run scripts/install-kustomize (scripts/install-deps does), "
                            "or set STREAMHOST_KUSTOMIZE")


_tree = None


def _rendering_tree():
    """A copy of manifests/kubernetes in which every secret file a generator reads exists: the
    committed .example stands for one an operator has not written (both are ignored by git)."""
    global _tree
    if _tree is None:
        _tree = Path(tempfile.mkdtemp(prefix="streamhost-kustomize-")) / "kubernetes"
        atexit.register(shutil.rmtree, _tree.parent, True)
        shutil.copytree(KUBERNETES, _tree)
        for example in _tree.rglob("*.example"):
            real = example.with_name(example.name[: -len(".example")])
            if not real.exists():
                shutil.copyfile(example, real)
    return _tree


class Kustomization:
    """The objects `kustomize build` makes of one directory of manifests/kubernetes (generated
    ConfigMaps and Secrets included, names with their content hash, references rewritten), which is
    what `kubectl apply -k` sends to the cluster."""

    def __init__(self, relative):
        self.relative = str(relative)
        self.directory = KUBERNETES / self.relative
        result = subprocess.run([kustomize_binary(), "build", str(_rendering_tree() / self.relative)],
                                capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"kustomize build {self.relative} failed:\n{result.stderr}")
        self.text = result.stdout
        self.objects = [d for d in yaml.safe_load_all(result.stdout) if d]

    def find(self, kind, name=None):
        return [o for o in self.objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]

    def one(self, kind, name=None):
        found = self.find(kind, name)
        if len(found) != 1:
            raise LookupError(f"{self.relative}: expected one {kind} {name or ''}, found {len(found)}")
        return found[0]

    def generated(self, kind, name):
        """The one generated ConfigMap or Secret whose name is `name` plus kustomize's hash."""
        found = [o for o in self.find(kind) if re.fullmatch(re.escape(name) + r"-[a-z0-9]{10}", o["metadata"]["name"])]
        if len(found) != 1:
            raise LookupError(f"{self.relative}: expected one generated {kind} {name}, found {len(found)}")
        return found[0]


# The pipeline overlays of manifests/kubernetes and the stock manifest (manifests/pipelines/) each
# one's pod runs.
PIPELINES = {"coupon": "coupon.yaml", "field-mapper": "field-mapper.yaml"}

_rendered = {}


def rendered(relative):
    """`kustomize build` of one directory of manifests/kubernetes, once per test process."""
    if relative not in _rendered:
        _rendered[relative] = Kustomization(relative)
    return _rendered[relative]


def pipelines():
    """(overlay name, rendered overlay, its one Deployment) of every pipeline overlay."""
    return [(name, rendered(name), rendered(name).one("Deployment")) for name in PIPELINES]


def combined(*kustomizations):
    """Several kustomizations applied to one namespace (a bridge and the pipelines it serves), as
    one object list with a `find` and `one` of its own."""
    k = copy.copy(kustomizations[0])
    k.relative = " + ".join(x.relative for x in kustomizations)
    k.objects = [o for x in kustomizations for o in x.objects]
    return k


def dashboard_queries(path=MONITORING / "grafana-dashboard.json"):
    """(where, expression, legend) for every panel target and (where, expression, label) for every
    templating variable of the dashboard."""
    dash = json.loads(Path(path).read_text())
    targets, variables = [], []

    def walk(panels):
        for p in panels:
            for t in p.get("targets", []):
                if t.get("expr"):
                    targets.append((f'panel "{p.get("title")}" {t.get("refId")}', t["expr"], t.get("legendFormat")))
            walk(p.get("panels", []))

    walk(dash.get("panels", []))
    for v in dash.get("templating", {}).get("list", []):
        if v.get("type") != "query":
            continue
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        variables.append((f'variable "{v["name"]}"', q))
    return dash, targets, variables


def alert_rules(path=MONITORING / "prometheus-rules.yaml"):
    """(name, expression, label names its annotations and labels use) for every rule, from a
    PrometheusRule or a plain rules file."""
    doc = yaml.safe_load(Path(path).read_text())
    groups = doc["spec"]["groups"] if doc.get("kind") == "PrometheusRule" else doc["groups"]
    rules = []
    for g in groups:
        for r in g["rules"]:
            texts = list((r.get("annotations") or {}).values()) + list((r.get("labels") or {}).values())
            used = set()
            for t in texts:
                used |= set(re.findall(r"\$labels\.([A-Za-z_][A-Za-z0-9_]*)", str(t)))
            rules.append((r.get("alert") or r.get("record"), r["expr"], used))
    return rules


def container(deployment, name=None):
    cs = deployment["spec"]["template"]["spec"]["containers"]
    return cs[0] if name is None else next(c for c in cs if c["name"] == name)


def mounted_file(k, deployment, path):
    """(volume, key) of the ConfigMap or Secret file a container of `deployment` sees at `path`."""
    c = container(deployment)
    mounts = [m for m in c.get("volumeMounts", []) if path.startswith(m["mountPath"].rstrip("/") + "/")]
    if len(mounts) != 1:
        raise LookupError(f"{deployment['metadata']['name']}: {len(mounts)} mounts hold {path}")
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    return volumes[mounts[0]["name"]], path[len(mounts[0]["mountPath"].rstrip("/")) + 1:]


def provided_env(k, deployment):
    """Variable name -> value the container gets (None when it comes from a Secret or the
    downward API), from the rendered ConfigMaps."""
    c = container(deployment)
    env = {}
    for src in c.get("envFrom", []):
        if "configMapRef" in src:
            env.update(k.one("ConfigMap", src["configMapRef"]["name"]).get("data", {}))
        if "secretRef" in src:
            env.update({key: None for key in k.one("Secret", src["secretRef"]["name"]).get("data", {})})
    for e in c.get("env", []):
        env[e["name"]] = e.get("value")
    return env


def pod_pipeline(k, deployment):
    """(text, path) of the pipeline manifest the container runs (`run -f PATH`), read from the
    rendered ConfigMap mounted there."""
    args = container(deployment)["args"]
    path = args[args.index("-f") + 1]
    volume, key = mounted_file(k, deployment, path)
    return k.one("ConfigMap", volume["configMap"]["name"])["data"][key], path
