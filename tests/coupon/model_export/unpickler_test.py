"""The exporter's restricted unpickler with the machine's python3 (no numpy, no scikit-learn):
the small pickles of both generations in pickles/ (scikit-learn 0.24.1 on Python 3.8 and 1.9.1,
pickle and joblib) export to files that give their predict_proba; a pickle that names any global
outside the allow-list is refused with the name, before anything it names is called; truncated,
oversized and deeply nested files are refused with an error, not a crash.

    python3 unpickler_test.py
"""

import glob
import io
import json
import math
import os
import pickle
import struct
import sys
import tempfile
import unittest

TOOLS = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                     "tools"))
sys.path.insert(0, TOOLS)

from coupon_model import encoding, evaluate, unpickle  # noqa: E402
from coupon_model.export import ExportError, export_file  # noqa: E402

PICKLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pickles")
KINDS = {"gb": "gradient_boosting", "gb-zero": "gradient_boosting", "rf": "random_forest",
         "lr": "logistic_regression"}


class Reduce:
    """Pickles as a call of func(*args): what an attacker writes."""

    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


class _Global:
    """A GLOBAL opcode naming module.name, written as it is (nothing is imported)."""

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):  # never called: pickle only asks that it could be
        raise AssertionError("a marker is not called")


class _Writer(pickle._Pickler):
    """Pickles the unpickler's holders (Instance, Array, DType) back as the classes they
    stand for, so a test can edit a real model file's content and write it again, without numpy or
    scikit-learn. A holder used twice is written once and referred to (the memo), as pickle does."""

    dispatch = dict(pickle._Pickler.dispatch)
    _globals = {}

    def save_marker(self, obj):
        self.write(pickle.GLOBAL + ("%s\n%s\n" % (obj.module, obj.name)).encode("ascii"))
        self.memoize(obj)

    dispatch[_Global] = save_marker

    @classmethod
    def name(cls, module, name):
        return cls._globals.setdefault((module, name), _Global(module, name))

    def reducer_override(self, obj):
        if isinstance(obj, unpickle.Instance):
            # Random generator states (Opaque) are left out: the export never reads them.
            state = obj.state
            if isinstance(state, dict):
                state = {k: v for k, v in state.items() if not isinstance(v, unpickle.Opaque)}
            return self.name(obj.module, obj.name), obj.args, state
        if isinstance(obj, unpickle.DType):
            names = tuple(obj.names) if obj.names else None
            return (self.name("numpy", "dtype"), (obj.name, False, True),
                    (3, obj.byteorder if obj.fields is None else "|", None, names,
                     dict(obj.fields) if obj.fields else None,
                     obj.itemsize if obj.fields else -1, -1, 0))
        if isinstance(obj, unpickle.Array):
            return (self.name("numpy._core.multiarray", "_frombuffer"),
                    (obj.data, obj.dtype, obj.shape, "F" if obj.fortran else "C"))
        return NotImplemented


def rewrite(obj):
    """The bytes of a pickle of the holders in obj."""
    out = io.BytesIO()
    _Writer(out, protocol=4).dump(obj)
    return out.getvalue()


def object_array(items, shape=None):
    array = unpickle.Array()
    array._set(unpickle.DType("O8"), shape or (len(items),), False, list(items))
    return array


def deep(levels):
    """A valid but deeply nested value: [[[...[0.1]...]]]."""
    value = 0.1
    for _ in range(levels):
        value = [value]
    return value


class BothGenerationsTest(unittest.TestCase):
    def test_every_layout_exports_to_its_predict_proba_without_scikit_learn(self):
        files = sorted(glob.glob(os.path.join(PICKLES, "sklearn-*.pkl"))
                       + glob.glob(os.path.join(PICKLES, "sklearn-*.joblib")))
        versions = {os.path.basename(f).split("-")[1] for f in files}
        self.assertEqual(versions, {"0.24.1", "1.9.1"})
        self.assertEqual(len(files), 16)
        for path in files:
            name = os.path.basename(path)
            base = path.rsplit(".", 1)[0]
            kind = KINDS[name.split("-", 2)[2].rsplit(".", 1)[0]]
            with open(base + ".probe.json") as f:
                probe = json.load(f)
            with self.subTest(file=name):
                model, check = export_file(path, "x", "1", verify=False)
                self.assertEqual(model["model"]["kind"], kind)
                self.assertEqual(model["trained_with"]["library_version"], name.split("-")[1])
                self.assertEqual(model["encoding"]["features"], encoding.ORIGINAL_ORDER)
                if "gb-zero" in name:
                    self.assertEqual(model["model"]["init_log_odds"], 0.0)
                ours = evaluate.predict(model["model"], probe["rows"])
                worst = max(abs(a - b) for a, b in zip(ours, probe["predict_proba"]))
                self.assertLessEqual(worst, 1e-9)

    def test_a_python_that_cannot_load_the_file_cannot_vouch_for_the_export(self):
        import importlib.util
        if importlib.util.find_spec("sklearn") is not None:
            self.skipTest("this python3 has scikit-learn")
        path = os.path.join(PICKLES, "sklearn-1.9.1-gb.pkl")
        with self.assertRaisesRegex(ExportError, "cannot check the export with"):
            export_file(path, "x", "1", verify_python=sys.executable)

    def test_a_feature_count_that_does_not_match_is_refused(self):
        path = os.path.join(PICKLES, "sklearn-0.24.1-gb.pkl")
        with self.assertRaisesRegex(ExportError, "fitted on 21 columns but 3 feature names"):
            export_file(path, "x", "1", features=["age_range", "gender", "category_Men"],
                        verify=False)


class RequiredCheckTest(unittest.TestCase):
    """tools/export-model refuses (exit 3) to write an export no scikit-learn could check, unless
    told --no-check. Run from a copy of tools/ (no .cache beside it) on a pickle of a scikit-learn
    version no environment is pinned for, so that no checker can be found or made."""

    def test_an_unchecked_export_is_refused_unless_asked_for(self):
        import importlib.util
        import shutil
        import subprocess
        if importlib.util.find_spec("sklearn") is not None:
            self.skipTest("this python3 has scikit-learn, which would check the export")
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(TOOLS, os.path.join(tmp, "tools"),
                            ignore=shutil.ignore_patterns("__pycache__"))
            gb = unpickle.load(os.path.join(PICKLES, "sklearn-0.24.1-gb.pkl"))
            gb.state["_sklearn_version"] = "0.24.0"
            path, out = os.path.join(tmp, "old.pkl"), os.path.join(tmp, "m.json")
            with open(path, "wb") as f:
                f.write(rewrite(gb))

            def export(*flags):
                return subprocess.run([sys.executable, os.path.join(tmp, "tools", "export-model"),
                                       path, "-o", out, "--name", "x", "--version", "1"]
                                      + list(flags), stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, universal_newlines=True)

            run = export()
            self.assertEqual(run.returncode, 3, run.stderr)
            self.assertFalse(os.path.exists(out))
            for hint in ("refusing to write", "no scikit-learn could check",
                         "--verify-python PATH", "scikit-learn 0.24.0",
                         "tools/model-venv sklearn-0.24.1", "--no-check"):
                self.assertIn(hint, run.stderr)
            run = export("--no-check")
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertTrue(os.path.exists(out))
            self.assertIn("WARNING: %s was NOT checked" % out, run.stderr)
            self.assertNotIn("checked: ", run.stdout)


class InitClipTest(unittest.TestCase):
    """The init prior is clipped to the epsilon of the scikit-learn that wrote the file, told by
    the loss object's class, not by the attribute holding it: 1.1 and 1.2 keep 0.24's
    _gb_losses.BinomialDeviance (float32 epsilon) under _loss, the name 1.3 on use for
    _loss.HalfBinomialLoss (float64 epsilon)."""

    def export(self, name, edit):
        gb = unpickle.load(os.path.join(PICKLES, name))
        prior = unpickle.Array()
        prior._set(unpickle.DType("f8"), (2,), False, struct.pack("<2d", 1 - 1e-9, 1e-9))
        gb.get("init_").state["class_prior_"] = prior
        edit(gb.state)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "gb.pkl")
            with open(path, "wb") as f:
                f.write(rewrite(gb))
            model, _ = export_file(path, "x", "1", verify=False)
        return model["model"]["init_log_odds"]

    def test_the_loss_class_decides_the_epsilon(self):
        eps32, eps64 = 2.0 ** -23, 2.0 ** -52
        logit = lambda p: math.log(p / (1 - p))  # noqa: E731
        self.assertEqual(self.export("sklearn-0.24.1-gb.pkl", lambda s: None), logit(eps32))
        # 1.1/1.2's layout: the same loss object under _loss.
        self.assertEqual(self.export("sklearn-0.24.1-gb.pkl",
                                     lambda s: s.__setitem__("_loss", s.pop("loss_"))),
                         logit(eps32))
        self.assertEqual(self.export("sklearn-1.9.1-gb.pkl", lambda s: None), logit(1e-9))
        self.assertGreater(1e-9, eps64)
        with self.assertRaisesRegex(ExportError, "cannot tell how its initial prediction is "
                                                 "clipped: the loss object is missing"):
            self.export("sklearn-1.9.1-gb.pkl", lambda s: s.pop("_loss"))


class FeatureNamesTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def named_pickle(self, names):
        """The 1.9.1 logistic regression as if fitted on a DataFrame with these columns."""
        lr = unpickle.load(os.path.join(PICKLES, "sklearn-1.9.1-lr.pkl"))
        lr.state["feature_names_in_"] = object_array(names)
        path = os.path.join(self.dir.name, "named.pkl")
        with open(path, "wb") as f:
            f.write(rewrite(lr))
        return path

    def test_features_may_not_override_the_pickles_names(self):
        columns = [c for c, _ in encoding.ORIGINAL_COLUMNS]
        path = self.named_pickle(list(reversed(columns)))
        model, _ = export_file(path, "x", "1", verify=False)
        self.assertEqual(model["encoding"]["features"], list(reversed(encoding.ORIGINAL_ORDER)))
        # The same columns by other names (plugin or DataFrame) are the same columns.
        model, _ = export_file(path, "x", "1", verify=False,
                               features=list(reversed(encoding.ORIGINAL_ORDER)))
        self.assertEqual(model["encoding"]["features"], list(reversed(encoding.ORIGINAL_ORDER)))
        # Another order is refused, naming what the pickle records and what to do.
        for features in (encoding.ORIGINAL_ORDER, columns, list(reversed(columns))[:20]):
            with self.subTest(features=features[:2]):
                with self.assertRaisesRegex(
                        ExportError, r"(?s)differs from the columns the pickle records: its "
                        r"feature_names_in_ has 21 columns \(category_Women, category_Sports.*"
                        r"drop --features"):
                    export_file(path, "x", "1", verify=False, features=features)


class HostileModelTest(unittest.TestCase):
    """Files that unpickle (every class in them is allowed) but whose content is built to crash or
    exhaust the reader."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def write(self, data):
        path = os.path.join(self.dir.name, "hostile.pkl")
        with open(path, "wb") as f:
            f.write(data)
        return path

    def gb(self):
        return unpickle.load(os.path.join(PICKLES, "sklearn-1.9.1-gb.pkl"))

    def test_deeply_nested_values_are_refused_cleanly(self):
        # A tuple nested 100,000 deep, where a number or a string belongs: valid pickle opcodes
        # (the unpickler builds it iteratively), but a repr or str of it overflows the stack.
        nested = b"G" + struct.pack(">d", 0.1) + b"\x85" * 100000
        placeholder = "@@nested@@"
        for where, pattern in (
                (lambda gb: gb.state.__setitem__("learning_rate", placeholder),
                 r"learning_rate a tuple$"),
                (lambda gb: gb.state.__setitem__("loss", placeholder),
                 r"loss='log_loss' \(or 'deviance'\) can be exported, got a tuple$"),
                (lambda gb: gb.state.__setitem__("init_", placeholder),
                 r"init='zero' can be exported, got a tuple$"),
                (lambda gb: gb.get("estimators_").flat()[1].get("tree_").state.__setitem__(
                    "node_count", placeholder), r"estimators_\[1, 0\]: 7 nodes \(node_count a "
                                              r"tuple\)$"),
                (lambda gb: gb.state.__setitem__("_sklearn_version", placeholder),
                 r"_sklearn_version is a tuple, not a version$")):
            with self.subTest(pattern=pattern):
                gb = self.gb()
                where(gb)
                text = rewrite(gb)
                marker = b"\x8c" + bytes([len(placeholder)]) + placeholder.encode()
                self.assertEqual(text.count(marker), 1)
                path = self.write(text.replace(marker, nested))
                with self.assertRaisesRegex(ExportError, pattern):
                    export_file(path, "x", "1", verify=False)

    def test_recursion_and_memory_errors_while_reading_are_refusals(self):
        from coupon_model import sklearn_reader
        path = os.path.join(PICKLES, "sklearn-1.9.1-gb.pkl")
        real = sklearn_reader.read
        for error, pattern in ((RecursionError, "nested too deeply"),
                               (MemoryError, "more memory than")):
            def failing(obj):
                raise error()
            sklearn_reader.read = failing
            try:
                with self.assertRaisesRegex(ExportError, pattern):
                    export_file(path, "x", "1", verify=False)
            finally:
                sklearn_reader.read = real

    def test_a_tree_reused_as_many_stages_is_refused(self):
        # The pickle's memo makes 10,000 stages of one tree cost a few bytes each; with trees of a
        # million nodes that would be 10^10 nodes to decode.
        for name, make in (
                ("sklearn-1.9.1-gb.pkl",
                 lambda m: object_array([m.get("estimators_").flat()[0]] * 10000, (10000, 1))),
                ("sklearn-0.24.1-rf.pkl",
                 lambda m: [m.get("estimators_")[0]] * 10000)):
            with self.subTest(file=name):
                model = unpickle.load(os.path.join(PICKLES, name))
                model.state["estimators_"] = make(model)
                path = self.write(rewrite(model))
                self.assertLess(os.path.getsize(path), 100000)
                with self.assertRaisesRegex(ExportError,
                                            r"estimators_\[1(, 0)?\] is the same tree object"):
                    export_file(path, "x", "1", verify=False)

    def test_the_node_budget_is_checked_before_any_tree_is_decoded(self):
        from coupon_model import sklearn_reader
        self.assertEqual(sklearn_reader.MAX_TOTAL_NODES, 16777216)
        path = os.path.join(PICKLES, "sklearn-0.24.1-rf.pkl")  # 2 trees, 28 nodes
        decoded = []
        real_fields, real_budget = unpickle.Array.fields, sklearn_reader.MAX_TOTAL_NODES
        unpickle.Array.fields = lambda array: decoded.append(array) or real_fields(array)
        try:
            sklearn_reader.MAX_TOTAL_NODES = 27
            with self.assertRaisesRegex(ExportError, "over 27 nodes in all"):
                export_file(path, "x", "1", verify=False)
            self.assertEqual(decoded, [])
            sklearn_reader.MAX_TOTAL_NODES = 28
            export_file(path, "x", "1", verify=False)
            self.assertEqual(len(decoded), 2)  # each tree's node array decoded once
        finally:
            unpickle.Array.fields = real_fields
            sklearn_reader.MAX_TOTAL_NODES = real_budget


class UnpicklerTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.marker = os.path.join(self.dir.name, "pwned")

    def tearDown(self):
        self.dir.cleanup()

    def write(self, data, name="f.pkl"):
        path = os.path.join(self.dir.name, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def assert_refused(self, data, pattern):
        path = self.write(data)
        with self.assertRaisesRegex(unpickle.UnpickleError, pattern):
            unpickle.load(path)
        with self.assertRaisesRegex(ExportError, pattern):
            export_file(path, "x", "1", verify=False)
        self.assertFalse(os.path.exists(self.marker), "the pickle ran code")

    def test_os_system_is_refused_by_name_and_never_called(self):
        # The same bytes run `touch` under pickle.load; checked here so the test cannot pass
        # because the payload is broken.
        payload = pickle.dumps(Reduce(os.system, ("touch " + self.marker,)), protocol=2)
        self.assert_refused(payload, r"refusing to load (posix|os)\.system")
        pickle.loads(payload)
        self.assertTrue(os.path.exists(self.marker))

    def test_every_protocol_and_other_dangerous_globals_are_refused(self):
        import builtins
        import subprocess
        for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
            for func, args, name in ((builtins.eval, ("1",), r"(__builtin__|builtins)\.eval"),
                                     (subprocess.call, (["true"],), r"(commands|subprocess)\.call"),
                                     (getattr, ("x", "upper"), r"(__builtin__|builtins)\.getattr")):
                with self.subTest(protocol=protocol, func=name):
                    self.assert_refused(pickle.dumps(Reduce(func, args), protocol=protocol), name)

    def test_an_allowed_class_cannot_be_used_to_reach_other_code(self):
        # A holder of an allowed class as the callable of a REDUCE on a disallowed name.
        text = (b"\x80\x04csklearn.tree._tree\nTree\n)\x81}(\x8c\x08__call__cos\nsystem\nub.")
        self.assert_refused(text, r"refusing to load os\.system")

    def test_a_pipeline_is_refused_with_the_way_to_export_its_estimator(self):
        self.assert_refused(b"\x80\x02csklearn.pipeline\nPipeline\n)\x81.",
                            r"sklearn.pipeline.Pipeline: a Pipeline cannot be exported.*"
                            r"pickle pipe\[-1\]")

    def test_a_checker_that_answers_no_predictions_is_an_error(self):
        # A stand-in for a Python with scikit-learn that writes an empty answer.
        fake = os.path.join(self.dir.name, "python")
        with open(fake, "w") as f:
            f.write("#!/bin/sh\necho '{\"sklearn_version\": \"1.9.1\", \"predictions\": []}' "
                    "> \"$4\"\n")
        os.chmod(fake, 0o755)
        with self.assertRaisesRegex(ExportError, r"cannot check the export with .*: it answered 0 "
                                                 r"predictions for 400 probe rows"):
            export_file(os.path.join(PICKLES, "sklearn-1.9.1-gb.pkl"), "x", "1",
                        verify_python=fake)

    def test_a_plain_python_object_is_not_an_estimator(self):
        with self.assertRaisesRegex(ExportError, "holds a dict, not a fitted scikit-learn"):
            export_file(self.write(pickle.dumps({"a": 1}, protocol=4)), "x", "1", verify=False)

    def test_truncated_and_nested_files_fail_cleanly(self):
        deep = b"\x80\x02" + b"(" * 200000 + b"."
        self.assert_refused(deep, "not a readable model pickle")
        self.assert_refused(b"\x80\x04\x95", "not a readable model pickle")
        self.assert_refused(b"not a pickle", "not a pickle of protocol 2")

    def test_size_limits(self):
        path = self.write(b"\x80\x02" + b"N" * 1000)
        with self.assertRaisesRegex(unpickle.UnpickleError, "over 100 bytes"):
            unpickle.load(path, limit=100)
        import zlib
        bomb = self.write(zlib.compress(b"\x80\x02" + b"N" * 100000))
        with self.assertRaisesRegex(unpickle.UnpickleError, "decompressed file is over"):
            unpickle.load(bomb, limit=1000)


if __name__ == "__main__":
    unittest.main(verbosity=2)
