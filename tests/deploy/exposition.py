"""Reads a Prometheus text exposition (format 0.0.4, what GET /metrics answers) into the sample
names, their label sets and the families' types, and checks PromQL expressions against it."""

import re

import promql

# Prometheus itself adds these to every scraped series: expressions may use them though the host
# does not export them.
TARGET_LABELS = {"instance", "job"}

_SAMPLE = re.compile(r"^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$")
_LABEL = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?')
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


class Exposition:
    def __init__(self, text):
        self.samples = {}  # sample name -> list of {label: value}
        self.types = {}  # family name -> counter | gauge | histogram | ...
        self.values = []  # (sample name, {label: value}, value)
        for line in text.splitlines():
            if line.startswith("# TYPE "):
                _, _, name, kind = line.split(None, 3)
                self.types[name] = kind.strip()
                continue
            if not line.strip() or line.startswith("#"):
                continue
            m = _SAMPLE.match(line)
            if not m:
                raise ValueError(f"not a sample line: {line!r}")
            labels = dict(_LABEL.findall(m.group(2) or ""))
            self.samples.setdefault(m.group(1), []).append(labels)
            self.values.append((m.group(1), labels, float(m.group(3))))

    def value(self, sample_name, **labels):
        """The sum of the samples named `sample_name` whose labels include `labels`."""
        return sum(v for n, l, v in self.values
                   if n == sample_name and all(l.get(k) == x for k, x in labels.items()))

    def family_of(self, sample_name):
        for suffix in HISTOGRAM_SUFFIXES:
            base = sample_name[: -len(suffix)]
            if sample_name.endswith(suffix) and self.types.get(base) == "histogram":
                return base
        return sample_name

    def label_names(self, sample_name):
        return set().union(*(set(s) for s in self.samples.get(sample_name, [])))

    def label_values(self, sample_name, label):
        return {s[label] for s in self.samples.get(sample_name, []) if label in s}


def problems_in(expr, exposition, legend=None, extra_labels=()):
    """Everything `expr` (and its Grafana legend) names that `exposition` does not have, as
    sentences; empty when all is there."""
    try:
        needs = promql.analyse(expr)
    except promql.PromQLError as e:
        return [str(e)]
    found = []
    available = set(TARGET_LABELS) | set(extra_labels)
    for sel in needs.selectors:
        name = sel.metric
        if name not in exposition.samples:
            if exposition.types.get(name) == "histogram":
                found.append(f"{name} is a histogram: select {name}_bucket, _sum or _count")
            else:
                found.append(f"metric {name} is not exported")
            continue
        family = exposition.family_of(name)
        if name.endswith("_bucket") and exposition.types.get(family) != "histogram":
            found.append(f"{name} is not the bucket series of an exported histogram")
        labels = exposition.label_names(name)
        available |= labels
        for label, op, value in sel.matchers:
            if label not in labels and label not in TARGET_LABELS:
                found.append(f"{name} has no label {label} (its labels: {', '.join(sorted(labels)) or 'none'})")
            elif op == "=" and "$" not in value and label not in TARGET_LABELS:
                values = exposition.label_values(name, label)
                if value not in values:
                    found.append(f'{name}{{{label}="{value}"}} is not exported (values: {", ".join(sorted(values))})')
    for label in sorted(needs.grouping_labels):
        if label not in available:
            found.append(f"no metric of the expression has the label {label} it groups or joins by")
    for label in sorted(promql.legend_labels(legend)):
        if label not in available | needs.grouping_labels:
            found.append(f"the legend names {{{{{label}}}}}, which no metric of the expression has")
    return [f"{p}  [in: {expr}]" for p in found]
