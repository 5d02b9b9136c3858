"""The wire between the grader and a learner's kernel: plain data both ways, never pickle.

The grader sends inputs, the kernel calls the learner's functions and sends back what they
returned, and the grader judges those values in its own process. Everything crossing is JSON:
NumPy arrays as dtype, shape and base64 bytes (numeric and boolean dtypes only), Keras models
and other objects as *descriptions* (type name and simple attributes), exceptions as their type
name and message. Decoding never executes anything it receives.

This file is also the program the grader runs in the kernel: :func:`serve_file` reads a request
written by the grader, calls the functions and writes one result file per call, as each call
finishes (so a crash or a hang keeps the results before it). It therefore imports nothing from
``helpers``; the grader sends its source text into the kernel. A notebook that tampers with the
kernel can at worst change the values sent back, which are then judged like any answer.
"""

from __future__ import annotations

import base64
import json
import math
import os
import signal
import sys
import time
import warnings

__all__ = [
    "Rng", "TempDir", "History", "Described", "encode", "decode", "materialize", "call_one",
    "serve", "serve_file", "describe_model", "MAX_RESULT_BYTES",
]  # fmt: skip

MAX_RESULT_BYTES = 64 * 1024 * 1024  # one call's encoded result; more is reported, not sent
_NUMERIC_KINDS = "biufc"


class Rng:
    """An input that becomes ``np.random.default_rng(seed)``, made afresh for each call."""

    def __init__(self, seed: int):
        self.seed = int(seed)

    def __repr__(self) -> str:
        return f"np.random.default_rng({self.seed})"

    def __eq__(self, other) -> bool:
        return type(other) is Rng and other.seed == self.seed

    __hash__ = None


class TempDir:
    """An input that becomes a fresh, empty temporary folder (a ``pathlib.Path``)."""

    def __init__(self, name: str = "run"):
        self.name = str(name)

    def __repr__(self) -> str:
        return f"<temporary folder>/{self.name}"

    def __eq__(self, other) -> bool:
        return type(other) is TempDir and other.name == self.name

    __hash__ = None


class History:
    """An input that becomes a Keras ``History`` (as ``fit`` returns it) holding ``history``,
    made afresh for each call (a plain object with ``.history`` and ``.epoch`` without Keras)."""

    def __init__(self, history: dict):
        self.history = {str(k): list(v) for k, v in dict(history).items()}

    def __repr__(self) -> str:
        return f"<History of {', '.join(self.history) or 'nothing'}>"

    def __eq__(self, other) -> bool:
        return type(other) is History and other.history == self.history

    __hash__ = None


class Described:
    """What the grader receives for an object that is not plain data: its type and attributes.

    ``type`` is the qualified class name (``keras.src.callbacks.early_stopping.EarlyStopping``
    is shortened to its class name ``EarlyStopping``), ``attrs`` a dict of its simple public
    attributes (numbers, strings, booleans, None, paths as strings, tuples and lists of these).
    A Keras model is described by :func:`describe_model` and has ``type == "keras.Model"``.
    """

    def __init__(self, type_name: str, attrs: dict):
        self.type = type_name
        self.attrs = attrs

    def __repr__(self) -> str:
        return f"<{self.type}>"

    def __eq__(self, other) -> bool:
        return type(other) is Described and (other.type, other.attrs) == (self.type, self.attrs)

    __hash__ = None


# ----------------------------------------------------------------------------- encoding


def _simple(value, depth=0):
    """``value`` if it is simple data (for object descriptions), else a sentinel."""
    if value is None or type(value) in (bool, int, str):
        return value
    if type(value) is float:
        return value if math.isfinite(value) else repr(value)
    np = sys.modules.get("numpy")
    if np is not None and isinstance(value, np.generic) and value.dtype.kind in _NUMERIC_KINDS:
        return value.item()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if type(value) in (list, tuple) and depth < 2 and len(value) <= 64:
        items = [_simple(v, depth + 1) for v in value]
        return items if _SKIP not in items else _SKIP
    return _SKIP


_SKIP = object()


def _json_safe(value, depth=0):
    """A JSON-safe copy of a nested config (Keras ``get_config()``), unknowns as strings."""
    if depth > 6:
        return "..."
    if value is None or type(value) in (bool, int, str):
        return value
    if type(value) is float:
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v, depth + 1) for v in value]
    np = sys.modules.get("numpy")
    if np is not None and isinstance(value, np.generic):
        return _json_safe(value.item(), depth + 1)
    return repr(value)[:200]


def _shape(tensor):
    try:
        return [None if d is None else int(d) for d in tuple(tensor.shape)]
    except Exception:
        return None


def describe_model(model) -> dict:
    """A Keras model as data: its layers' classes, names, output shapes, weights and configs."""
    layers = []
    for layer in getattr(model, "layers", []):
        try:
            output = _shape(layer.output)
        except Exception:
            output = None
        try:
            config = _json_safe(layer.get_config())
        except Exception:
            config = {}
        activation = getattr(layer, "activation", None)
        layers.append({
            "class": type(layer).__name__,
            "name": str(getattr(layer, "name", "")),
            "output_shape": output,
            "params": int(layer.count_params()) if getattr(layer, "built", False) else 0,
            "weight_shapes": [_shape(w) for w in getattr(layer, "weights", [])],
            "activation": getattr(activation, "__name__", None) if activation else None,
            "config": config,
        })  # fmt: skip
    try:
        inputs = [_shape(t) for t in model.inputs]
    except Exception:
        inputs = None
    try:
        outputs = [_shape(t) for t in model.outputs]
    except Exception:
        outputs = None
    try:
        params = int(model.count_params())
        trainable = int(sum(int(math.prod(w.shape)) for w in model.trainable_weights))
    except Exception:
        params = trainable = None
    return {"class": type(model).__name__, "inputs": inputs, "outputs": outputs,
            "params": params, "trainable_params": trainable, "layers": layers}  # fmt: skip


def _is_keras_model(value) -> bool:
    keras = sys.modules.get("keras")
    return keras is not None and isinstance(value, keras.Model)


def encode(value, depth: int = 0):
    """``value`` as JSON-able data (see the module docstring for the tags)."""
    if depth > 20:
        return {"$": "object", "type": type(value).__name__, "attrs": {}, "note": "too deep"}
    if value is None or type(value) in (bool, int, str):
        return value
    if type(value) is float:
        return {"$": "float", "v": repr(value)} if not math.isfinite(value) else value
    if type(value) is list:
        return [encode(v, depth + 1) for v in value]
    if type(value) is tuple:
        return {"$": "tuple", "items": [encode(v, depth + 1) for v in value]}
    if type(value) is dict:
        return {"$": "dict", "items": [[encode(k, depth + 1), encode(v, depth + 1)]
                                       for k, v in value.items()]}  # fmt: skip
    if type(value) is Rng:
        return {"$": "rng", "seed": value.seed}
    if type(value) is TempDir:
        return {"$": "tempdir", "name": value.name}
    if type(value) is History:
        return {"$": "history", "history": encode(value.history, depth + 1)}
    if type(value) is Described:
        return {"$": "object", "type": value.type, "attrs": value.attrs}
    np = sys.modules.get("numpy")
    if np is not None:
        if type(value) is np.ndarray and value.dtype.kind in _NUMERIC_KINDS:
            data = np.ascontiguousarray(value)
            return {"$": "ndarray", "dtype": data.dtype.str, "shape": list(data.shape),
                    "b64": base64.b64encode(data.tobytes()).decode("ascii")}  # fmt: skip
        if isinstance(value, np.generic) and value.dtype.kind in _NUMERIC_KINDS:
            item = value.item()
            if type(item) is float and not math.isfinite(item):
                item = repr(item)
            elif type(item) is complex:
                item = [item.real, item.imag]
            return {"$": "npscalar", "dtype": value.dtype.str, "v": item}
    if isinstance(value, os.PathLike):
        return {"$": "path", "v": os.fspath(value)}
    if _is_keras_model(value):
        return {"$": "object", "type": "keras.Model", "attrs": describe_model(value)}
    attrs = {}
    try:
        names = sorted(vars(value))
    except TypeError:
        names = []
    for name in names[:200]:
        if name.startswith("_"):
            continue
        try:
            simple = _simple(getattr(value, name))
        except Exception:
            continue
        if simple is not _SKIP:
            attrs[name] = simple
    return {"$": "object", "type": type(value).__name__, "attrs": attrs}


def _float(v):
    return float(v) if type(v) is str else v


def decode(data):
    """The value ``data`` stands for; objects come back as :class:`Described`.

    Raises ``ValueError`` for data that does not follow the format (a tampered or truncated
    result): the grader then reports the call as unreadable.
    """
    if data is None or type(data) in (bool, int, str):
        return data
    if type(data) is float:
        return data
    if type(data) is list:
        return [decode(v) for v in data]
    if type(data) is not dict:
        raise ValueError(f"unexpected {type(data).__name__} on the wire")
    tag = data.get("$")
    if tag == "float":
        return float(data["v"])
    if tag == "tuple":
        return tuple(decode(v) for v in data["items"])
    if tag == "dict":
        out = {}
        for pair in data["items"]:
            key, value = pair
            key = decode(key)
            try:
                hash(key)
            except TypeError:
                raise ValueError("a dict key that cannot be hashed") from None
            out[key] = decode(value)
        return out
    if tag == "rng":
        return Rng(int(data["seed"]))
    if tag == "tempdir":
        return TempDir(str(data["name"]))
    if tag == "history":
        history = decode(data["history"])
        if type(history) is not dict:
            raise ValueError("a History holds a dict")
        return History(history)
    if tag == "path":
        from pathlib import Path

        return Path(str(data["v"]))
    if tag == "object":
        attrs = data.get("attrs", {})
        if type(attrs) is not dict:
            raise ValueError("object attributes must be a mapping")
        return Described(str(data.get("type", "?")), attrs)
    if tag in ("ndarray", "npscalar"):
        import numpy as np

        dtype = np.dtype(str(data["dtype"]))
        if dtype.kind not in _NUMERIC_KINDS:
            raise ValueError(f"dtype {dtype} is not allowed on the wire")
        if tag == "npscalar":
            v = data["v"]
            if dtype.kind == "c":
                return dtype.type(complex(*v))
            return dtype.type(_float(v) if dtype.kind == "f" else v)
        shape = tuple(int(d) for d in data["shape"])
        if any(d < 0 for d in shape):
            raise ValueError("negative dimension")
        raw = base64.b64decode(data["b64"], validate=True)
        if len(raw) != math.prod(shape) * dtype.itemsize:
            raise ValueError("array bytes do not match its shape and dtype")
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    raise ValueError(f"unknown tag {tag!r}")


def materialize(value, scratch=None):
    """Turn placeholder inputs (:class:`Rng`, :class:`TempDir`, :class:`History`) into real
    objects, afresh.

    Arrays are copied, so that a function that changes its input cannot change the grader's.
    """
    if type(value) is Rng:
        import numpy as np

        return np.random.default_rng(value.seed)
    if type(value) is TempDir:
        import tempfile
        from pathlib import Path

        return Path(tempfile.mkdtemp(prefix="course-", dir=scratch)) / value.name
    if type(value) is History:
        history = {k: list(v) for k, v in value.history.items()}
        epochs = list(range(max((len(v) for v in history.values()), default=0)))
        try:
            import keras

            made = keras.callbacks.History()
        except Exception:  # no Keras in this kernel: an object with the same two attributes
            import types

            made = types.SimpleNamespace()
        made.history, made.epoch = history, epochs
        return made
    if type(value) is list:
        return [materialize(v, scratch) for v in value]
    if type(value) is tuple:
        return tuple(materialize(v, scratch) for v in value)
    if type(value) is dict:
        return {k: materialize(v, scratch) for k, v in value.items()}
    np = sys.modules.get("numpy")
    if np is not None and type(value) is np.ndarray:
        return value.copy()
    return value


# ----------------------------------------------------------------------------- calling


class _CallTimeout(BaseException):
    pass


def _arrays(value, out):
    np = sys.modules.get("numpy")
    if np is not None and isinstance(value, np.ndarray):
        out.append(value)
    elif type(value) in (list, tuple):
        for v in value:
            _arrays(v, out)
    elif type(value) is dict:
        for v in value.values():
            _arrays(v, out)
    return out


def _fingerprint(values):
    """Copies of the input arrays, to see afterwards whether the call changed them."""
    return [a.copy() for a in _arrays(values, [])]


def _changed(before, values) -> bool:
    np = sys.modules.get("numpy")
    after = _arrays(values, [])
    if len(before) != len(after):
        return True
    for a, b in zip(before, after, strict=True):
        if a.shape != b.shape or a.dtype != b.dtype:
            return True
        if not np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"):
            return True
    return False


def _aliases(result, inputs) -> bool:
    np = sys.modules.get("numpy")
    if np is None:
        return False
    results = _arrays(result, [])
    return any(np.shares_memory(r, i) for r in results for i in _arrays(inputs, []))


def _resolve(result, path):
    for key in path:
        result = result[key]
    return result


def _probe(result, step, seconds):
    """Call a method (or the object itself) on a part of the result, as a follow-up step."""
    target = _resolve(result, step.get("on", []))
    method = step.get("method")
    fn = target if method in (None, "__call__") else getattr(target, method)
    args = materialize(decode(step.get("args", [])))
    kwargs = materialize(decode(step.get("kwargs", {"$": "dict", "items": []})))
    value = _with_alarm(lambda: fn(*args, **kwargs), seconds)
    np = sys.modules.get("numpy")
    if (
        np is not None
        and not isinstance(value, np.ndarray | np.generic)
        and hasattr(value, "numpy")
    ):
        value = value.numpy()  # a tensor: its values
    return value


def _with_alarm(thunk, seconds):
    if not seconds or not hasattr(signal, "setitimer"):
        return thunk()

    def on_alarm(signum, frame):
        raise _CallTimeout()

    try:
        previous = signal.signal(signal.SIGALRM, on_alarm)
    except ValueError:  # not the main thread
        return thunk()
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return thunk()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _error(exc):
    try:
        message = str(exc)
    except BaseException:
        message = "(a message that cannot be shown)"
    return {"type": type(exc).__name__, "message": message[:2000],
            "mro": [c.__name__ for c in type(exc).__mro__][:20],
            "not_implemented": isinstance(exc, NotImplementedError)}  # fmt: skip


def call_one(namespace: dict, call: dict, seconds: float = 0, scratch=None) -> dict:
    """Run one call of a request in ``namespace``; return its outcome as JSON-able data."""
    started = time.perf_counter()
    out = {"id": call["id"], "ok": False}
    fn = namespace.get(call["function"])
    if fn is None:
        out["missing"] = True
        return out
    if not callable(fn):
        out["error"] = {"type": "TypeError", "message": f"{type(fn).__name__} is not callable",
                        "not_implemented": False}  # fmt: skip
        return out
    try:
        args = materialize(decode(call.get("args", [])), scratch)
        kwargs = materialize(decode(call.get("kwargs", {"$": "dict", "items": []})), scratch)
        before = _fingerprint([args, kwargs])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = _with_alarm(lambda: fn(*args, **kwargs), seconds)
        out["ok"] = True
        out["warnings"] = [f"{w.category.__name__}: {w.message}"[:300] for w in caught[:5]]
        out["mutated"] = _changed(before, [args, kwargs])
        out["aliases"] = _aliases(result, [args, kwargs])
        out["value"] = encode(result)
        probes = []
        for step in call.get("then", []):
            try:
                probes.append({"ok": True, "value": encode(_probe(result, step, seconds))})
            except _CallTimeout:
                probes.append(
                    {
                        "ok": False,
                        "error": {
                            "type": "Timeout",
                            "message": f"stopped after {seconds} s",
                            "not_implemented": False,
                        },
                    }
                )
            except Exception as exc:
                probes.append({"ok": False, "error": _error(exc)})
        out["probes"] = probes
    except _CallTimeout:
        out["ok"] = False
        out["timeout"] = True
    except BaseException as exc:  # the learner's bug (or a SystemExit): it is their result
        out["ok"] = False
        out["error"] = _error(exc)
    out["seconds"] = round(time.perf_counter() - started, 4)
    return out


def serve(namespace: dict, request: dict, write=None, scratch=None) -> list[dict]:
    """Run every call of ``request``; ``write(index, text)`` receives each encoded outcome."""
    outcomes = []
    seconds = float(request.get("seconds", 0))
    for index, call in enumerate(request["calls"]):
        outcome = call_one(namespace, call, seconds, scratch)
        try:
            text = json.dumps(outcome)
        except (TypeError, ValueError) as exc:
            outcome = {"id": call["id"], "ok": False, "unsendable": str(exc)[:500]}
            text = json.dumps(outcome)
        if len(text) > MAX_RESULT_BYTES:
            outcome = {"id": call["id"], "ok": False, "too_large": len(text)}
            text = json.dumps(outcome)
        outcomes.append(outcome)
        if write is not None:
            write(index, text)
    return outcomes


def serve_file(folder: str, namespace: dict) -> None:
    """Kernel side: read ``folder/request.json``, write ``folder/result-<i>.json`` per call."""
    with open(os.path.join(folder, "request.json"), encoding="utf-8") as f:
        request = json.load(f)

    def write(index, text):
        path = os.path.join(folder, f"result-{index}.json")
        with open(path + ".part", "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(path + ".part", path)

    scratch = os.path.join(folder, "scratch")
    os.makedirs(scratch, exist_ok=True)
    serve(namespace, request, write, scratch)
