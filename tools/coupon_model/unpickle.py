"""A restricted unpickler for scikit-learn model files: no scikit-learn, no numpy, no code run.

A pickle is a program: its GLOBAL opcodes name any importable callable and REDUCE calls it, so
loading an untrusted file with ``pickle.load`` runs whatever it names. Here ``find_class`` answers
only the names of ``ALLOWED`` (the estimator, tree, loss and numpy classes a fitted model of a
supported kind is made of) with plain data holders of this module, and refuses every other name
with an error naming it. Nothing from the file is ever imported or called.

numpy arrays (pickled by numpy 1.x and 2.x, protocols 2 to 5, and joblib's NumpyArrayWrapper
whose bytes follow the pickle stream) become ``Array``: a dtype, a shape and the raw bytes,
decoded with ``struct`` on demand.
"""

import bz2
import io
import lzma
import pickle
import reprlib
import struct
import zlib

# Bounds for a file from outside: the original's 191-tree model is about 150 MB as a pickle.
MAX_FILE_BYTES = 2 << 30
MAX_ARRAY_ELEMENTS = 1 << 25
MAX_DIMENSIONS = 8


class UnpickleError(ValueError):
    """The file is not a pickle of a supported model; the message says why."""


_SHOWN = reprlib.Repr()
_SHOWN.maxstring = _SHOWN.maxother = 40


def _shown(value):
    """A value from the file as a message may show it: a short repr of a scalar or string, else
    its type (a repr of the file's own structure can be huge, or deep enough to overflow)."""
    if isinstance(value, (bool, int, float, str, bytes, type(None))):
        return _SHOWN.repr(value)
    return "a " + type(value).__name__


class Instance:
    """A pickled Python object of an allowed class: its class name and its state."""

    def __init__(self, module, name, args=()):
        self.module, self.name, self.args = module, name, tuple(args)
        self.state = {}

    def __setstate__(self, state):
        # Cython classes (Tree, the loss classes) pickle a dict too; some a (dict, slots) pair.
        if isinstance(state, tuple) and len(state) == 2 and isinstance(state[1], dict):
            state = dict(state[0] or {}, **state[1])
        self.state = state

    def get(self, key, default=None):
        return self.state.get(key, default) if isinstance(self.state, dict) else default

    def __repr__(self):
        return "%s.%s" % (self.module, self.name)


class _Class:
    """What ``find_class`` returns for an allowed class: calling it makes an ``Instance``."""

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):
        return Instance(self.module, self.name, args)

    # NEWOBJ calls cls.__new__(cls, *args).
    def __new_instance__(self, *args):
        return Instance(self.module, self.name, args)


class Opaque:
    """Parts of an estimator the export never reads (random generator states): kept, not used."""

    def __init__(self, *args):
        self.args = args

    def __setstate__(self, state):
        self.state = state


# --- numpy -----------------------------------------------------------------------------------

_SCALAR_CODES = {  # (kind, itemsize) -> struct code
    ("f", 8): "d", ("f", 4): "f", ("f", 2): "e",
    ("i", 8): "q", ("i", 4): "i", ("i", 2): "h", ("i", 1): "b",
    ("u", 8): "Q", ("u", 4): "I", ("u", 2): "H", ("u", 1): "B",
    ("b", 1): "?",
}
_TYPESTR = {  # numpy's dtype names as pickles spell them -> (kind, itemsize)
    "f8": ("f", 8), "f4": ("f", 4), "f2": ("f", 2),
    "i8": ("i", 8), "i4": ("i", 4), "i2": ("i", 2), "i1": ("i", 1),
    "u8": ("u", 8), "u4": ("u", 4), "u2": ("u", 2), "u1": ("u", 1),
    "b1": ("b", 1), "O8": ("O", 8), "O4": ("O", 4),
}


class DType:
    """numpy.dtype as its pickle gives it: a scalar type, or a record with named fields."""

    def __init__(self, name="f8", align=False, copy=True):
        self.name = name
        self.byteorder = "<"
        self.fields = None  # name -> (DType, offset)
        self.names = None
        self.itemsize = None
        if isinstance(name, str) and name in _TYPESTR:
            self.kind, self.itemsize = _TYPESTR[name]
        elif isinstance(name, str) and name[:1] in ("V", "U", "S") and name[1:].isdigit():
            self.kind, self.itemsize = name[0], int(name[1:])
        else:
            raise UnpickleError("numpy dtype %s is not one a supported model holds" % _shown(name))

    def __setstate__(self, state):
        if not isinstance(state, tuple) or len(state) < 8 or state[0] not in (3, 4):
            raise UnpickleError("unknown numpy dtype state (%s)" % _shown(state))
        self.byteorder = {"|": "<", "=": "<"}.get(state[1], state[1])
        if state[2] is not None:
            raise UnpickleError("numpy sub-array dtypes are not supported")
        if state[3] is not None:
            self.names = list(state[3])
            self.fields = {n: (state[4][n][0], state[4][n][1]) for n in self.names}
        if state[5] not in (-1, None) and state[5] > 0:
            self.itemsize = state[5]

    def struct_format(self):
        """The struct format of one element (fields in offset order, padding as 'x')."""
        if self.fields is None:
            code = _SCALAR_CODES.get((self.kind, self.itemsize))
            if code is None:
                raise UnpickleError("numpy dtype %s cannot be decoded" % self.name)
            return self.byteorder + code
        parts, position = [], 0
        for name in sorted(self.names, key=lambda n: self.fields[n][1]):
            dtype, offset = self.fields[name]
            if offset < position:
                raise UnpickleError("overlapping numpy record fields")
            parts.append("x" * (offset - position))
            code = dtype.struct_format()[1:]
            parts.append(code)
            position = offset + struct.calcsize("<" + code)
        parts.append("x" * (self.itemsize - position))
        return self.byteorder + "".join(parts)


class Array:
    """A numpy array: dtype, shape, C or Fortran order, and raw bytes (or a list of objects)."""

    def __init__(self, *args):
        self.dtype, self.shape, self.fortran, self.data = None, (), False, b""

    def __setstate__(self, state):
        if not isinstance(state, tuple) or len(state) != 5:
            raise UnpickleError("unknown numpy array state")
        _, shape, dtype, fortran, data = state
        self._set(dtype, shape, fortran, data)

    def _set(self, dtype, shape, fortran, data):
        if not isinstance(dtype, DType):
            raise UnpickleError("numpy array without a dtype")
        if not isinstance(shape, tuple) or len(shape) > MAX_DIMENSIONS or not all(
                isinstance(n, int) and n >= 0 for n in shape):
            raise UnpickleError("numpy array of shape %s" % (
                shape if isinstance(shape, tuple) and len(shape) <= MAX_DIMENSIONS and all(
                    isinstance(n, int) for n in shape) else _shown(shape)))
        count = 1
        for n in shape:
            count *= int(n)
        if count > MAX_ARRAY_ELEMENTS:
            raise UnpickleError("a numpy array of %d elements is over the limit" % count)
        self.dtype, self.shape, self.fortran = dtype, tuple(int(n) for n in shape), bool(fortran)
        if dtype.kind == "O":
            if not isinstance(data, list) or len(data) != count:
                raise UnpickleError("numpy object array with %s items for shape %s"
                                    % (len(data) if isinstance(data, list) else "no", shape))
            self.data = data
        else:
            data = bytes(data)
            if len(data) != count * dtype.itemsize:
                raise UnpickleError("numpy array of shape %s has %d bytes, expected %d"
                                    % (shape, len(data), count * dtype.itemsize))
            self.data = data

    def size(self):
        count = 1
        for n in self.shape:
            count *= n
        return count

    def flat(self):
        """Elements in C order (records as tuples in the dtype's field order by offset)."""
        if self.dtype.kind == "O":
            items = list(self.data)
        elif self.dtype.kind == "U":
            n = self.dtype.itemsize // 4
            codec = "utf-32-le" if self.dtype.byteorder == "<" else "utf-32-be"
            items = [self.data[i:i + 4 * n].decode(codec).rstrip("\0")
                     for i in range(0, len(self.data), 4 * n)]
        elif self.dtype.fields is None:
            items = list(struct.unpack(self.dtype.byteorder + "%d%s" % (
                self.size(), self.dtype.struct_format()[1:]), self.data))
        else:
            items = list(struct.iter_unpack(self.dtype.struct_format(), self.data))
        if self.fortran and len(self.shape) > 1:
            items = _fortran_to_c(items, self.shape)
        return items

    def fields(self):
        """Every field of a record array, flattened, from one decoding of its bytes: {name: list};
        None when the dtype is not a record."""
        if self.dtype.fields is None:
            return None
        order = sorted(self.dtype.names, key=lambda n: self.dtype.fields[n][1])
        records = self.flat()
        columns = {name: [record[i] for record in records] for i, name in enumerate(order)}
        del records
        return columns

    def field(self, name):
        """One field of a record array, flattened; None when the dtype has no such field."""
        if self.dtype.fields is None or name not in self.dtype.fields:
            return None
        return self.fields()[name]

    def rows(self):
        """A 2-D array as a list of rows."""
        if len(self.shape) != 2:
            raise UnpickleError("expected a 2-D array, got shape %s" % (self.shape,))
        items = self.flat()
        n = self.shape[1]
        return [items[i * n:(i + 1) * n] for i in range(self.shape[0])]


def _fortran_to_c(items, shape):
    # Element (i0, i1, ...) sits at i0 + s0 * (i1 + s1 * ...) in Fortran order.
    out = []

    def walk(prefix, depth):
        if depth == len(shape):
            index, stride = 0, 1
            for i, n in zip(prefix, shape):
                index += i * stride
                stride *= n
            out.append(items[index])
            return
        for i in range(shape[depth]):
            walk(prefix + [i], depth + 1)

    walk([], 0)
    return out


def _reconstruct(cls, shape, typecode):
    if not (isinstance(cls, type) and issubclass(cls, Array)):
        raise UnpickleError("numpy _reconstruct of something other than an ndarray")
    return Array()


def _frombuffer(buffer, dtype, shape, order):
    array = Array()
    array._set(dtype, shape, order == "F", buffer)
    return array


def _scalar(dtype, data=None):
    array = Array()
    array._set(dtype, (), False, data if dtype.kind != "O" else [data])
    return array.flat()[0]


def _latin1_encode(text, encoding="latin1"):
    # Protocol 2 writes Python 3 bytes as _codecs.encode(text, 'latin1'): only that is allowed.
    if encoding not in ("latin1", "latin-1") or not isinstance(text, str):
        raise UnpickleError("_codecs.encode is only allowed for latin1 bytes")
    return text.encode("latin1")


class ArrayWrapper(Instance):
    """joblib's NumpyArrayWrapper: the array's bytes follow in the stream, read at BUILD time."""


# --- the allow-list --------------------------------------------------------------------------

_NUMPY_CORE = ("numpy.core.multiarray", "numpy._core.multiarray", "numpy.core.numeric",
               "numpy._core.numeric")
_SKLEARN_CLASSES = {
    # module (0.24 to 1.x) -> class names the export may meet
    "sklearn.ensemble._gb": {"GradientBoostingClassifier"},
    "sklearn.ensemble._forest": {"RandomForestClassifier", "ExtraTreesClassifier"},
    "sklearn.linear_model._logistic": {"LogisticRegression"},
    "sklearn.tree._classes": {"DecisionTreeRegressor", "DecisionTreeClassifier",
                              "ExtraTreeRegressor", "ExtraTreeClassifier"},
    "sklearn.tree._tree": {"Tree"},
    "sklearn.dummy": {"DummyClassifier"},
    # GradientBoostingClassifier's loss_ up to 1.2 (read: refused unless binomial deviance)
    "sklearn.ensemble._gb_losses": {"BinomialDeviance", "ExponentialLoss", "MultinomialDeviance"},
    # and from 1.3 on (its _loss)
    "sklearn._loss.loss": {"HalfBinomialLoss", "ExponentialLoss", "HalfMultinomialLoss"},
    "sklearn._loss.link": {"Interval", "LogitLink", "MultinomialLogit", "HalfLogitLink",
                           "IdentityLink"},
    "sklearn._loss._loss": {"CyHalfBinomialLoss", "CyExponentialLoss", "CyHalfMultinomialLoss",
                            "__pyx_unpickle_CyHalfBinomialLoss",
                            "__pyx_unpickle_CyExponentialLoss",
                            "__pyx_unpickle_CyHalfMultinomialLoss"},
}
_OPAQUE = {
    # numpy's random generator states (GradientBoostingClassifier._rng): never read.
    ("numpy.random._pickle", "__randomstate_ctor"), ("numpy.random._pickle", "__generator_ctor"),
    ("numpy.random._pickle", "__bit_generator_ctor"), ("numpy.random", "__RandomState_ctor"),
    ("numpy.random._mt19937", "MT19937"), ("numpy.random._pcg64", "PCG64"),
    ("numpy.random.bit_generator", "SeedSequence"),
    ("numpy.random.bit_generator", "__pyx_unpickle_SeedSequence"),
    ("numpy.random.mtrand", "RandomState"),
}


def _allowed(module, name):
    if module in ("numpy", "numpy.core.multiarray", "numpy._core.multiarray") and name == "ndarray":
        return Array
    if module == "numpy" and name == "dtype":
        return DType
    if module in _NUMPY_CORE and name == "_reconstruct":
        return _reconstruct
    if module in _NUMPY_CORE and name == "scalar":
        return _scalar
    if module in _NUMPY_CORE and name == "_frombuffer":
        return _frombuffer
    if module in ("_codecs", "codecs") and name == "encode":
        return _latin1_encode
    if module == "joblib.numpy_pickle" and name == "NumpyArrayWrapper":
        return _WRAPPER
    if (module, name) in _OPAQUE:
        return Opaque
    if name in _SKLEARN_CLASSES.get(module, ()):
        return _Class(module, name)
    return None


class _WrapperClass(_Class):
    def __call__(self, *args):
        return ArrayWrapper(self.module, self.name, args)

    __new_instance__ = __call__


_WRAPPER = _WrapperClass("joblib.numpy_pickle", "NumpyArrayWrapper")


class _Unpickler(pickle._Unpickler):
    """The pure-Python unpickler (iterative: a deep file cannot overflow the C stack) with every
    lookup of a name answered by the allow-list."""

    dispatch = dict(pickle._Unpickler.dispatch)

    def __init__(self, stream):
        super().__init__(stream)
        self.stream = stream

    def find_class(self, module, name):
        found = _allowed(module, name)
        if found is None and module == "sklearn.pipeline" and name == "Pipeline":
            raise UnpickleError(
                "refusing to load sklearn.pipeline.Pipeline: a Pipeline cannot be exported, only "
                "its final estimator; pickle pipe[-1] (pipe.steps[-1][1]) instead, if the steps "
                "before it leave the plugin's columns as they are (the plugin does not run them)")
        if found is None:
            raise UnpickleError(
                "refusing to load %s.%s: the file holds an object that is not part of a supported "
                "model (GradientBoostingClassifier, RandomForestClassifier, ExtraTreesClassifier, "
                "LogisticRegression)" % (module, name))
        return found

    def persistent_load(self, pid):
        raise UnpickleError("the pickle refers to external objects (persistent ids)")

    def load_newobj(self):
        args = self.stack.pop()
        cls = self.stack.pop()
        self.append(_new(cls, args))

    def load_newobj_ex(self):
        kwargs = self.stack.pop()
        args = self.stack.pop()
        cls = self.stack.pop()
        if kwargs:
            raise UnpickleError("NEWOBJ_EX with keyword arguments")
        self.append(_new(cls, args))

    def load_reduce(self):
        args = self.stack.pop()
        func = self.stack[-1]
        if not _is_allowed_callable(func):
            raise UnpickleError("the pickle calls %s, which is not allowed" % (
                func if isinstance(func, Instance) else _shown(func)))
        self.stack[-1] = func(*args)

    def load_build(self):
        state = self.stack.pop()
        inst = self.stack[-1]
        if not isinstance(inst, (Instance, Array, DType, Opaque)):
            raise UnpickleError("the pickle sets the state of a %s" % type(inst).__name__)
        inst.__setstate__(state)
        if isinstance(inst, ArrayWrapper):
            self.stack[-1] = _read_wrapped_array(inst, self)

    def load_inst(self):
        raise UnpickleError("protocol 0 INST opcodes are not supported")

    def load_obj(self):
        raise UnpickleError("protocol 1 OBJ opcodes are not supported")

    dispatch[pickle.NEWOBJ[0]] = load_newobj
    dispatch[pickle.NEWOBJ_EX[0]] = load_newobj_ex
    dispatch[pickle.REDUCE[0]] = load_reduce
    dispatch[pickle.BUILD[0]] = load_build
    dispatch[pickle.INST[0]] = load_inst
    dispatch[pickle.OBJ[0]] = load_obj


def _is_allowed_callable(func):
    return (func in (Array, DType, Opaque, _reconstruct, _scalar, _frombuffer, _latin1_encode)
            or isinstance(func, _Class))


def _new(cls, args):
    if isinstance(cls, _Class):
        return cls.__new_instance__(*args)
    if cls in (Array, DType, Opaque):
        return cls(*args)
    raise UnpickleError("the pickle creates %s, which is not allowed" % (
        cls if isinstance(cls, Instance) else _shown(cls)))


def _read_wrapped_array(wrapper, unpickler):
    """joblib.numpy_pickle.NumpyArrayWrapper.read_array: the bytes (or, for an object array, a
    nested pickle) follow the wrapper's BUILD in the file."""
    state = wrapper.state
    dtype, shape, order = state.get("dtype"), tuple(state.get("shape", ())), state.get("order", "C")
    if not isinstance(dtype, DType):
        raise UnpickleError("joblib array without a dtype")
    stream = unpickler.stream
    array = Array()
    if dtype.kind == "O":
        inner = _Unpickler(stream).load()
        if not isinstance(inner, Array):
            raise UnpickleError("joblib object array is not an array")
        return inner
    if state.get("numpy_array_alignment_bytes") is not None:
        padding = stream.read(1)
        if len(padding) != 1:
            raise UnpickleError("joblib file ends inside an array")
        stream.read(padding[0])
    count = 1
    for n in shape:
        count *= int(n)
    if count > MAX_ARRAY_ELEMENTS:
        raise UnpickleError("a numpy array of %d elements is over the limit" % count)
    data = stream.read(count * dtype.itemsize)
    array._set(dtype, shape, order == "F", data)
    return array


# --- files -----------------------------------------------------------------------------------

def _decompress(data, limit):
    """joblib's compressed files (zlib, gzip, bz2, xz, lzma) as plain bytes, never more than
    `limit` bytes."""
    if data[:1] == b"\x78":
        decompressor = zlib.decompressobj()
    elif data[:2] == b"\x1f\x8b":
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif data[:3] == b"BZh":
        decompressor = bz2.BZ2Decompressor()
    elif data[:6] == b"\xfd7zXZ\x00" or data[:3] == b"\x5d\x00\x00":
        decompressor = lzma.LZMADecompressor()
    elif data[:4] == b"\x04\x22\x4d\x18":
        raise UnpickleError("lz4-compressed joblib files are not supported (dump with compress=3)")
    elif data[:2] == b"ZF":
        raise UnpickleError("joblib files of joblib < 0.10 are not supported (load and dump again)")
    else:
        return data
    try:
        out = decompressor.decompress(data, limit + 1)
    except (zlib.error, OSError, EOFError, lzma.LZMAError) as e:
        raise UnpickleError("cannot decompress the joblib file: %s" % e) from None
    if len(out) > limit:
        raise UnpickleError("the decompressed file is over %d bytes" % limit)
    return out


def load(path, limit=MAX_FILE_BYTES):
    """The object a pickle or joblib file holds, made of this module's holders."""
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise UnpickleError("%s is over %d bytes" % (path, limit))
    data = _decompress(data, limit)
    if data[:1] != b"\x80":
        raise UnpickleError("%s is not a pickle of protocol 2 or later (nor a joblib file)" % path)
    stream = io.BytesIO(data)
    try:
        return _Unpickler(stream).load()
    except UnpickleError:
        raise
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, KeyError, IndexError,
            AttributeError, struct.error, RecursionError, MemoryError) as e:
        raise UnpickleError("%s is not a readable model pickle: %s: %s"
                            % (path, type(e).__name__, e)) from None


__all__ = ["Array", "DType", "Instance", "UnpickleError", "load"]
