"""Lab 06 (your first CNN): model comparators, the MNIST judge and the training cell's helper.

Shipped to students: they judge, they hold no answers. The expected summary of a model comes
from the grader (the reference's description); the MNIST judge gets the true test labels and
the test indices of the probe images from the grader's reference.

:func:`train_and_evaluate` is the lab's training cell: it loads MNIST (a subset in fast mode),
builds the learner's model, lets ``train_mnist`` train it, prints the training time and the test
accuracy, and returns ``(model, test_probabilities)``, which ``mnist_submission()`` hands on.
"""

from __future__ import annotations

import time

import numpy as np

from ..judge import brief
from ..wire import Described
from . import models

__all__ = [
    "very_simple_cnn",
    "mnist_submission",
    "train_and_evaluate",
    "target_accuracy",
    "n_test_digits",
    "BUDGET_SECONDS",
    "DEFAULT_TARGET",
    "FAST_TARGET",
    "FAST_TRAIN",
    "FAST_TEST",
]

BUDGET_SECONDS = 180  # default mode, training time on an idle 2-core CPU
DEFAULT_TARGET = 0.990  # test accuracy on all 10,000 test digits
FAST_TARGET = 0.85  # fast mode: FAST_TRAIN training digits, FAST_TEST test digits
FAST_TRAIN = 2000
FAST_TEST = 1000
N_TEST = 10000
IMPROVE = (
    "batch normalization after each convolution, pooling early, a few more epochs, or a "
    "one-cycle learning-rate schedule (chapter 06, section 8)"
)


def _fast() -> bool:
    from ... import config

    return config.is_fast()


def target_accuracy() -> float:
    """The test accuracy the MNIST exercise asks for in the current mode."""
    return FAST_TARGET if _fast() else DEFAULT_TARGET


def n_test_digits() -> int:
    """How many test digits (the first ones) are predicted in the current mode."""
    return FAST_TEST if _fast() else N_TEST


# ----------------------------------------------------------------------------- model summary


_HINTS = {
    "kinds": "follow the summary's layers: one Conv2D, Flatten, one Dense",
    "shapes": "compare with the summary's output shapes (filters, kernel size, padding)",
    "params": "compare with the summary's weights per layer",
    "activations": "set it with the layer's activation= argument",
}


def _summary(got, expected: Described) -> str | None:
    """None if the model ``got`` matches the expected one's summary and activations."""
    problem = models.not_a_model(got, "return a keras.Sequential") or models.input_problem(
        got, expected, "start the list of layers with keras.Input and that shape"
    )
    if problem:
        return problem
    return models.first_difference(
        models.layer_rows(got.attrs),
        models.layer_rows(expected.attrs),
        hints=_HINTS,
        intro="the model does not match the summary",
    )


_OUTPUTS = (
    "with the grader's weights, the model computes other outputs than the summary's network "
    "({problem})"
)


def very_simple_cnn(got, expected, atol=1e-4, rtol=1e-4):
    """The model's summary; with probes, also what it computes with the grader's weights."""
    return models.probed(got, expected, _summary, atol=atol, rtol=rtol, what=_OUTPUTS)


# ----------------------------------------------------------------------------- the MNIST target


def mnist_submission(got, expected, agree=0.98, rows_atol=1e-3):
    """``got``: ``((model, probabilities), predictions of the model on probe images)``.

    ``expected``: ``((reference, true test labels), test indices of the probe images)``. The
    probabilities must be softmax rows for the first :func:`n_test_digits` test digits, reach
    :func:`target_accuracy`, and agree with what the model predicts again on the probe images.
    """
    result, again = got
    (_, labels), index = expected
    if type(result) is not tuple or len(result) != 2:
        return (
            f"expected (model, test_probabilities), got {brief(result)}; return the trained "
            "model and its softmax outputs on the test digits"
        )
    model, probs = result
    if not models.is_model(model):
        return f"item 0 should be the trained Keras model, got {models.kind(model)}"
    n = n_test_digits()
    if type(probs) is not np.ndarray:
        return f"the test probabilities: expected a NumPy array, got {type(probs).__name__}"
    if probs.shape != (n, 10):
        return (
            f"the test probabilities: expected shape {(n, 10)} (the first {n:,} test digits),"
            f" got {probs.shape}"
        )
    if probs.dtype.kind != "f":
        return f"the test probabilities: expected a float array, got dtype {probs.dtype}"
    p = probs.astype(np.float64)
    if not np.isfinite(p).all():
        return "the test probabilities contain NaN or infinite values"
    if p.min() < 0 or np.abs(p.sum(axis=1) - 1).max() > rows_atol:
        return (
            "the test outputs are not softmax probabilities (rows must sum to 1); end the "
            "model with a 10-unit softmax Dense layer"
        )
    predicted = p.argmax(axis=1)
    accuracy = float(np.mean(predicted == np.asarray(labels)[:n]))
    target = target_accuracy()
    if not accuracy >= target:
        return (
            f"test accuracy {accuracy:.2%} on {n:,} digits is below the target {target:.1%}; "
            f"try {IMPROVE}"
        )
    index = np.asarray(index)
    if type(again) is not np.ndarray or again.shape != (len(index), 10):
        shape = again.shape if type(again) is np.ndarray else type(again).__name__
        return f"the model's predict gave {shape}, expected an array of shape {(len(index), 10)}"
    same = int(np.sum(np.asarray(again, np.float64).argmax(axis=1) == predicted[index]))
    if same < agree * len(index):
        return (
            f"the model predicts other classes than the submitted outputs for "
            f"{len(index) - same} of {len(index)} test digits; hand in the model that made "
            "the probabilities"
        )
    return None


# ----------------------------------------------------------------------------- training cell


def _load(fast_train: int = FAST_TRAIN, fast_test: int = FAST_TEST):
    from ... import config
    from ...data import load_mnist

    (x_train, y_train), (x_test, y_test) = load_mnist()
    x_train, y_train = config.subset(x_train, y_train, fast=fast_train)
    x_test, y_test = config.subset(x_test, y_test, fast=fast_test)
    prep = lambda x: (x.astype("float32") / 255.0)[..., None]  # noqa: E731
    return prep(x_train), y_train.astype("int64"), prep(x_test), y_test.astype("int64")


def _call(fn, *args, name: str):
    from ..checks import CheckFailed, fail

    if not callable(fn):
        fail(f"{name}: expected a function, got {type(fn).__name__}.")
    try:
        return fn(*args)
    except NotImplementedError:
        fail(f"{name}: not implemented yet.", "replace the `raise NotImplementedError` line.")
    except CheckFailed:
        raise
    except Exception as exc:  # the learner's bug: report it as feedback, not as a crash
        fail(f"{name}: calling it raised {type(exc).__name__}: {exc}")


def train_and_evaluate(build, train, *, data=None):
    """Train the learner's model on MNIST and measure its test accuracy; return
    ``(model, test_probabilities)``.

    ``build()`` returns a Keras model for 28×28×1 inputs with 10 softmax outputs;
    ``train(model, x_train, y_train)`` trains it (float32 images in [0, 1] shaped
    (N, 28, 28, 1), integer labels 0–9) and returns it. ``data`` (tests only) replaces the
    MNIST arrays ``(x_train, y_train, x_test, y_test)``. The accuracy is judged by
    ``check("mnist_submission", …)``.
    """
    import keras

    from ..checks import fail

    x_train, y_train, x_test, y_test = _load() if data is None else data
    model = _call(build, name="build_mnist_model")
    if not isinstance(model, keras.Model):
        fail(
            f"build_mnist_model: expected a Keras model, got {type(model).__name__}.",
            "return a keras.Sequential (or another keras.Model).",
        )
    start = time.perf_counter()
    trained = _call(train, model, x_train, y_train, name="train_mnist")
    seconds = time.perf_counter() - start
    if not isinstance(trained, keras.Model):
        fail(
            f"train_mnist: expected it to return the trained Keras model, got "
            f"{type(trained).__name__}.",
            "end train_mnist with `return model`.",
        )
    probs = np.asarray(trained.predict(x_test, batch_size=500, verbose=0))
    if probs.shape != (len(x_test), 10):
        fail(
            f"build_mnist_model / train_mnist: the model's predictions have shape {probs.shape}, "
            f"expected ({len(x_test)}, 10).",
            "end the model with a 10-unit softmax Dense layer.",
        )
    accuracy = float(np.mean(probs.argmax(axis=1) == y_test))
    target = target_accuracy()
    mode = "FAST MODE (not the real target)" if _fast() else "default mode"
    print(
        f"{mode}: trained on {len(x_train):,} digits in {seconds:.0f} s; test accuracy on "
        f"{len(x_test):,} digits: {accuracy:.2%} (target {target:.1%})"
    )
    if not _fast() and seconds > BUDGET_SECONDS:
        print(
            f"⚠ training took {seconds:.0f} s, more than the {BUDGET_SECONDS} s budget of an "
            "idle 2-core CPU; fine on a busy machine, otherwise make the model cheaper."
        )
    return trained, probs
