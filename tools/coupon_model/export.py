"""Turns a fitted scikit-learn classifier into a coupon model file (schema/coupon_model.schema.json).

Only public fitted attributes are read (``estimators_``, ``tree_.children_left`` and friends,
``init_``, ``learning_rate``, ``coef_``, ``intercept_``), so the file does not depend on
scikit-learn's pickles and the host never runs Python. Supported: GradientBoostingClassifier
(log-loss, binary), RandomForestClassifier and ExtraTreesClassifier (binary, one output),
LogisticRegression (binary). Predictions in the file are for ``classes_[1]``, as
``predict_proba(X)[:, 1]``.
"""

import json

from . import encoding

FORMAT = "streamhost-coupon-model"
FORMAT_VERSION = 1


class ExportError(ValueError):
    """The estimator cannot be written as a coupon model file; the message says why."""


def _binary(estimator):
    classes = getattr(estimator, "classes_", None)
    if classes is None:
        raise ExportError("the estimator is not fitted (no classes_)")
    if len(classes) != 2:
        raise ExportError(
            "only binary classifiers can be exported (classes_ has %d classes)" % len(classes)
        )


def _tree(tree, value):
    """One tree as the file stores it: sklearn's own node arrays, plus one value per node."""
    import numpy as np

    # A split that only separates missing values has an infinite threshold, which JSON cannot
    # write: the largest double stands for it (no real threshold is that large).
    largest = np.finfo(np.float64).max
    threshold = np.where(np.isposinf(tree.threshold), largest,
                         np.where(np.isneginf(tree.threshold), -largest, tree.threshold))
    out = {
        "children_left": tree.children_left.tolist(),
        "children_right": tree.children_right.tolist(),
        "feature": tree.feature.tolist(),
        "threshold": threshold.tolist(),
        "value": [float(v) for v in value],
    }
    # scikit-learn >= 1.3 sends a missing value (NaN) to the side this array names; the plugin
    # encodes an unknown or NULL customer value as missing and follows it too.
    missing = getattr(tree, "missing_go_to_left", None)
    if missing is not None:
        out["missing_go_to_left"] = [int(m) for m in missing.tolist()]
    return out


def _gradient_boosting(gb):
    from scipy.special import logit
    from sklearn.dummy import DummyClassifier
    import numpy as np

    loss = getattr(gb, "loss", "log_loss")
    if loss not in ("log_loss", "deviance"):
        raise ExportError("GradientBoostingClassifier: only loss='log_loss' can be exported, got %r" % loss)
    if gb.estimators_.shape[1] != 1:
        raise ExportError("GradientBoostingClassifier: expected one tree per stage (binary)")
    init = gb.init_
    if isinstance(init, str) and init == "zero":
        init_log_odds = 0.0
    elif isinstance(init, DummyClassifier) and init.strategy in ("prior", "most_frequent", "constant"):
        # Exactly what the classifier computes for every row: the init estimator's positive-class
        # probability, clipped to [eps, 1 - eps], through the logit link.
        p = init.predict_proba(np.zeros((1, gb.n_features_in_)))[:, 1]
        eps = np.finfo(np.float64).eps
        init_log_odds = float(logit(np.clip(p, eps, 1 - eps, dtype=np.float64))[0])
    else:
        raise ExportError(
            "GradientBoostingClassifier: only the default init (a constant DummyClassifier) or "
            "init='zero' can be exported, got %r" % (init,)
        )
    return {
        "kind": "gradient_boosting",
        "learning_rate": float(gb.learning_rate),
        "init_log_odds": init_log_odds,
        "trees": [_tree(stage[0].tree_, stage[0].tree_.value[:, 0, 0]) for stage in gb.estimators_],
    }


def _positive_fraction(tree):
    import numpy as np

    value = tree.value[:, 0, :]
    totals = value.sum(axis=1)
    if np.all(np.abs(totals - 1.0) < 1e-9):
        # scikit-learn >= 1.4 stores class fractions, and predict_proba returns them as they are.
        return value[:, 1]
    # Older releases store weighted counts and predict_proba divides by their sum.
    totals[totals == 0.0] = 1.0
    return value[:, 1] / totals


def _random_forest(forest):
    if getattr(forest, "n_outputs_", 1) != 1:
        raise ExportError("%s: only single-output forests can be exported" % type(forest).__name__)
    return {
        "kind": "random_forest",
        "trees": [_tree(t.tree_, _positive_fraction(t.tree_)) for t in forest.estimators_],
    }


def _logistic_regression(lr):
    if getattr(lr, "multi_class", "auto") == "multinomial":
        raise ExportError("LogisticRegression: multi_class='multinomial' cannot be exported")
    if lr.coef_.shape[0] != 1:
        raise ExportError("LogisticRegression: expected one row of coefficients (binary)")
    return {
        "kind": "logistic_regression",
        "coefficients": [float(c) for c in lr.coef_[0]],
        "intercept": float(lr.intercept_[0]),
    }


def export_model(estimator, name, version, description="", features=None,
                 sport_matches_sports=False):
    """The model file's content (a dict ready for json) for a fitted estimator.

    ``features`` names the columns of the matrix the estimator was fitted on, in order; without it
    the estimator's ``feature_names_in_`` (fitted on a DataFrame) or ``encoding.FEATURES``.
    """
    from sklearn.ensemble import (ExtraTreesClassifier, GradientBoostingClassifier,
                                  RandomForestClassifier)
    from sklearn.linear_model import LogisticRegression
    import sklearn

    _binary(estimator)
    if features is None:
        names = getattr(estimator, "feature_names_in_", None)
        features = list(names) if names is not None else list(encoding.FEATURES)
    features = list(features)
    n = getattr(estimator, "n_features_in_", None)
    if n is not None and n != len(features):
        raise ExportError(
            "the estimator was fitted on %d columns but %d feature names were given" % (n, len(features))
        )
    if isinstance(estimator, GradientBoostingClassifier):
        model = _gradient_boosting(estimator)
    elif isinstance(estimator, (RandomForestClassifier, ExtraTreesClassifier)):
        model = _random_forest(estimator)
    elif isinstance(estimator, LogisticRegression):
        model = _logistic_regression(estimator)
    else:
        raise ExportError(
            "cannot export %s: supported are GradientBoostingClassifier, RandomForestClassifier, "
            "ExtraTreesClassifier and LogisticRegression" % type(estimator).__name__
        )
    try:
        section = encoding.encoding_section(features, sport_matches_sports)
    except ValueError as e:
        raise ExportError(str(e)) from None
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "name": name,
        "version": version,
        "description": description or "%s exported from scikit-learn %s" % (
            type(estimator).__name__, sklearn.__version__),
        "trained_with": {
            "library": "scikit-learn",
            "library_version": sklearn.__version__,
            "estimator": type(estimator).__name__,
        },
        "encoding": section,
        "model": model,
    }


def write_model(model, path):
    """Writes the file compactly; floats as Python's shortest round-trip text (exact doubles)."""
    with open(path, "w", encoding="utf-8") as out:
        json.dump(model, out, separators=(",", ":"), allow_nan=False)
        out.write("\n")
