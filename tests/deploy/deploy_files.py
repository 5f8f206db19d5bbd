"""Loads the deployment files the tests check: the Kubernetes manifests (through their
kustomization.yaml files, generators included), the pipeline manifests' variables, the Grafana
dashboard's and the alert rules' PromQL expressions."""

import json
import os
import re
from pathlib import Path

import yaml

REPO = Path(os.environ.get("STREAMHOST_REPO_ROOT", Path(__file__).resolve().parents[2]))
KUBERNETES = REPO / "manifests" / "kubernetes"
MONITORING = REPO / "manifests" / "monitoring"

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}")


def project_version():
    m = re.search(r"project\(streamhost VERSION ([0-9.]+)", (REPO / "CMakeLists.txt").read_text())
    return m.group(1)


def manifest_variables(path):
    """(required, all) variable names of a pipeline manifest: required ones have no default."""
    text = "\n".join(line.split("#", 1)[0] if line.lstrip().startswith("#") else line
                     for line in Path(path).read_text().splitlines())
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


class Kustomization:
    """One kustomization.yaml, its resources (recursively) and its generated ConfigMaps and
    Secrets, as plain objects: generated ones carry `data` keys (values are not needed)."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.file = self.directory / "kustomization.yaml"
        self.spec = yaml.safe_load(self.file.read_text())
        self.objects = []
        self.files = {}  # ConfigMap/Secret name -> {key: source file}
        for resource in self.spec.get("resources", []):
            path = (self.directory / resource).resolve()
            if not path.exists():
                raise FileNotFoundError(f"{self.file}: resource {resource} does not exist")
            if path.is_dir():
                child = Kustomization(path)
                self.objects += child.objects
                self.files.update(child.files)
            else:
                self.objects += [d for d in yaml.safe_load_all(path.read_text()) if d]
        for kind, key in (("ConfigMap", "configMapGenerator"), ("Secret", "secretGenerator")):
            for gen in self.spec.get(key, []):
                data, files = {}, {}
                for env in gen.get("envs", []):
                    src = self.directory / env if kind == "ConfigMap" else secret_source(self.directory / env)
                    if not src.exists():
                        raise FileNotFoundError(f"{self.file}: {env} does not exist")
                    for k in read_env_file(src):
                        data[k] = ""
                        files[k] = src
                for entry in gen.get("files", []):
                    k, _, f = entry.partition("=") if "=" in entry else (Path(entry).name, "", entry)
                    src = self.directory / f if kind == "ConfigMap" else secret_source(self.directory / f)
                    if not src.exists():
                        raise FileNotFoundError(f"{self.file}: {f} does not exist")
                    data[k] = ""
                    files[k] = src
                self.objects.append({"apiVersion": "v1", "kind": kind,
                                     "metadata": {"name": gen["name"]}, "data": data})
                self.files[gen["name"]] = files

    def find(self, kind, name=None):
        found = [o for o in self.objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
        return found

    def one(self, kind, name):
        found = self.find(kind, name)
        if len(found) != 1:
            raise LookupError(f"{self.file}: expected one {kind} {name}, found {len(found)}")
        return found[0]


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
