"""Trains small models on the generated data set the way the original service's model was made,
pickles them, and writes scikit-learn's predict_proba[:, 1] for every customer x coupon the plugin
scores. Run by run-export-test-sklearn024 with scikit-learn 0.24.1 on Python 3.8 (the original's
pins); the files are then exported by tools/export-model with no flags, and
model_equality_test.cpp compares the plugin's scores with these numbers.

The training matrix is a pandas DataFrame with the original encoder's column names, in its order,
as the original service fed its model (scikit-learn 0.24 keeps no names in the pickle, so the
export must fall back to that order by itself).

    make_pickles.py --data DIR --out DIR
"""

import argparse
import json
import os
import pickle
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tools"))

import joblib  # noqa: E402
import pandas as pd  # noqa: E402
import sklearn  # noqa: E402
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from coupon_model import dataset, encoding  # noqa: E402

TRAINING_ROWS = 20000
CUSTOMERS_PER_CHUNK = 100


def models():
    # name -> (estimator, how it is written: (suffix, writer) pairs)
    def pickle_dump(estimator, path):
        with open(path, "wb") as f:
            pickle.dump(estimator, f)

    def joblib_dump(estimator, path):
        joblib.dump(estimator, path)

    def joblib_zlib(estimator, path):
        joblib.dump(estimator, path, compress=3)

    return {
        "gradient_boosting": (
            GradientBoostingClassifier(n_estimators=40, max_depth=5, learning_rate=0.2,
                                       subsample=0.8, random_state=1),
            [(".pkl", pickle_dump), (".joblib", joblib_dump), (".z.joblib", joblib_zlib)]),
        "random_forest": (
            RandomForestClassifier(n_estimators=12, max_depth=12, min_samples_leaf=3,
                                   random_state=2, n_jobs=1),
            [(".joblib", joblib_dump)]),
        "logistic_regression": (LogisticRegression(max_iter=300), [(".pkl", pickle_dump)]),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    ds = dataset.Dataset(args.data)
    features = encoding.ORIGINAL_ORDER
    columns = [name for name, _ in encoding.ORIGINAL_COLUMNS]
    X, y = dataset.training_set(ds, TRAINING_ROWS, seed=11, features=features)
    frame = pd.DataFrame(X, columns=columns)
    manifest = {"sklearn_version": sklearn.__version__,
                "python": "%d.%d.%d" % sys.version_info[:3], "models": []}
    for name, (estimator, writers) in models().items():
        start = time.time()
        estimator.fit(frame, y)
        files = []
        for suffix, write in writers:
            path = os.path.join(args.out, name + suffix)
            write(estimator, path)
            files.append(path)
        expected = os.path.join(args.out, name + ".expected.f64")
        count = 0
        with open(expected, "wb") as f:
            for first in range(0, len(ds.customers), CUSTOMERS_PER_CHUNK):
                rows = ds.rows(slice(first, first + CUSTOMERS_PER_CHUNK), features)
                p = estimator.predict_proba(pd.DataFrame(rows, columns=columns))[:, 1]
                f.write(p.astype("<f8").tobytes())
                count += len(p)
        manifest["models"].append({"name": name, "files": files, "expected": expected,
                                   "data": os.path.abspath(args.data), "count": count})
        print("make_pickles: %-20s trained, pickled, %d pairs predicted in %.1f s"
              % (name, count, time.time() - start), flush=True)
    with open(os.path.join(args.out, "pickles.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
