"""Reads a fitted scikit-learn classifier, as unpickle.load gives it, into a coupon model's "model"
section (schema/coupon_model.schema.json), without scikit-learn.

Only fitted state is read: the trees' node arrays and values, the initial estimator or 'zero', the
learning rate, the loss, the class order, the coefficients. The attribute names are those of
scikit-learn 0.24 to 1.x; where they changed, both are read (n_features_ / n_features_in_,
_gb_losses.BinomialDeviance / _loss.HalfBinomialLoss, tree nodes with and without
missing_go_to_left, class counts / class fractions in forest leaves).
"""

import math
import reprlib
import struct

from .unpickle import Array, Instance

SUPPORTED = ("GradientBoostingClassifier", "RandomForestClassifier", "ExtraTreesClassifier",
             "LogisticRegression")
# Node and tree bounds (plugin/coupon's model.hpp refuses beyond these anyway).
MAX_TREES = 10000
MAX_NODES_PER_TREE = 1 << 20
MAX_TOTAL_NODES = 1 << 24  # 16,777,216: the plugin's kMaxTotalNodes

LARGEST = 1.7976931348623157e308  # JSON has no infinity: the largest double stands for it
FLOAT32_EPS = 2.0 ** -23
FLOAT64_EPS = 2.0 ** -52


class ReadError(ValueError):
    """The estimator cannot be written as a coupon model file; the message says why."""


class Estimator:
    """What the export needs to know about the fitted estimator besides its model section."""

    def __init__(self, kind, model, n_features, feature_names, sklearn_version, summary):
        self.kind = kind  # the scikit-learn class name
        self.model = model
        self.n_features = n_features
        self.feature_names = feature_names  # feature_names_in_ (fitted on a DataFrame) or None
        self.sklearn_version = sklearn_version
        self.summary = summary


_SHOWN = reprlib.Repr()
_SHOWN.maxstring = _SHOWN.maxother = 40


def shown(value):
    """A value from the file as an error message may show it: scalars and strings as a short repr,
    anything else by its type alone (a repr of a file's structure can be huge or deep)."""
    if isinstance(value, (bool, int, float, str, type(None))):
        return _SHOWN.repr(value)
    if isinstance(value, Instance):
        return "a %s.%s" % (value.module, value.name)
    return "a " + type(value).__name__


def read(obj):
    if not isinstance(obj, Instance):
        raise ReadError("the file holds a %s, not a fitted scikit-learn estimator"
                        % type(obj).__name__)
    if obj.name not in SUPPORTED:
        raise ReadError("cannot export %s.%s: supported are %s"
                        % (obj.module, obj.name, ", ".join(SUPPORTED)))
    if not isinstance(obj.state, dict):
        raise ReadError("%s: unknown pickled state" % obj.name)
    classes = obj.get("classes_")
    if classes is None:
        raise ReadError("%s is not fitted (no classes_)" % obj.name)
    if _array(classes, "classes_").size() != 2:
        raise ReadError("only binary classifiers can be exported (classes_ has %d classes)"
                        % classes.size())
    if obj.name == "GradientBoostingClassifier":
        model = _gradient_boosting(obj)
    elif obj.name == "LogisticRegression":
        model = _logistic_regression(obj)
    else:
        model = _forest(obj)
    names = obj.get("feature_names_in_")
    feature_names = None
    if names is not None:
        feature_names = _array(names, "feature_names_in_").flat()
        if not all(isinstance(n, str) for n in feature_names):
            raise ReadError("feature_names_in_ holds something other than strings")
    n = obj.get("n_features_in_", obj.get("n_features_"))
    if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 1):
        raise ReadError("n_features_in_ is %s, not a column count" % shown(n))
    version = obj.get("_sklearn_version")
    if version is not None and not isinstance(version, str):
        raise ReadError("_sklearn_version is %s, not a version" % shown(version))
    if n is None:
        n = len(model["coefficients"]) if "coefficients" in model else None
    if "trees" in model:
        summary = "%s: %d trees, %d nodes, max depth %d" % (
            model["kind"], len(model["trees"]), sum(len(t["feature"]) for t in model["trees"]),
            max(_depth(t) for t in model["trees"]))
    else:
        summary = "%s: %d coefficients" % (model["kind"], len(model["coefficients"]))
    return Estimator(obj.name, model, n, feature_names, version, summary)


def _array(value, what):
    if not isinstance(value, Array):
        raise ReadError("%s is not a numpy array" % what)
    return value


def _tree_of(stage, what):
    if not isinstance(stage, Instance) or stage.name not in (
            "DecisionTreeRegressor", "DecisionTreeClassifier", "ExtraTreeRegressor",
            "ExtraTreeClassifier"):
        raise ReadError("%s is %s, not a decision tree" % (what, shown(stage)))
    tree = stage.get("tree_")
    if not isinstance(tree, Instance) or tree.name != "Tree":
        raise ReadError("%s has no fitted tree_" % what)
    return tree


def _node_count(tree, what):
    nodes = _array(tree.get("nodes"), what + ".nodes")
    count = tree.get("node_count", nodes.size())
    if not isinstance(count, int) or nodes.size() != count or not 1 <= count <= MAX_NODES_PER_TREE:
        raise ReadError("%s: %d nodes (node_count %s)" % (what, nodes.size(), shown(count)))
    return count


def _budget(trees, owner):
    """Refuses, before any node array is decoded, a tree object that appears twice (a pickle's
    memo lets one tree stand for thousands of stages at no cost in file size) and more nodes in
    all than the plugin loads (its kMaxTotalNodes)."""
    seen, total = set(), 0
    for tree, what in trees:
        if id(tree) in seen:
            raise ReadError("%s: %s is the same tree object as an earlier one; a fitted model's "
                            "trees are distinct" % (owner, what))
        seen.add(id(tree))
        total += _node_count(tree, what)
        if total > MAX_TOTAL_NODES:
            raise ReadError("%s: over %d nodes in all (the plugin's limit)"
                            % (owner, MAX_TOTAL_NODES))


def _tree(tree, values, what):
    """One tree as the file stores it: scikit-learn's node arrays, plus one value per node."""
    nodes = tree.get("nodes")
    count = _node_count(tree, what)
    columns = nodes.fields()  # the node array decoded once, not once per field
    if columns is None:
        raise ReadError("%s: the node array is not a record array" % what)
    fields = {}
    for name in ("left_child", "right_child", "feature", "threshold"):
        if name not in columns:
            raise ReadError("%s: the node array has no %s field" % (what, name))
        fields[name] = columns[name]
    out = {
        "children_left": fields["left_child"],
        "children_right": fields["right_child"],
        "feature": fields["feature"],
        "threshold": [LARGEST if t == math.inf else -LARGEST if t == -math.inf else t
                      for t in fields["threshold"]],
        "value": values,
    }
    if any(isinstance(t, float) and math.isnan(t) for t in out["threshold"]):
        raise ReadError("%s: a threshold is NaN" % what)
    if len(values) != count:
        raise ReadError("%s: %d values for %d nodes" % (what, len(values), count))
    # A hostile file must not send the walk below out of range or round a cycle.
    for i, (left, right, feature) in enumerate(zip(out["children_left"], out["children_right"],
                                                   out["feature"])):
        if left == -1 and right == -1:
            continue
        if not (i < left < count and i < right < count and feature >= 0):
            raise ReadError("%s: node %d has children %d, %d and feature %d" % (
                what, i, left, right, feature))
    # scikit-learn >= 1.3 sends a missing value (NaN) to the side this names.
    missing = columns.get("missing_go_to_left")
    if missing is not None:
        out["missing_go_to_left"] = [int(m) for m in missing]
    return out


def _values(tree, what):
    values = _array(tree.get("values"), what + ".values")
    if len(values.shape) != 3:
        raise ReadError("%s.values has shape %s" % (what, values.shape))
    return values


def _gradient_boosting(gb):
    loss = gb.get("loss", "deviance")
    if loss not in ("deviance", "log_loss"):
        raise ReadError("GradientBoostingClassifier: only loss='log_loss' (or 'deviance') can be "
                        "exported, got %s" % shown(loss))
    for attr in ("loss_", "_loss"):
        obj = gb.get(attr)
        if isinstance(obj, Instance) and obj.name not in ("BinomialDeviance", "HalfBinomialLoss"):
            raise ReadError("GradientBoostingClassifier: the loss is %s; only the binomial "
                            "log-loss can be exported" % obj.name)
    stages = _array(gb.get("estimators_"), "estimators_")
    if len(stages.shape) != 2 or stages.shape[1] != 1:
        raise ReadError("GradientBoostingClassifier: expected one tree per stage (binary), "
                        "estimators_ has shape %s" % (stages.shape,))
    if not 1 <= stages.shape[0] <= MAX_TREES:
        raise ReadError("GradientBoostingClassifier: %d stages" % stages.shape[0])
    found = [(_tree_of(stage, "estimators_[%d, 0]" % i), "estimators_[%d, 0]" % i)
             for i, stage in enumerate(stages.flat())]
    _budget(found, "GradientBoostingClassifier")
    trees = []
    for tree, what in found:
        values = _values(tree, what)
        if values.shape[1:] != (1, 1):
            raise ReadError("%s: values of shape %s, expected (n, 1, 1)" % (what, values.shape))
        trees.append(_tree(tree, values.flat(), what))
    learning_rate = gb.get("learning_rate")
    if not isinstance(learning_rate, (int, float)) or not learning_rate > 0:
        raise ReadError("GradientBoostingClassifier: learning_rate %s" % shown(learning_rate))
    return {
        "kind": "gradient_boosting",
        "learning_rate": float(learning_rate),
        "init_log_odds": _init_log_odds(gb),
        "trees": trees,
    }


# The epsilon the init probability is clipped to, by the module of the loss object that computes
# it: scikit-learn 0.24 to 1.2's sklearn.ensemble._gb_losses (BinomialDeviance.
# get_init_raw_predictions: np.finfo(np.float32).eps), 1.3 on's sklearn._loss (_gb.py's
# _init_raw_predictions: np.finfo(np.float64).eps). Which attribute holds the loss (loss_ up to
# 1.0, _loss in 1.1 and 1.2 as in 1.3 on) does not say which it is. The two differ only when the
# prior is within 1.2e-7 of 0 or 1.
_CLIP_EPSILON = {
    ("sklearn.ensemble._gb_losses", "BinomialDeviance"): FLOAT32_EPS,
    ("sklearn._loss.loss", "HalfBinomialLoss"): FLOAT64_EPS,
}


def _clip_epsilon(gb):
    losses = [gb.get(attr) for attr in ("loss_", "_loss") if isinstance(gb.get(attr), Instance)]
    kinds = {(loss.module, loss.name) for loss in losses}
    if len(kinds) != 1 or next(iter(kinds)) not in _CLIP_EPSILON:
        raise ReadError("GradientBoostingClassifier: cannot tell how its initial prediction is "
                        "clipped: the loss object is %s (expected one of %s)" % (
                            ", ".join(sorted("%s.%s" % k for k in kinds)) or "missing",
                            ", ".join("%s.%s" % k for k in _CLIP_EPSILON)))
    return _CLIP_EPSILON[next(iter(kinds))]


def _init_log_odds(gb):
    """What the classifier adds to every row before the trees: the init estimator's positive-class
    probability, clipped, through the logit link (0 for init='zero')."""
    init = gb.get("init_")
    if init == "zero":
        return 0.0
    if not isinstance(init, Instance) or init.name != "DummyClassifier":
        raise ReadError("GradientBoostingClassifier: only the default init (a constant "
                        "DummyClassifier) or init='zero' can be exported, got %s" % shown(init))
    strategy = init.get("strategy", "prior")
    prior = _array(init.get("class_prior_"), "init_.class_prior_").flat()
    classes = _array(init.get("classes_"), "init_.classes_").flat()
    if strategy == "prior":
        p = prior[1]
    elif strategy == "most_frequent":
        p = 1.0 if prior.index(max(prior)) == 1 else 0.0
    elif strategy == "constant":
        constant = init.get("constant")
        if isinstance(constant, Array):
            constant = constant.flat()[0]
        p = 1.0 if classes.index(constant) == 1 else 0.0
    else:
        raise ReadError("GradientBoostingClassifier: init_ is a DummyClassifier with strategy %s, "
                        "which is not constant" % shown(strategy))
    eps = _clip_epsilon(gb)
    p = min(max(float(p), eps), 1.0 - eps)
    return math.log(p / (1.0 - p))


def _positive_fraction(values, what):
    if values.shape[1] != 1 or values.shape[2] != 2:
        raise ReadError("%s: values of shape %s, expected (n, 1, 2)" % (what, values.shape))
    flat = values.flat()
    out = []
    for i in range(0, len(flat), 2):
        negative, positive = flat[i], flat[i + 1]
        total = negative + positive
        # scikit-learn >= 1.4 stores class fractions, older releases weighted counts; predict_proba
        # divides by the sum either way (a sum of 0 is left as it is).
        out.append(positive if abs(total - 1.0) < 1e-9 else positive / (total or 1.0))
    return out


def _forest(forest):
    if forest.get("n_outputs_", 1) != 1:
        raise ReadError("%s: only single-output forests can be exported" % forest.name)
    members = forest.get("estimators_")
    if not isinstance(members, list) or not 1 <= len(members) <= MAX_TREES:
        raise ReadError("%s: estimators_ is not a list of up to %d trees" % (forest.name, MAX_TREES))
    found = [(_tree_of(member, "estimators_[%d]" % i), "estimators_[%d]" % i)
             for i, member in enumerate(members)]
    _budget(found, forest.name)
    trees = []
    for tree, what in found:
        trees.append(_tree(tree, _positive_fraction(_values(tree, what), what), what))
    return {"kind": "random_forest", "trees": trees}


def _logistic_regression(lr):
    if lr.get("multi_class", "auto") == "multinomial":
        raise ReadError("LogisticRegression: multi_class='multinomial' cannot be exported")
    coef = _array(lr.get("coef_"), "coef_")
    intercept = _array(lr.get("intercept_"), "intercept_").flat()
    if len(coef.shape) != 2 or coef.shape[0] != 1 or len(intercept) != 1:
        raise ReadError("LogisticRegression: expected one row of coefficients (binary)")
    return {
        "kind": "logistic_regression",
        "coefficients": [float(c) for c in coef.rows()[0]],
        "intercept": float(intercept[0]),
    }


def _depth(tree):
    left, right = tree["children_left"], tree["children_right"]
    deepest, stack = 0, [(0, 0)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > len(left):
            raise ReadError("a tree's children do not form a tree")
        if not 0 <= node < len(left):
            raise ReadError("a tree's child %d is out of range" % node)
        deepest = max(deepest, depth)
        if left[node] != -1:
            stack.append((left[node], depth + 1))
            stack.append((right[node], depth + 1))
    return deepest


def float32(x):
    """x rounded to float32, as scikit-learn's trees compare features."""
    return struct.unpack("f", struct.pack("f", x))[0]


__all__ = ["Estimator", "ReadError", "SUPPORTED", "read"]
