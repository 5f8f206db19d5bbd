"""Scores probe rows with scikit-learn's own predict_proba, for the exporter's check.

    PYTHON verify.py FITTED PROBES.json OUT.json

Run by tools/export-model with an interpreter that has scikit-learn (the current one, the one
--verify-python names, or a cached model environment of the pickle's scikit-learn version). It
loads FITTED with joblib (which also reads plain pickles) only after the exporter's restricted
unpickler has read the whole file: every class the file names is then one of the allowed
estimator, tree, loss and numpy classes. Writes {"sklearn_version", "predictions"}.
Works on Python 3.6+ (scikit-learn 0.24's Pythons).
"""

import json
import sys
import warnings


def main():
    fitted, probes_path, out_path = sys.argv[1:4]
    import numpy as np
    import sklearn

    try:
        import joblib
        load = joblib.load
    except ImportError:
        import pickle

        def load(path):
            with open(path, "rb") as f:
                return pickle.load(f)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator = load(fitted)
        with open(probes_path) as f:
            rows = np.array(json.load(f), dtype=np.float64)
        p = estimator.predict_proba(rows)[:, 1]
    with open(out_path, "w") as f:
        json.dump({"sklearn_version": sklearn.__version__,
                   "predictions": [float(v) for v in p]}, f)


if __name__ == "__main__":
    main()
