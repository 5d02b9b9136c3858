"""Lab 08 comparators and helpers: Géron's CNN, the most confused pair, a trained model, and
the Fashion-MNIST run of exercise 7.

The comparators judge, they hold no answers (shipped to students): what Géron's CNN should be
is read from the expected model's description, never written here. ``takes_model`` lets the
checks hand a model to ``model_macs`` (models cannot cross to a grader as inputs, their JSON
text can); ``train_on_fashion_mnist`` trains the learner's network on real images on a time
budget, in the notebook.
"""

from __future__ import annotations

import functools
import time

import numpy as np

from helpers.labs.judge import brief
from helpers.labs.wire import Described

__all__ = [
    "geron_model", "confused_pair", "trained_model", "takes_model", "train_on_fashion_mnist",
    "SMALL_TRAIN", "SMALL_TEST", "SMALL_THRESHOLD", "SMALL_BUDGET_SECONDS",
]  # fmt: skip

# Exercise 7 on Fashion-MNIST: how many images the notebook trains on and what it expects.
SMALL_TRAIN = {"default": 6_000, "fast": 1_000}
SMALL_TEST = {"default": 2_000, "fast": 1_000}
SMALL_THRESHOLD = {"default": 0.82, "fast": 0.65}
SMALL_BUDGET_SECONDS = 60  # default mode, on 2 CPU cores


def _kind(value) -> str:
    return value.type if isinstance(value, Described) else type(value).__name__


# ----------------------------------------------------------------------------- Géron's CNN


def _shape(shape) -> tuple | None:
    return None if shape is None else tuple(shape[1:])


def _rows(attrs: dict) -> list[tuple]:
    """(layer class, output shape without batch, weights) of every layer."""
    return [(layer.get("class"), _shape(layer.get("output_shape")), layer.get("params"))
            for layer in _layers(attrs)]  # fmt: skip


def _table(rows) -> str:
    return "\n".join(f"    {i:>2}  {k!s:<20} {str(s):<16} {n if n is None else f'{n:,}':>9}"
                     for i, (k, s, n) in enumerate(rows))  # fmt: skip


def _layers(attrs: dict) -> list[dict]:
    return [layer for layer in attrs.get("layers") or [] if layer.get("class") != "InputLayer"]


def _model_problem(got, expected) -> str | None:
    if not (isinstance(got, Described) and got.type == "keras.Model"):
        return (f"expected a Keras model, got {_kind(got)} {brief(got)}; return "
                "keras.Sequential([keras.Input(input_shape), ...])")  # fmt: skip
    g, e = got.attrs, expected.attrs
    inputs, want = g.get("inputs"), _shape(e["inputs"][0])
    if not inputs or inputs[0] is None:
        return ("the model has no defined input; start the list of layers with "
                "keras.Input(input_shape)")  # fmt: skip
    if len(inputs) != 1 or _shape(inputs[0]) != want:
        shown = [_shape(s) for s in inputs] if len(inputs) != 1 else _shape(inputs[0])
        return (f"input shape {shown}, expected {want}; use the input_shape argument in "
                "keras.Input")  # fmt: skip
    mine, ref = _rows(g), _rows(e)
    if mine != ref:
        first = next((i for i, (a, b) in enumerate(zip(mine, ref, strict=False)) if a != b),
                     min(len(mine), len(ref)))  # fmt: skip
        return (
            f"your model differs from Géron's starting at layer {first}.\n"
            f"  yours (layer, output shape, weights):\n{_table(mine)}\n"
            f"  expected:\n{_table(ref)}\n"
            f"  total: yours {g.get('params') or 0:,}, expected {e.get('params') or 0:,}"
        )
    rates = [float(layer.get("config", {}).get("rate", -1)) for layer in _layers(g)
             if layer.get("class") == "Dropout"]  # fmt: skip
    want_rates = [float(layer.get("config", {}).get("rate", -1)) for layer in _layers(e)
                  if layer.get("class") == "Dropout"]  # fmt: skip
    if rates != want_rates:
        return (f"the dropout rates are {rates}; Géron drops half the units: "
                f"{' and '.join(f'{r:g}' for r in want_rates)}")  # fmt: skip
    pairs = list(zip(_layers(g), _layers(e), strict=True))
    for i, (a, b) in enumerate(pairs):
        if a.get("activation") != b.get("activation") and b.get("activation"):
            if i == len(pairs) - 1 and b.get("activation") == "softmax":
                return (f"the last layer's activation is {a.get('activation')!r}: its outputs "
                        "do not sum to 1; the last layer needs a softmax "
                        "(Dense(num_classes, activation='softmax'))")  # fmt: skip
            return (f"layer {i} ({a.get('class')}) uses the activation {a.get('activation')!r}, "
                    f"expected {b.get('activation')!r}: ReLU in every Conv2D and hidden Dense "
                    "layer")  # fmt: skip
    return None


def geron_model(got, expected, atol=1e-4):
    """A model judged by its layers; with probes ``(model, set_weights(...), model(x))``, also
    by what it computes with the weights the probe set."""
    if type(expected) is not tuple:
        return _model_problem(got, expected)
    if type(got) is not tuple or len(got) != len(expected):
        return f"expected the model and {len(expected) - 1} probe results, got {_kind(got)}"
    problem = _model_problem(got[0], expected[0])
    if problem:
        return problem
    outputs, wanted = got[-1], np.asarray(expected[-1], dtype=np.float64)
    if type(outputs) is not np.ndarray or outputs.shape != wanted.shape:
        shape = outputs.shape if type(outputs) is np.ndarray else _kind(outputs)
        return f"the model's outputs have shape {shape}, expected {wanted.shape}"
    out = outputs.astype(np.float64)
    if not np.isfinite(out).all():
        return "the model's outputs contain NaN or infinite values"
    if float(np.abs(out.sum(axis=-1) - 1).max()) > 1e-4:
        return ("the outputs do not sum to 1; the last layer needs a softmax "
                "(Dense(num_classes, activation='softmax'))")  # fmt: skip
    gap = float(np.abs(out - wanted).max())
    if not gap <= atol:
        return (f"with the same weights, your model's outputs differ from Géron's (largest "
                f"difference {gap:.3g}): ReLU in every Conv2D and hidden Dense layer, max (not "
                "average) pooling")  # fmt: skip
    return None


# ----------------------------------------------------------------------------- most_confused_pair


def _is_int(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | np.integer)


def confused_pair(got, expected):
    """A tuple ``(true class, predicted class)`` of two ints equal to ``expected``."""
    if type(got) is not tuple or len(got) != 2:
        return f"expected a tuple (true class, predicted class), got {_kind(got)} {brief(got)}"
    if not (_is_int(got[0]) and _is_int(got[1])):
        return (f"expected two whole numbers (row, column), got {brief(got)}; convert with "
                "int(...)")  # fmt: skip
    pair, want = (int(got[0]), int(got[1])), (int(expected[0]), int(expected[1]))
    if pair == want:
        return None
    if pair[0] == pair[1]:
        return f"got {pair}, a diagonal cell: those images were classified right"
    if pair == (want[1], want[0]):
        return (f"got {pair}, true and predicted swapped: rows are true classes, columns "
                "predicted ones; return (row, column)")  # fmt: skip
    return f"expected {want} (true class, predicted class), got {pair}"


# ----------------------------------------------------------------------------- train_small_cnn


def trained_model(got, expected, threshold=0.9):
    """``(model, model.predict(x_test))``: a Keras model whose predictions match the expected
    labels (one-hot, in ``expected[1]``) on at least ``threshold`` of the test images."""
    if type(got) is not tuple or len(got) != 2:
        return f"expected the model and its predictions, got {_kind(got)}"
    model, probs = got
    if not (isinstance(model, Described) and model.type == "keras.Model"):
        return (f"expected the trained Keras model, got {_kind(model)} {brief(model)}; return "
                "model after model.fit(...)")  # fmt: skip
    labels = np.asarray(expected[1])
    n, k = labels.shape
    if type(probs) is not np.ndarray or probs.shape != (n, k):
        shape = probs.shape if type(probs) is np.ndarray else _kind(probs)
        return (
            f"the model outputs shape {shape} for {n} images; expected one score per "
            f"class, (N, {k}) with N = {n}: end with Dense({k}, activation='softmax')"
        )
    if probs.dtype.kind not in "iuf" or not np.isfinite(probs.astype(np.float64)).all():
        return "the model's outputs contain NaN or infinite values (did the training diverge?)"
    accuracy = float((probs.argmax(axis=1) == labels.argmax(axis=1)).mean())
    if not accuracy >= threshold:
        return (f"test accuracy {accuracy:.2%} on {n} images it never saw is below the "
                f"{threshold:.0%} needed")  # fmt: skip
    return None


# ----------------------------------------------------------------------------- notebook helpers


def takes_model(fn):
    """Decorate ``model_macs``: a model given as its JSON text (``model.to_json()``), as the
    checks give it, is rebuilt with ``keras.models.model_from_json`` before ``fn`` sees it."""

    @functools.wraps(fn)
    def wrapper(model, *args, **kwargs):
        if isinstance(model, str):
            import keras

            model = keras.models.model_from_json(model)
        return fn(model, *args, **kwargs)

    return wrapper


def _fashion_subset():
    from helpers import config, data
    from helpers.training import prepare_images

    mode = "fast" if config.is_fast() else "default"
    (x, y), (xt, yt) = data.load_fashion_mnist()
    n, m = SMALL_TRAIN[mode], SMALL_TEST[mode]
    return mode, prepare_images(x[:n]), y[:n].astype("int64"), prepare_images(xt[:m]), yt[:m]


def train_on_fashion_mnist(fn):
    """Train ``fn(x_train, y_train)`` on the first Fashion-MNIST images; return the model.

    Prints the time and the test accuracy; raises ``CheckFailed`` below the mode's threshold.
    """
    import keras

    from helpers.labs.checks import fail

    ex = "train_small_cnn on Fashion-MNIST"
    mode, x, y, x_test, y_test = _fashion_subset()
    start = time.perf_counter()
    model = fn(x, y)
    seconds = time.perf_counter() - start
    if not isinstance(model, keras.Model):
        fail(f"{ex}: expected the trained Keras model, got {type(model).__name__}.",
             "return model after model.fit(...).")  # fmt: skip
    probs = np.asarray(keras.ops.convert_to_numpy(model.predict(x_test, verbose=0)))
    if probs.shape != (len(x_test), 10):
        fail(
            f"{ex}: the model outputs shape {probs.shape} for {len(x_test)} images; expected "
            "one score per class, (N, 10).",
            "end with Dense(10, activation='softmax').",
        )
    acc = float((probs.argmax(axis=1) == y_test).mean())
    need = SMALL_THRESHOLD[mode]
    label = "FAST MODE threshold" if mode == "fast" else "threshold"
    note = " — a CI threshold, not the course's" if mode == "fast" else ""
    print(f"{ex}: trained on {len(x):,} images in {seconds:.1f} s; accuracy on {len(x_test):,} "
          f"test images {acc:.2%} ({label}: {need:.0%}{note}; budget about "
          f"{SMALL_BUDGET_SECONDS} s in the default mode)")  # fmt: skip
    if not acc >= need:
        fail(
            f"{ex}: test accuracy {acc:.2%} is below the {label} {need:.0%}.",
            "two or three Conv2D + MaxPooling blocks, Adam, batch 64–128, a few epochs; "
            "check that labels and images match and that you return the trained model.",
        )
    print(f"✔ {ex}: {acc:.2%} ≥ {need:.0%}.")
    return model
