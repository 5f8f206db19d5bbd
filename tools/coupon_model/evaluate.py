"""predict_proba[:, 1] of a coupon model file's "model" section, in plain Python.

The exporter's check of its own reading: these numbers are compared with scikit-learn's
predict_proba on a probe set. It follows the schema's definitions, the same ones the plugin's
evaluator implements (features rounded to float32 at tree splits, as scikit-learn does).
"""

import math
import struct

LARGEST = 1.7976931348623157e308
_FLOAT32_MAX = 3.4028234663852886e38


def _float32(x):
    if x != x:
        return x
    if abs(x) > _FLOAT32_MAX:
        # Past float32's range numpy's cast gives infinity (its largest value up to half an ulp).
        if abs(x) < 3.4028235677973366e38:
            return math.copysign(_FLOAT32_MAX, x)
        return math.copysign(math.inf, x)
    return struct.unpack("f", struct.pack("f", x))[0]


def _leaf(tree, row):
    left, right = tree["children_left"], tree["children_right"]
    feature, threshold = tree["feature"], tree["threshold"]
    missing = tree.get("missing_go_to_left")
    node = 0
    while left[node] != -1:
        x = _float32(row[feature[node]])
        t = threshold[node]
        t = math.inf if t == LARGEST else -math.inf if t == -LARGEST else t
        if x != x:
            go_left = bool(missing[node]) if missing else False
        else:
            go_left = x <= t
        node = left[node] if go_left else right[node]
    return tree["value"][node]


def _expit(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def predict(model, rows):
    """One prediction per row (a list of floats in the file's feature order)."""
    kind = model["kind"]
    out = []
    for row in rows:
        if kind == "logistic_regression":
            z = model["intercept"] + sum(c * x for c, x in zip(model["coefficients"], row))
            out.append(_expit(z))
        elif kind == "gradient_boosting":
            # Stage by stage, as scikit-learn's predict_stages adds them.
            raw = model["init_log_odds"]
            for tree in model["trees"]:
                raw += model["learning_rate"] * _leaf(tree, row)
            out.append(_expit(raw))
        elif kind == "random_forest":
            total = 0.0
            for tree in model["trees"]:
                total += _leaf(tree, row)
            out.append(total / len(model["trees"]))
        else:
            raise ValueError("cannot evaluate a %s model" % kind)
    return out


__all__ = ["predict"]
