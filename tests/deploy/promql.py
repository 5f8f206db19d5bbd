"""Just enough PromQL to find what an expression needs from the scraped target: the metric names it
selects, the label names and values its selectors match on, and the labels it groups or joins by.

Not a full parser: it tokenizes the expression and reads selectors, grouping clauses and function
calls from the token stream. Unknown functions are an error, so a misspelt function is caught too.
Grafana's variables ($route, ${route}, $__rate_interval) are accepted wherever they may stand.
"""

import re
from dataclasses import dataclass, field

AGGREGATIONS = {
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk",
    "topk", "quantile", "limitk", "limit_ratio",
}
FUNCTIONS = {
    "abs", "absent", "absent_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min",
    "day_of_month", "day_of_week", "day_of_year", "days_in_month", "delta", "deriv", "exp", "floor",
    "histogram_avg", "histogram_count", "histogram_fraction", "histogram_quantile", "histogram_sum",
    "histogram_stddev", "histogram_stdvar", "holt_winters", "hour", "idelta", "increase", "irate",
    "label_join", "label_replace", "ln", "log2", "log10", "minute", "month", "predict_linear", "rate",
    "resets", "round", "scalar", "sgn", "sort", "sort_desc", "sqrt", "time", "timestamp", "vector",
    "year", "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
    "quantile_over_time", "stddev_over_time", "stdvar_over_time", "last_over_time",
    "present_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "sin",
    "sinh", "tan", "tanh", "deg", "rad", "pi",
}
GROUPING = {"by", "without", "on", "ignoring", "group_left", "group_right"}
KEYWORDS = {"and", "or", "unless", "bool", "offset", "atan2", "inf", "nan", "start", "end"}

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
  | (?P<variable>\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:[smhdwy]|ms)*(?:\d+(?:[smhdwy]|ms))*)
  | (?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)
  | (?P<op>=~|!~|!=|==|<=|>=|[-+*/%^<>=(){}\[\],:@])
    """,
    re.VERBOSE,
)


class PromQLError(ValueError):
    pass


@dataclass
class Selector:
    metric: str | None
    matchers: list = field(default_factory=list)  # (label, op, value)


@dataclass
class Needs:
    selectors: list = field(default_factory=list)
    grouping_labels: set = field(default_factory=set)
    functions: set = field(default_factory=set)


def tokenize(expr):
    tokens, pos = [], 0
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if not m:
            raise PromQLError(f"cannot read {expr[pos:pos + 20]!r} in {expr!r}")
        pos = m.end()
        kind = m.lastgroup
        if kind in ("space", "comment"):
            continue
        tokens.append((kind, m.group()))
    return tokens


def _unquote(text):
    return text[1:-1]


def analyse(expr):
    """What `expr` needs: its selectors, the labels of its by/without/on/ignoring clauses, and the
    functions it calls. Raises PromQLError for what it cannot read or an unknown function."""
    tokens = tokenize(expr)
    needs = Needs()
    i, depth_brackets = 0, 0

    def peek(k):
        return tokens[k] if k < len(tokens) else (None, None)

    while i < len(tokens):
        kind, text = tokens[i]
        if text == "[":
            depth_brackets += 1
        elif text == "]":
            depth_brackets -= 1
        if depth_brackets or kind != "ident" and text != "{":
            i += 1
            continue
        if kind == "ident" and text in GROUPING:
            if peek(i + 1)[1] != "(":
                i += 1  # group_left without labels
                continue
            i += 2
            while peek(i)[1] != ")":
                k, t = peek(i)
                if k is None:
                    raise PromQLError(f"unclosed {text}(...) in {expr!r}")
                if k == "ident":
                    needs.grouping_labels.add(t)
                elif t != ",":
                    raise PromQLError(f"unexpected {t!r} in {text}(...) of {expr!r}")
                i += 1
            i += 1
            continue
        if kind == "ident" and text in AGGREGATIONS:
            needs.functions.add(text)
            i += 1
            continue
        if kind == "ident" and peek(i + 1)[1] == "(":
            if text not in FUNCTIONS:
                raise PromQLError(f"unknown function {text}() in {expr!r}")
            needs.functions.add(text)
            i += 1
            continue
        if kind == "ident" and text.lower() in KEYWORDS:
            i += 1
            continue
        metric = text if kind == "ident" else None
        selector = Selector(metric)
        i += 1 if kind == "ident" else 0
        if peek(i)[1] == "{":
            i += 1
            while peek(i)[1] != "}":
                label, op, value = peek(i), peek(i + 1), peek(i + 2)
                if label[0] != "ident" or op[1] not in ("=", "!=", "=~", "!~") or value[0] != "string":
                    raise PromQLError(f"cannot read the label matcher at {label[1]!r} in {expr!r}")
                selector.matchers.append((label[1], op[1], _unquote(value[1])))
                i += 3
                if peek(i)[1] == ",":
                    i += 1
            i += 1
        if selector.metric is None:
            names = [v for (l, op, v) in selector.matchers if l == "__name__" and op == "="]
            if not names:
                raise PromQLError(f"a selector without a metric name in {expr!r}")
            selector.metric = names[0]
            selector.matchers = [m for m in selector.matchers if m[0] != "__name__"]
        needs.selectors.append(selector)
    return needs


_LABEL_VALUES = re.compile(r"^\s*label_values\(\s*(?:(?P<expr>.+?)\s*,\s*)?(?P<label>[A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$")


def grafana_variable_query(query):
    """A Grafana Prometheus variable query: label_values(selector, label) gives (selector expression
    or None, label); any other query is read as a PromQL expression, (query, None)."""
    m = _LABEL_VALUES.match(query)
    if m:
        return m.group("expr"), m.group("label")
    return query, None


def legend_labels(legend):
    """The labels a Grafana legend format names: {{route}} -> route."""
    return set(re.findall(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}", legend or ""))
