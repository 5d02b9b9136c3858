"""Lab 09 comparators (the baseline CNN, per-class accuracies) and one notebook helper.

They judge, they hold no answers (shipped to students): the baseline's layers are read from
the expected model's description. :func:`check_history_object` runs in the notebook only: a
Keras ``History`` cannot be sent to a graded call (only plain data crosses), so the graded
cases pass the history dict.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from helpers.labs.judge import Array, Float, brief
from helpers.labs.wire import Described


def _kind(value) -> str:
    return value.type if isinstance(value, Described) else type(value).__name__


# ----------------------------------------------------------------------------- the baseline


def _rows(attrs: dict):
    """(class, output shape, weights, activation) per layer, Activation layers folded into
    the layer before them; or a phrase saying why there are none."""
    rows: list[list] = []
    for layer in attrs.get("layers") or []:
        kind = layer.get("class")
        if kind == "InputLayer":
            continue
        if kind == "Activation":
            if not rows:
                return "the model starts with an Activation layer"
            rows[-1][3] = layer.get("activation")
            continue
        shape = layer.get("output_shape")
        if shape is None:
            return (f"layer {layer.get('name')!r} has no output shape: the model is not built; "
                    "start the Sequential model with keras.Input(shape=input_shape)")  # fmt: skip
        rows.append([kind, tuple(shape), layer.get("params"), layer.get("activation")])
    return [tuple(r) for r in rows]


def _show(rows) -> str:
    return "\n".join(f"  {k:<14} {str(s):<22} {n or 0:>10,}" for k, s, n, *_ in rows)


def baseline_summary(got, expected):
    """The layers of ``got`` (a described Keras model) against the expected model's."""
    if not (isinstance(got, Described) and got.type == "keras.Model"):
        return (f"expected a keras Model (e.g. keras.Sequential), got {_kind(got)} {brief(got)}; "
                "return the model you built")  # fmt: skip
    rows = _rows(got.attrs)
    if isinstance(rows, str):
        return rows
    want = _rows(expected.attrs)
    if [r[0] for r in rows] != [r[0] for r in want]:
        return (f"the layers (Activation layers left out) should be\n{_show(want)}\ngot\n"
                f"{_show(rows)}\n(2 × [Conv2D, Conv2D, MaxPooling2D], then Flatten, Dense(512), "
                "Dense(classes))")  # fmt: skip
    for i, ((kind, shape, n, act), (_, e_shape, e_n, e_act)) in enumerate(
        zip(rows, want, strict=True)
    ):
        where = f"layer {i + 1} ({kind})"
        if shape != e_shape:
            return (f"{where}: expected output shape {e_shape}, got {shape} (the first "
                    "convolution of each block uses padding='same', the second padding='valid' "
                    "(the default); pooling is 2×2)")  # fmt: skip
        if n != e_n:
            return (f"{where}: expected {e_n:,} weights, got {n or 0:,} (3×3 kernels; 32, 32, "
                    "64, 64 filters; Dense(512); all with biases)")  # fmt: skip
        if e_act is not None and act != e_act:
            return (f"{where}: expected a {e_act} activation, got {act or 'none'} "
                    "(activation='relu' on hidden layers and 'softmax' on the output, or an "
                    "Activation layer right after)")  # fmt: skip
    if got.attrs.get("params") != expected.attrs.get("params"):
        return (
            f"count_params() is {got.attrs.get('params')}, expected {expected.attrs.get('params')}"
        )
    return None


def baseline_model(got, expected, atol=1e-4, rtol=1e-4):
    """A model judged by its layers; with probes ``(model, set_weights(...), model(x))``, also
    by what it computes with the expected model's weights."""
    if type(expected) is not tuple:
        return baseline_summary(got, expected)
    if type(got) is not tuple or len(got) != len(expected):
        return f"expected the model and {len(expected) - 1} probe results, got {_kind(got)}"
    problem = baseline_summary(got[0], expected[0])
    if problem:
        return problem
    outputs, wanted = got[-1], np.asarray(expected[-1])
    if (
        type(outputs) is np.ndarray
        and outputs.shape == wanted.shape
        and outputs.dtype.kind == "f"
        and np.isfinite(outputs).all()
        and float(np.abs(outputs.astype(np.float64).sum(axis=-1) - 1).max()) > 1e-4
    ):
        return (f"predictions should be {wanted.shape[-1]} probabilities per image summing to 1 "
                "(a softmax at the end)")  # fmt: skip
    problem = Array(atol=atol, rtol=rtol, kinds="f").compare(outputs, wanted)
    if problem:
        return f"with the same weights as the baseline, its outputs differ: {problem}"
    return None


# ----------------------------------------------------------------------------- per class


def class_accuracies(got, expected, atol=1e-9):
    """A float array of shape (n,), NaN exactly where ``expected`` is, close elsewhere."""
    expected = np.asarray(expected)
    n = expected.shape[0]
    if type(got) is not np.ndarray:
        return f"expected a NumPy array, got {_kind(got)}"
    if got.shape != expected.shape or got.dtype.kind != "f":
        return f"expected a float array of shape ({n},), got {got.dtype} {got.shape}"
    missing = np.isnan(expected)
    if not np.array_equal(np.isnan(got), missing):
        return (f"NaN expected exactly for the classes without samples "
                f"{np.flatnonzero(missing).tolist()}, got NaN at "
                f"{np.flatnonzero(np.isnan(got)).tolist()}")  # fmt: skip
    return Array(atol=atol, kinds="f").compare(got[~missing], expected[~missing])


# ----------------------------------------------------------------------------- notebook helper


def check_history_object(fn) -> None:
    """``fn`` must give for a History-like object (its dict in ``.history``, what
    ``model.fit`` returns) what it gives for the dict itself."""
    from helpers.labs.checks import fail

    history = {"accuracy": [0.40, 0.62, 0.81, 0.90], "val_accuracy": [0.42, 0.50, 0.56, 0.55]}
    what = "overfitting_gap(an object with a .history dict (a History))"
    try:
        got = fn(SimpleNamespace(history={k: list(v) for k, v in history.items()}))
    except NotImplementedError:
        fail(
            "overfitting_gap: not implemented yet.", "replace the `raise NotImplementedError` line."
        )
    except Exception as exc:
        fail(f"{what} raised {type(exc).__name__}: {exc}",
             "model.fit returns a History object; its dict is history.history. "
             "Use getattr(history, 'history', history).")  # fmt: skip
    want = fn({k: list(v) for k, v in history.items()})
    problem = Float(rel=1e-9).compare(got, want)
    if problem:
        fail(f"{what}: {problem} (what it gives for the dict itself).",
             "take the dict from history.history, then compute as for a dict.")  # fmt: skip
    print("✔ overfitting_gap also accepts a History object.")
