"""Lab 08 comparators and helpers: Géron's CNN, the most confused pair, a trained model, and
the Fashion-MNIST run of exercise 7.

The comparators judge, they hold no answers (shipped to students): what Géron's CNN should be
is read from the expected model's description, never written here. ``takes_model`` (from
:mod:`helpers.labs.custom.models`) lets the checks hand a model to ``model_macs`` (models
cannot cross to a grader as inputs, their JSON text can); ``train_on_fashion_mnist`` trains
the learner's network on real images on a time budget, in the notebook.
"""

from __future__ import annotations

import time

import numpy as np

from helpers.labs.custom import models
from helpers.labs.custom.models import kind as _kind
from helpers.labs.custom.models import takes_model
from helpers.labs.judge import brief

__all__ = [
    "geron_model", "confused_pair", "trained_model", "takes_model", "train_on_fashion_mnist",
    "SMALL_TRAIN", "SMALL_TEST", "SMALL_THRESHOLD", "SMALL_BUDGET_SECONDS",
]  # fmt: skip

# Exercise 7 on Fashion-MNIST: how many images the notebook trains on and what it expects.
SMALL_TRAIN = {"default": 6_000, "fast": 1_000}
SMALL_TEST = {"default": 2_000, "fast": 1_000}
SMALL_THRESHOLD = {"default": 0.82, "fast": 0.65}
SMALL_BUDGET_SECONDS = 60  # default mode, on 2 CPU cores


# ----------------------------------------------------------------------------- Géron's CNN

_HINTS = {
    "kinds": "follow Géron's list: Conv2D and MaxPooling2D blocks, then Flatten, Dense and "
    "Dropout layers",
    "shapes": "check the filters and units of each layer, padding='same' in every Conv2D, "
    "and 2×2 pooling",
    "params": "check the kernel sizes and the filters of each layer",
    "activations": "ReLU in every Conv2D and hidden Dense layer",
}


def _rates(attrs: dict) -> list[float]:
    return [float(layer.get("config", {}).get("rate", -1)) for layer in attrs.get("layers") or []
            if layer.get("class") == "Dropout"]  # fmt: skip


def _model_problem(got, expected) -> str | None:
    problem = models.not_a_model(
        got, "return keras.Sequential([keras.Input(input_shape), ...])"
    ) or models.input_problem(got, expected, "use the input_shape argument in keras.Input")
    if problem:
        return problem
    problem = models.first_difference(
        models.layer_rows(got.attrs),
        models.layer_rows(expected.attrs),
        hints=_HINTS,
        intro="your model differs from Géron's",
    )
    if problem:
        return problem
    rates, want_rates = _rates(got.attrs), _rates(expected.attrs)
    if rates != want_rates:
        return (f"the dropout rates are {rates}; Géron drops half the units: "
                f"{' and '.join(f'{r:g}' for r in want_rates)}")  # fmt: skip
    return None


_OUTPUTS = (
    "with the same weights, your model's outputs differ from Géron's ({problem}): ReLU in "
    "every Conv2D and hidden Dense layer, max (not average) pooling"
)


def geron_model(got, expected, atol=1e-4):
    """Géron's CNN judged by its layers; with probes, also by what it computes."""
    return models.probed(got, expected, _model_problem, atol=atol, what=_OUTPUTS)


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
    if not models.is_model(model):
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
