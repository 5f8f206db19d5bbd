"""Writes the small pickles in this folder, for coupon_model_unpickler's no-scikit-learn checks:
each supported kind, pickled and dumped with joblib by the scikit-learn this runs with, plus
predict_proba on fixed rows. Run once per generation and commit the output:

    $(tools/model-venv sklearn-0.24.1) make_pickles.py    # sklearn-0.24.1-*.{pkl,joblib}
    $(tools/model-venv) make_pickles.py                   # sklearn-1.9.1-*

The rows are random, the labels a fixed rule: what matters is the files' layout, not the model.
"""

import json
import os
import pickle

import joblib
import numpy as np
import sklearn
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    rng = np.random.RandomState(0)
    X = rng.rand(300, 21)
    y = (X[:, 0] + X[:, 14] > 1).astype(int)
    probe = rng.rand(20, 21)
    tag = "sklearn-" + sklearn.__version__
    estimators = {
        "gb": GradientBoostingClassifier(n_estimators=3, max_depth=2, random_state=0),
        "gb-zero": GradientBoostingClassifier(n_estimators=3, max_depth=2, init="zero",
                                              random_state=0),
        "rf": RandomForestClassifier(n_estimators=2, max_depth=3, random_state=0),
        "lr": LogisticRegression(),
    }
    for name, estimator in estimators.items():
        estimator.fit(X, y)
        base = os.path.join(HERE, "%s-%s" % (tag, name))
        with open(base + ".pkl", "wb") as f:
            pickle.dump(estimator, f)
        joblib.dump(estimator, base + ".joblib")
        with open(base + ".probe.json", "w") as f:
            json.dump({"rows": probe.tolist(),
                       "predict_proba": estimator.predict_proba(probe)[:, 1].tolist()}, f)


if __name__ == "__main__":
    main()
