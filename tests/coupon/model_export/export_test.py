"""The exporter's test with today's scikit-learn: trains small models of every exportable kind on
the generated data set (on plain arrays, and on DataFrames with the plugin's or the original
encoder's column names), pickles each with pickle and joblib, exports the pickle with
tools/export-model and no flags under the machine's python3 (no scikit-learn there: the export
reads the pickle itself, then checks it against this environment's scikit-learn), requires the
joblib file to export the same, and writes scikit-learn's predict_proba[:, 1] for every customer x coupon
the plugin scores (1,582 customers x 4,174 department coupons, ~6.6 M rows per model) for the C++
equality test (model_equality_test.cpp) to compare the plugin's evaluator with.

Labels are synthetic (the data set has no outcomes) but deterministic: see dataset.synthetic_labels.
Also checks here, without the C++ side: the exporter's files evaluated by a plain numpy reading of
the format give predict_proba, the vectorised encoding equals encode_row, and what the exporter
refuses.

    export_test.py --datagen build/bin/streamhost-datagen --out DIR
"""

import argparse
import json
import os
import pickle
import shutil
import subprocess
import sys
import time
import unittest
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tools"))

import joblib  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from coupon_model import ExportError, dataset, encoding, export_file  # noqa: E402

ARGS = None
CUSTOMERS_PER_CHUNK = 100
TRAINING_ROWS = 20000


def timed(label, fn):
    start = time.time()
    result = fn()
    print("export_test: %-44s %6.1f s" % (label, time.time() - start), flush=True)
    return result


def with_missing_values(source, target):
    """A copy of the data set whose customer_info has NULLs and an unlisted code, so the plugin's
    missing-value handling is compared with a forest trained on missing values."""
    os.makedirs(target, exist_ok=True)
    for name in ("coupon_info.csv", "coupon_categories.csv"):
        shutil.copy(os.path.join(source, name), os.path.join(target, name))
    with open(os.path.join(source, "customer_info.csv")) as f:
        lines = f.read().splitlines()
    header = lines[0].split(",")
    out = [lines[0]]
    for n, line in enumerate(lines[1:], start=1):
        fields = line.split(",")
        if n % 9 == 0:
            fields[header.index("marital_status")] = ""
        if n % 13 == 0:
            fields[header.index("no_of_children")] = ""
        if n % 17 == 0:
            fields[header.index("age_range")] = "17-"  # not one of the codes: missing too
        if n % 19 == 0:
            fields[header.index("total_coupons_used_by_cust")] = ""
        out.append(",".join(fields))
    with open(os.path.join(target, "customer_info.csv"), "w") as f:
        f.write("\n".join(out) + "\n")


# name -> (estimator factory, training columns (None: the original encoder's order, which the
#          export assumes when the file names none), sport_matches_sports, data variant,
#          column names: None (a plain array), "plugin" or "original" (a DataFrame with the plugin's
#          or the original encoder's names))
def model_specs():
    # A permuted subset of the columns, to check that the plugin follows the file's order.
    shuffled = [encoding.FEATURES[i] for i in
                (15, 3, 20, 14, 0, 12, 6, 17, 9, 1, 19, 5, 16, 11, 18, 2)]
    return {
        "gradient_boosting": (
            lambda: GradientBoostingClassifier(n_estimators=40, max_depth=5, learning_rate=0.2,
                                               subsample=0.8, random_state=1),
            None, False, "data", None),
        "gradient_boosting_sports": (
            lambda: GradientBoostingClassifier(n_estimators=25, max_depth=6, random_state=3),
            shuffled, True, "data", "plugin"),
        "gradient_boosting_original_names": (
            lambda: GradientBoostingClassifier(n_estimators=20, max_depth=4, init="zero",
                                               random_state=5),
            None, False, "data", "original"),
        "random_forest": (
            lambda: RandomForestClassifier(n_estimators=15, max_depth=12, min_samples_leaf=3,
                                           random_state=2, n_jobs=1),
            None, False, "data", None),
        "random_forest_missing": (
            lambda: RandomForestClassifier(n_estimators=10, max_depth=10, random_state=4, n_jobs=1),
            None, False, "data-missing", "plugin"),
        "logistic_regression": (
            lambda: LogisticRegression(max_iter=300), None, False, "data", None),
    }


def frame(X, feats, names):
    if names is None:
        return X
    if names == "original":
        original = {plugin: column for column, plugin in encoding.ORIGINAL_COLUMNS}
        return pd.DataFrame(X, columns=[original[f] for f in feats])
    return pd.DataFrame(X, columns=feats)


def export_with_the_cli(path, out, name, sports=False):
    """tools/export-model with no flags (but the one the pickle cannot say: how 'Sport' was
    encoded), under the machine's python3 (outside this venv)."""
    system_python = shutil.which("python3")
    run = subprocess.run([system_python, os.path.join(REPO, "tools", "export-model"), path,
                          "-o", out, "--name", name, "--version", "0.0.1"]
                         + (["--sport-matches-sports"] if sports else []),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    if run.returncode != 0 or "checked: " not in run.stdout:
        raise AssertionError("export of %s failed or was not checked:\n%s" % (path, run.stdout))
    with open(out) as f:
        return json.load(f)


def reference_predict(model, X):
    """predict_proba[:, 1] from the exported file alone: a direct reading of the format."""
    m = model["model"]
    if m["kind"] == "logistic_regression":
        logit = X @ np.array(m["coefficients"]) + m["intercept"]
        return 1.0 / (1.0 + np.exp(-logit))
    X32 = X.astype(np.float32)
    total = np.full(len(X), m.get("init_log_odds", 0.0))
    for tree in m["trees"]:
        left, right = np.array(tree["children_left"]), np.array(tree["children_right"])
        feature, threshold = np.array(tree["feature"]), np.array(tree["threshold"])
        largest = np.finfo(np.float64).max
        threshold = np.where(threshold == largest, np.inf,
                             np.where(threshold == -largest, -np.inf, threshold))
        value = np.array(tree["value"])
        missing = np.array(tree.get("missing_go_to_left", [0] * len(left)))
        node = np.zeros(len(X), dtype=np.int64)
        while True:
            inner = left[node] != -1
            if not inner.any():
                break
            x = X32[np.arange(len(X)), np.where(inner, feature[node], 0)].astype(np.float64)
            go_left = np.where(np.isnan(x), missing[node] == 1, x <= threshold[node])
            node = np.where(inner, np.where(go_left, left[node], right[node]), node)
        leaf = value[node]
        total = total + (m["learning_rate"] * leaf if m["kind"] == "gradient_boosting" else leaf)
    if m["kind"] == "gradient_boosting":
        return 1.0 / (1.0 + np.exp(-total))
    return total / len(m["trees"])


class ExportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        out = ARGS.out
        os.makedirs(out, exist_ok=True)
        data = os.path.join(out, "data")
        timed("generate the data set (streamhost-datagen)",
              lambda: subprocess.run([ARGS.datagen, "--out", data, "--seed", "42"], check=True,
                                     stdout=subprocess.DEVNULL))
        with_missing_values(data, os.path.join(out, "data-missing"))
        cls.datasets = {v: dataset.Dataset(os.path.join(out, v)) for v in ("data", "data-missing")}
        cls.models = {}
        manifest = {"models": []}
        for name, (make, features, sports, variant, names) in model_specs().items():
            ds = cls.datasets[variant]
            feats = list(encoding.ORIGINAL_ORDER if features is None else features)
            X, y = dataset.training_set(ds, TRAINING_ROWS, seed=11, features=feats,
                                        sport_matches_sports=sports)
            estimator = make()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                timed("train %s" % name, lambda: estimator.fit(frame(X, feats, names), y))
            pickled, dumped = os.path.join(out, name + ".pkl"), os.path.join(out, name + ".joblib")
            with open(pickled, "wb") as f:
                pickle.dump(estimator, f)
            joblib.dump(estimator, dumped)
            model = timed("export %s (pickle)" % name, lambda: export_with_the_cli(
                pickled, pickled + ".json", "test-" + name, sports))
            # The joblib file in process, unchecked (the CLI's check ran on the same estimator).
            from_joblib, _ = export_file(dumped, "test-" + name, "0.0.1",
                                         sport_matches_sports=sports, verify=False)
            from_joblib.pop("_summary")
            if model != json.loads(json.dumps(from_joblib)):
                raise AssertionError("%s: the pickle and the joblib file export differently" % name)
            path = pickled + ".json"
            expected = os.path.join(out, name + ".expected.f64")

            def predict_all():
                count = 0
                with open(expected, "wb") as f:
                    for start in range(0, len(ds.customers), CUSTOMERS_PER_CHUNK):
                        rows = ds.rows(slice(start, start + CUSTOMERS_PER_CHUNK), feats, sports)
                        p = estimator.predict_proba(frame(rows, feats, names))[:, 1].astype("<f8")
                        f.write(p.tobytes())
                        count += len(p)
                return count

            count = timed("predict_proba %s, every pair" % name, predict_all)
            manifest["models"].append({"name": name, "model": path, "expected": expected,
                                       "data": os.path.join(out, variant), "count": count})
            cls.models[name] = (estimator, model, feats, sports, ds, names)
        with open(os.path.join(out, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=1)

    def test_every_pair_was_written(self):
        with open(os.path.join(ARGS.out, "manifest.json")) as f:
            manifest = json.load(f)
        self.assertEqual(len(manifest["models"]), len(model_specs()))
        for m in manifest["models"]:
            ds = self.datasets[os.path.basename(m["data"])]
            self.assertEqual(m["count"], ds.pair_count())
            self.assertEqual(os.path.getsize(m["expected"]), 8 * m["count"])
        # 1,582 customers x the departments' coupons: the plugin's whole scoring space.
        self.assertEqual(len(self.datasets["data"].customers), 1582)

    def test_the_file_alone_reproduces_predict_proba(self):
        rng = np.random.RandomState(5)
        for name, (estimator, model, feats, sports, ds, names) in self.models.items():
            picks = rng.choice(len(ds.customers), size=8, replace=False)
            rows = np.vstack([ds.rows(slice(i, i + 1), feats, sports) for i in picks])
            with self.subTest(model=name):
                np.testing.assert_allclose(reference_predict(model, rows),
                                           estimator.predict_proba(frame(rows, feats, names))[:, 1],
                                           rtol=0, atol=1e-12)

    def test_files_declare_the_original_encoding(self):
        for name, (_, model, feats, sports, _, names) in self.models.items():
            with self.subTest(model=name):
                self.assertEqual(model["format"], "streamhost-coupon-model")
                self.assertEqual(model["encoding"]["features"], feats)
                self.assertEqual(model["trained_with"]["features_from"],
                                 "default: the original encoder's order" if names is None
                                 else "the pickle's feature_names_in_")
                self.assertEqual(model["encoding"]["age_range"], encoding.AGE_RANGES)
                self.assertEqual(model["encoding"]["item_category"],
                                 ["Boys", "Girls", "Men", "Sports", "Women"])
                self.assertEqual(model["encoding"]["sport_matches_sports"], sports)
        trees = self.models["random_forest_missing"][1]["model"]["trees"]
        self.assertTrue(all("missing_go_to_left" in t for t in trees))

    def test_vectorised_rows_equal_encode_row(self):
        ds = self.datasets["data-missing"]
        for sports in (False, True):
            rows = ds.rows(slice(8, 10), encoding.FEATURES, sports)
            flat = [(c, k) for c in ds.customers[8:10] for cat in dataset.CATEGORIES
                    for k in ds.catalog[cat]]
            for r, (customer, coupon) in zip(rows[::97], flat[::97]):
                np.testing.assert_array_equal(
                    r, encoding.encode_row(customer, coupon, sport_matches_sports=sports))
        sport = ds.catalog["Sport"][0]
        self.assertEqual(encoding.encode_row(ds.customers[0], sport)[16:], [0.0] * 5)
        self.assertEqual(encoding.encode_row(ds.customers[0], sport, sport_matches_sports=True)[16:],
                         [0.0, 0.0, 0.0, 1.0, 0.0])

    def refused(self, estimator, pattern, **kwargs):
        path = os.path.join(ARGS.out, "refused.pkl")
        with open(path, "wb") as f:
            pickle.dump(estimator, f)
        with self.assertRaisesRegex(ExportError, pattern):
            export_file(path, "x", "1", verify=False, **kwargs)

    def test_the_exporter_refuses_what_the_plugin_cannot_score(self):
        X, y = dataset.training_set(self.datasets["data"], 600, seed=3,
                                    features=encoding.ORIGINAL_ORDER)
        three = np.where(y == 1, 2, np.arange(len(y)) % 2)
        self.refused(RandomForestClassifier(n_estimators=2, random_state=0).fit(X, three),
                     "only binary")
        self.refused(GradientBoostingClassifier(), "not fitted")
        self.refused(LinearSVC().fit(X[:, :3], y),
                     "refusing to load sklearn.svm._classes.LinearSVC")
        self.refused(LogisticRegression().fit(X[:, :3], y),
                     "fitted on 3 columns but 21 feature names come from default")
        self.refused(LogisticRegression().fit(X[:, :1], y), "cannot encode: customer.shoe_size",
                     features=["customer.shoe_size"])
        self.refused(GradientBoostingClassifier(loss="exponential", n_estimators=2).fit(X, y),
                     "loss='log_loss'")

    def test_the_original_encoders_column_names_map_to_the_plugins(self):
        """A model fitted on the original service's DataFrame: every column name maps to the
        plugin feature prediction-service-api.md gives it, in the frame's order, whatever it is."""
        X, y = dataset.training_set(self.datasets["data"], 600, seed=3,
                                    features=encoding.ORIGINAL_ORDER)
        columns = [c for c, _ in encoding.ORIGINAL_COLUMNS]
        order = list(reversed(range(21)))
        fitted = LogisticRegression(max_iter=50).fit(
            pd.DataFrame(X[:, order], columns=[columns[i] for i in order]), y)
        path = os.path.join(ARGS.out, "original-names.joblib")
        joblib.dump(fitted, path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model, check = export_file(path, "x", "1")
        self.assertEqual(model["encoding"]["features"],
                         [encoding.ORIGINAL_ORDER[i] for i in order])
        self.assertEqual(model["trained_with"]["feature_names"], [columns[i] for i in order])
        self.assertLessEqual(check["max_difference"], 1e-9)
        self.assertEqual(dict(encoding.ORIGINAL_COLUMNS), {
            "age_range": "customer.age_range", "marital_status": "customer.marital_status",
            "family_size": "customer.family_size", "no_of_children": "customer.no_of_children",
            "income_bracket": "customer.income_bracket", "gender": "customer.gender",
            "mean_discount_per_cust": "customer.mean_discount_used",
            "unique_items_per_cust": "customer.total_unique_items_bought",
            "mean_quantity_per_cust": "customer.mean_quantity_bought",
            "mean_selling_price_per_cust": "customer.mean_selling_price_paid",
            "total_discount_per_cust": "customer.total_discount_used",
            "total_coupons_used_per_cust": "customer.total_coupons_redeemed",
            "total_quantity_per_cust": "customer.total_quantity_bought",
            "total_selling_price_per_cust": "customer.total_price_paid",
            "coupon_discount": "coupons[].coupon_discount",
            "item_selling_price": "coupons[].item_selling_price",
            "category_Boys": "coupons[].item_category=Boys",
            "category_Girls": "coupons[].item_category=Girls",
            "category_Men": "coupons[].item_category=Men",
            "category_Sports": "coupons[].item_category=Sports",
            "category_Women": "coupons[].item_category=Women"})

    def test_an_export_that_differs_from_predict_proba_is_refused(self):
        """The check against predict_proba is what stands between a misread pickle and a wrong
        model in production: with the exporter's own scores shifted by 2e-9 it refuses."""
        X, y = dataset.training_set(self.datasets["data"], 600, seed=3,
                                    features=encoding.ORIGINAL_ORDER)
        gb = GradientBoostingClassifier(n_estimators=3, max_depth=2, random_state=0).fit(X, y)
        path = os.path.join(ARGS.out, "tampered.pkl")
        with open(path, "wb") as f:
            pickle.dump(gb, f)
        from coupon_model import export as export_module
        real = export_module.evaluate.predict
        try:
            export_module.evaluate.predict = lambda m, rows: [p + 2e-9 for p in real(m, rows)]
            with self.assertRaisesRegex(ExportError, "does not reproduce the pickle"):
                export_file(path, "x", "1")
        finally:
            export_module.evaluate.predict = real
        model, check = export_file(path, "x", "1")
        self.assertLessEqual(check["max_difference"], 1e-9)


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--datagen", required=True, help="the streamhost-datagen binary")
    parser.add_argument("--out", required=True, help="folder for the data, models and expectations")
    ARGS, rest = parser.parse_known_args()
    start = time.time()
    result = unittest.main(argv=[sys.argv[0]] + rest, exit=False, verbosity=2).result
    print("export_test: total %.1f s" % (time.time() - start))
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
