"""The end-to-end test's model of the original's kind: trains a GradientBoostingClassifier with
scikit-learn 0.24.1 (run with tools/model-venv sklearn-0.24.1's Python 3.8) on a DataFrame of the
original encoder's columns, pickles it, and writes its predict_proba for every coupon of every
focus event the test will send.

    python sklearn024_model.py EVENTS.json MODEL.pkl PREDICTIONS.json

EVENTS.json (written by the test from the stack's PostgreSQL): {"events": [{"customer": {column:
text or null}, "category": "Sport", "coupons": [[coupon_id, mean_coupon_discount,
mean_item_price], ...]}]}. PREDICTIONS.json: {"predictions": [[p for each coupon] per event]}.
Labels are dataset.synthetic_labels' deterministic ones.
"""

import json
import os
import pickle
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.ensemble import GradientBoostingClassifier  # noqa: E402

from coupon_model import dataset, encoding  # noqa: E402


def main():
    events_path, model_path, out_path = sys.argv[1:4]
    with open(events_path) as f:
        events = json.load(f)["events"]
    columns = [name for name, _ in encoding.ORIGINAL_COLUMNS]
    features = encoding.ORIGINAL_ORDER
    per_event, rows, ids = [], [], []
    for n, event in enumerate(events):
        matrix = [encoding.encode_row(event["customer"], {"category": event["category"],
                                                          "mean_coupon_discount": str(c[1]),
                                                          "mean_item_price": str(c[2])},
                                      features)
                  for c in event["coupons"]]
        per_event.append(matrix)
        rows.extend(matrix)
        ids.extend((n, c[0], dataset.CATEGORIES.index(event["category"]))
                   for c in event["coupons"])
    X = np.array(rows, dtype=np.float64)
    y = dataset.synthetic_labels(X, features, tuple(np.array(v) for v in zip(*ids)))
    model = GradientBoostingClassifier(n_estimators=30, max_depth=5, learning_rate=0.3,
                                       random_state=7)
    model.fit(pd.DataFrame(X, columns=columns), y)
    with open(model_path, "wb") as f:
        pickle.dump(model, f)
    predictions = [
        [float(p) for p in model.predict_proba(pd.DataFrame(m, columns=columns))[:, 1]] if m else []
        for m in per_event]
    with open(out_path, "w") as f:
        json.dump({"predictions": predictions}, f)


if __name__ == "__main__":
    main()
