"""Turns a scikit-learn pickle or joblib file into a coupon model file
(schema/coupon_model.schema.json), without scikit-learn: unpickle.py reads the file with an
allow-list, sklearn_reader.py takes the fitted arrays out, and, where a scikit-learn can be run,
the result is checked against the estimator's own predict_proba before anything is written.

Supported: GradientBoostingClassifier (log-loss, binary), RandomForestClassifier and
ExtraTreesClassifier (binary, one output), LogisticRegression (binary), as pickled by scikit-learn
0.24 to 1.x. Predictions in the file are for classes_[1], as predict_proba(X)[:, 1].
"""

import glob
import json
import os
import random
import re
import subprocess
import sys
import tempfile

from . import encoding, evaluate, sklearn_reader, unpickle

FORMAT = "streamhost-coupon-model"
FORMAT_VERSION = 1
TOLERANCE = 1e-9
PROBE_ROWS = 400
REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


class ExportError(ValueError):
    """The file cannot be written as a coupon model file; the message says why."""


def resolve_features(estimator, features=None):
    """The file's feature list (plugin names) and where it came from."""
    if features is not None and estimator.feature_names is not None:
        # The pickle knows its columns: --features may only repeat them, never override them.
        recorded = list(estimator.feature_names)
        ours = [encoding.plugin_feature(n) for n in features]
        theirs = [encoding.plugin_feature(n) for n in recorded]
        if ours != theirs:
            where = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b),
                         min(len(ours), len(theirs)))
            raise ExportError(
                "--features differs from the columns the pickle records: its feature_names_in_ "
                "has %d columns (%s), --features %d (first difference at column %d: %s vs %s); "
                "the pickle's own names decide the order, so drop --features"
                % (len(recorded), ", ".join(recorded), len(features), where,
                   recorded[where] if where < len(recorded) else "none",
                   features[where] if where < len(features) else "none"))
    if features is not None:
        given, source = list(features), "--features"
    elif estimator.feature_names is not None:
        given, source = list(estimator.feature_names), "the pickle's feature_names_in_"
    else:
        given, source = list(encoding.ORIGINAL_ORDER), "default: the original encoder's order"
    mapped = [encoding.plugin_feature(n) for n in given]
    n = estimator.n_features
    if n is not None and n != len(mapped):
        raise ExportError(
            "the estimator was fitted on %d columns but %d feature names come from %s; pass "
            "--features with the %d training columns in order" % (n, len(mapped), source, n))
    model = estimator.model
    if "trees" in model:
        used = max([max(t["feature"]) for t in model["trees"]] + [-1])
        if used >= len(mapped):
            raise ExportError("the trees test column %d but %d feature names come from %s"
                              % (used, len(mapped), source))
    elif len(model["coefficients"]) != len(mapped):
        raise ExportError("the estimator has %d coefficients but %d feature names come from %s"
                          % (len(model["coefficients"]), len(mapped), source))
    return mapped, given, source


def export_file(path, name, version, description="", features=None, sport_matches_sports=False,
                verify_python=None, verify=True, log=None):
    """The model file's content for the fitted estimator in `path` (pickle or joblib), checked
    against scikit-learn when one can be run. Returns (model, verification): verification says
    how the file was checked ({"python", "sklearn_version", "rows", "max_difference"} or
    {"skipped": why})."""
    log = log or (lambda message: None)
    try:
        estimator = sklearn_reader.read(unpickle.load(path))
    except (unpickle.UnpickleError, sklearn_reader.ReadError) as e:
        raise ExportError(str(e)) from None
    except RecursionError:
        raise ExportError("%s: a value in the file is nested too deeply to be part of a fitted "
                          "model" % path) from None
    except MemoryError:
        raise ExportError("%s: reading the model takes more memory than this machine gives"
                          % path) from None
    mapped, given, source = resolve_features(estimator, features)
    try:
        section = encoding.encoding_section(mapped, sport_matches_sports)
    except ValueError as e:
        raise ExportError(str(e)) from None
    library_version = estimator.sklearn_version or "unknown"
    model = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "name": name,
        "version": version,
        "description": description or "%s exported from scikit-learn %s" % (
            estimator.kind, library_version),
        "trained_with": {
            "library": "scikit-learn",
            "library_version": library_version,
            "estimator": estimator.kind,
            "feature_names": given,
            "features_from": source,
        },
        "encoding": section,
        "model": estimator.model,
    }
    model["_summary"] = estimator.summary
    verification = {"skipped": "not asked"}
    if verify:
        verification = _verify(path, estimator, verify_python, log)
    return model, verification


# --- the check against scikit-learn ----------------------------------------------------------

def probe_rows(model, n_features, count=PROBE_ROWS, seed=20261207):
    """Rows that reach every kind of leaf: values at, just below and just above the trees'
    thresholds (where float32 rounding decides the side), and values spread over each column's
    range. Deterministic."""
    rng = random.Random(seed)
    thresholds = [[] for _ in range(n_features)]
    for tree in model.get("trees", []):
        for f, t in zip(tree["feature"], tree["threshold"]):
            if f >= 0 and abs(t) < 1e300:
                thresholds[f].append(t)
    ranges = []
    for column in thresholds:
        if column:
            low, high = min(column), max(column)
            pad = max(1.0, (high - low) * 0.1)
            ranges.append((low - pad, high + pad))
        else:
            ranges.append((-5.0, 50.0))
    rows = []
    for _ in range(count):
        row = []
        for f in range(n_features):
            if thresholds[f] and rng.random() < 0.6:
                t = rng.choice(thresholds[f])
                row.append(t + rng.choice((0.0, 0.0, 1e-7, -1e-7, 1e-3, -1e-3)) * max(1.0, abs(t)))
            else:
                row.append(rng.uniform(*ranges[f]))
        rows.append(row)
    return rows


def _sklearn_version_of(python):
    """The scikit-learn version installed in a virtual environment, from its metadata (nothing is
    run)."""
    root = os.path.dirname(os.path.dirname(python))
    for info in glob.glob(os.path.join(root, "lib", "python*", "site-packages",
                                       "scikit_learn-*.dist-info")):
        return re.sub(r"\.dist-info$", "", os.path.basename(info)).split("-", 1)[1]
    return None


def _pinned_environment(version):
    """The tools/model-venv argument whose environment pins this scikit-learn version, or None."""
    if os.path.exists(os.path.join(REPO, "tools", "requirements-sklearn-%s.txt" % version)):
        return ["sklearn-" + version]
    with open(os.path.join(REPO, "tools", "requirements.txt")) as f:
        if "scikit-learn==%s\n" % version in f.read():
            return []
    return None


def _verifiers(estimator, verify_python, log):
    """Interpreters to check with, best first: the one asked for; a project model environment of
    the pickle's scikit-learn version (made from PyPI when tools/ pins that version); this one."""
    if verify_python:
        yield verify_python
        return
    version = estimator.sklearn_version
    cached = sorted(glob.glob(os.path.join(REPO, ".cache", "model-venv*", "bin", "python")))
    exact = [p for p in cached if version and _sklearn_version_of(p) == version]
    pinned = _pinned_environment(version) if version and not exact else None
    if pinned is not None:
        log("making the scikit-learn %s environment to check the export (tools/model-venv %s, "
            "once)" % (version, " ".join(pinned)))
        made = subprocess.run([os.path.join(REPO, "tools", "model-venv")] + pinned,
                              stdout=subprocess.PIPE, universal_newlines=True)
        if made.returncode == 0:
            exact = [made.stdout.strip()]
    for p in exact:
        yield p
    import importlib.util
    if importlib.util.find_spec("sklearn") is not None:
        yield sys.executable
    for p in cached:
        if p not in exact:
            yield p


def _verify(path, estimator, verify_python, log):
    n = estimator.n_features or (
        len(estimator.model["coefficients"]) if "coefficients" in estimator.model else
        1 + max(max(t["feature"]) for t in estimator.model["trees"]))
    rows = probe_rows(estimator.model, n)
    ours = evaluate.predict(estimator.model, rows)
    failures = []
    with tempfile.TemporaryDirectory(prefix="export-model-") as tmp:
        probes, answer = os.path.join(tmp, "probes.json"), os.path.join(tmp, "answer.json")
        with open(probes, "w") as f:
            json.dump(rows, f)
        for python in _verifiers(estimator, verify_python, log):
            run = subprocess.run(
                [python, os.path.join(os.path.dirname(os.path.abspath(__file__)), "verify.py"),
                 os.path.abspath(path), probes, answer],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
            if run.returncode != 0:
                last = (run.stderr.strip().splitlines() or ["exit %d" % run.returncode])[-1]
                failures.append("%s: %s" % (python, last))
                if verify_python:
                    raise ExportError("cannot check the export with %s: %s" % (python, last))
                continue
            with open(answer) as f:
                theirs = json.load(f)
            if not isinstance(theirs.get("predictions"), list) or (
                    len(theirs["predictions"]) != len(ours)) or not all(
                        isinstance(p, (int, float)) for p in theirs["predictions"]):
                raise ExportError(
                    "cannot check the export with %s: it answered %s predictions for %d probe "
                    "rows; nothing was written" % (python, len(theirs["predictions"]) if isinstance(
                        theirs.get("predictions"), list) else "no", len(rows)))
            worst = max(abs(a - b) for a, b in zip(ours, theirs["predictions"]))
            if not worst <= TOLERANCE:
                raise ExportError(
                    "the export does not reproduce the pickle: on %d probe rows its predictions "
                    "differ from scikit-learn %s's predict_proba by up to %.3g (over %g); nothing "
                    "was written" % (len(rows), theirs["sklearn_version"], worst, TOLERANCE))
            return {"python": python, "sklearn_version": theirs["sklearn_version"],
                    "rows": len(rows), "max_difference": worst}
    why = "no scikit-learn could load the file"
    if failures:
        why += " (" + "; ".join(failures) + ")"
    else:
        why = ("no scikit-learn %s to run here (no --verify-python, none in this Python, no "
               "model environment in .cache)" % (estimator.sklearn_version or ""))
    return {"skipped": why}


def write_model(model, path):
    """Writes the file compactly; floats as Python's shortest round-trip text (exact doubles)."""
    content = {k: v for k, v in model.items() if not k.startswith("_")}
    with open(path, "w", encoding="utf-8") as out:
        json.dump(content, out, separators=(",", ":"), allow_nan=False)
        out.write("\n")


__all__ = ["ExportError", "export_file", "probe_rows", "resolve_features", "write_model"]
