"""Checks of lab 06 (your first CNN): image and label preparation, counting, the MNIST target.

``check_mnist_model`` is the threshold exercise: it loads MNIST (a small subset in fast mode),
builds the learner's model, lets the learner's ``train_mnist`` train it, measures the training
time against :data:`BUDGET_SECONDS` and the test accuracy against :func:`target_accuracy`, and
returns ``(model, test_probabilities)`` for the lab to hand to the grader.
"""

from __future__ import annotations

import time

import numpy as np

from .. import config
from . import call, expect_array, expect_int, fail, passed

__all__ = [
    "check_to_float_images", "check_one_hot", "check_count_dense_params", "check_conv_macs",
    "check_build_very_simple_cnn", "check_mnist_model", "target_accuracy", "BUDGET_SECONDS",
    "FAST_TRAIN", "FAST_TEST", "VERY_SIMPLE_SUMMARY",
]  # fmt: skip

BUDGET_SECONDS = 180  # default mode, training time on an idle 2-core CPU
DEFAULT_TARGET = 0.990  # test accuracy on all 10,000 test digits
FAST_TARGET = 0.85  # fast mode: FAST_TRAIN training digits, FAST_TEST test digits
FAST_TRAIN = 2000
FAST_TEST = 1000

# (layer name, output shape without the batch axis, weights) of build_very_simple_cnn()
VERY_SIMPLE_SUMMARY = [
    ("conv1", (26, 26, 64), 640),
    ("flatten", (43264,), 0),
    ("output", (10,), 432650),
]


def target_accuracy() -> float:
    """The test accuracy ``check_mnist_model`` asks for in the current mode."""
    return FAST_TARGET if config.is_fast() else DEFAULT_TARGET


def check_to_float_images(fn) -> str:
    """Exercise 1: ``to_float_images(x)``: uint8 (N, H, W) → float32 (N, H, W, 1) in [0, 1]."""
    ex = "to_float_images"
    rng = np.random.default_rng(6)
    cases = [
        rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8),
        np.array([[[0, 255], [128, 51]]], dtype=np.uint8),
        rng.integers(0, 256, size=(3, 7, 9), dtype=np.uint8),
    ]
    for x in cases:
        before = x.copy()
        got = call(fn, x, exercise=ex)
        expected = x.astype(np.float64)[..., None] / 255.0
        expect_array(
            got, expected, what=f"{ex}(uint8 images of shape {x.shape})", atol=1e-6,
            dtype_kind="f",
            hint="add a channel axis (x[..., np.newaxis] or x.reshape(N, H, W, 1)), "
                 "convert with .astype('float32') and divide by 255.",
        )  # fmt: skip
        if got.dtype != np.float32:
            fail(f"{ex}: expected dtype float32, got {got.dtype}.",
                 "Keras computes in float32; float64 doubles the memory for nothing.")  # fmt: skip
        if not np.array_equal(x, before):
            fail(f"{ex} changed its input; build a new array instead.")
    return passed(ex)


def check_one_hot(fn) -> str:
    """Exercise 2: ``one_hot(y, n)``: integer labels → float32 (N, n) rows of 0s and one 1."""
    import keras

    ex = "one_hot"
    cases = [
        (np.array([0, 6, 4, 7, 2, 4, 1, 0, 5, 8], dtype=np.uint8), 10),
        (np.array([2, 0, 1], dtype=np.int64), 3),
        (np.array([4, 4, 4, 4], dtype=np.int32), 5),
        (np.array([9], dtype=np.uint8), 12),
    ]
    for y, n in cases:
        got = call(fn, y, n, exercise=ex)
        expected = keras.utils.to_categorical(y, n)
        expect_array(
            got, expected, what=f"{ex}({y.tolist()}, {n})", dtype_kind="f",
            hint="start from np.zeros((len(y), n), dtype='float32') and set one 1 per row: "
                 "out[np.arange(len(y)), y] = 1.",
        )  # fmt: skip
    for y, n in [(np.array([0, 10]), 10), (np.array([-1, 2]), 5)]:
        try:
            fn(y, n)
        except ValueError:
            continue
        except NotImplementedError:
            fail(f"{ex}: not implemented yet.")
        except Exception as exc:
            fail(f"{ex}({y.tolist()}, {n}) raised {type(exc).__name__}; raise ValueError.",
                 "a label outside 0 … n-1 has no column: raise ValueError.")  # fmt: skip
        fail(f"{ex}({y.tolist()}, {n}) returned instead of raising ValueError.",
             "a label outside 0 … n-1 has no column: raise ValueError.")  # fmt: skip
    return passed(ex)


def check_count_dense_params(fn) -> str:
    """Exercise 3: ``count_dense_params(inputs, units)``; ``inputs`` an int or a shape."""
    ex = "count_dense_params"
    cases = [
        ((43264, 10), 432650), (((26, 26, 64), 10), 432650), (((13, 13, 64), 10), 108170),
        ((9216, 128), 1179776), ((128, 10), 1290), (((7, 7, 128), 1), 6273),
    ]  # fmt: skip
    for args, expected in cases:
        expect_int(
            call(fn, *args, exercise=ex), expected, what=f"{ex}{args}",
            hint="one weight per (input, unit) pair plus one bias per unit; a shape "
                 "(h, w, c) is flattened into h*w*c inputs first.",
        )  # fmt: skip
    return passed(ex)


def check_conv_macs(fn) -> str:
    """Exercise 4: ``conv_macs(h, w, k, c_in, c_out)``: multiply-adds of a conv layer."""
    ex = "conv_macs"
    cases = [
        ((26, 26, 3, 1, 64), 389376), ((24, 24, 3, 32, 64), 10616832),
        ((28, 28, 3, 1, 32), 225792), ((7, 7, 3, 64, 128), 3612672), ((1, 1, 1, 5, 7), 35),
        ((10, 20, 5, 3, 2), 10 * 20 * 25 * 3 * 2),
    ]  # fmt: skip
    for args, expected in cases:
        expect_int(
            call(fn, *args, exercise=ex), expected, what=f"{ex}{args}",
            hint="every output value (h·w positions × c_out filters) needs k·k·c_in "
                 "multiply-adds: h * w * k * k * c_in * c_out.",
        )  # fmt: skip
    return passed(ex)


def _layer_rows(model) -> list[tuple[str, tuple, int]]:
    rows = []
    for layer in model.layers:
        shape = tuple(layer.output.shape[1:])
        rows.append((type(layer).__name__, shape, int(layer.count_params())))
    return rows


def _format_rows(rows) -> str:
    return "\n".join(f"  {kind:<14} {str(shape):<16} {n:>9,}" for kind, shape, n in rows)


def check_build_very_simple_cnn(fn) -> str:
    """Exercise 5: ``build_very_simple_cnn()`` with exactly the given summary."""
    import keras

    ex = "build_very_simple_cnn"
    model = call(fn, exercise=ex)
    if not isinstance(model, keras.Model):
        fail(f"{ex}: expected a Keras model, got {type(model).__name__}.",
             "return keras.Sequential([...]).")  # fmt: skip
    if tuple(model.inputs[0].shape[1:]) != (28, 28, 1):
        fail(f"{ex}: the input shape is {tuple(model.inputs[0].shape[1:])}, expected (28, 28, 1).",
             "start the Sequential with keras.Input((28, 28, 1)).")  # fmt: skip
    got = _layer_rows(model)
    kinds = ("Conv2D", "Flatten", "Dense")
    wanted = [
        (kind, shape, n) for kind, (_, shape, n) in zip(kinds, VERY_SIMPLE_SUMMARY, strict=True)
    ]
    if got != wanted:
        diff = [f"  layer {i + 1}: expected {w}, got {g}"
                for i, (w, g) in enumerate(zip(wanted, got, strict=False)) if w != g]  # fmt: skip
        if len(got) != len(wanted):
            diff.append(f"  expected {len(wanted)} layers, got {len(got)}")
        fail(
            f"{ex}: the model does not match the summary.\nExpected (type, output shape, "
            f"weights):\n{_format_rows(wanted)}\nGot:\n{_format_rows(got)}\nDifferences:\n"
            + "\n".join(diff),
            "Conv2D(64, 3, activation='relu') with 'valid' padding (26×26 out), no pooling, "
            "Flatten, then Dense(10, activation='softmax').",
        )
    activations = [getattr(layer, "activation", None) for layer in model.layers]
    names = [getattr(a, "__name__", str(a)) for a in activations]
    if names[0] != "relu" or names[2] != "softmax":
        fail(
            f"{ex}: activations are {names[0]!r} (conv) and {names[2]!r} (dense).",
            "use activation='relu' in the Conv2D and activation='softmax' in the Dense.",
        )
    total = model.count_params()
    if total != 433290:
        fail(f"{ex}: {total:,} weights, expected 433,290.")
    return passed(ex)


def _load(fast_train: int = FAST_TRAIN, fast_test: int = FAST_TEST):
    from ..data import load_mnist

    (x_train, y_train), (x_test, y_test) = load_mnist()
    x_train, y_train = config.subset(x_train, y_train, fast=fast_train)
    x_test, y_test = config.subset(x_test, y_test, fast=fast_test)
    prep = lambda x: (x.astype("float32") / 255.0)[..., None]  # noqa: E731
    return prep(x_train), y_train.astype("int64"), prep(x_test), y_test.astype("int64")


def check_mnist_model(build, train, *, data=None):
    """Exercise 6: train the learner's model on MNIST and check its test accuracy.

    ``build()`` returns a Keras model (compiled or not) for 28×28×1 inputs with 10 softmax
    outputs; ``train(model, x_train, y_train)`` trains it (float32 images in [0, 1] shaped
    (N, 28, 28, 1), integer labels 0–9) and returns the trained model. Returns
    ``(model, test_probabilities)``. ``data`` (tests only) replaces the MNIST arrays.
    """
    import keras

    ex = "build_mnist_model / train_mnist"
    x_train, y_train, x_test, y_test = _load() if data is None else data
    model = call(build, exercise="build_mnist_model")
    if not isinstance(model, keras.Model):
        fail(f"build_mnist_model: expected a Keras model, got {type(model).__name__}.")
    start = time.perf_counter()
    trained = call(train, model, x_train, y_train, exercise="train_mnist")
    seconds = time.perf_counter() - start
    if not isinstance(trained, keras.Model):
        fail(f"train_mnist: expected it to return the trained Keras model, got "
             f"{type(trained).__name__}.", "end train_mnist with `return model`.")  # fmt: skip
    probs = np.asarray(trained.predict(x_test, batch_size=500, verbose=0))
    if probs.shape != (len(x_test), 10):
        fail(
            f"{ex}: the model's predictions have shape {probs.shape}, expected "
            f"({len(x_test)}, 10).",
            "end the model with Dense(10, activation='softmax').",
        )
    accuracy = float(np.mean(probs.argmax(axis=1) == y_test))
    target = target_accuracy()
    mode = "FAST MODE (not the real target)" if config.is_fast() else "default mode"
    print(
        f"{mode}: trained on {len(x_train):,} digits in {seconds:.0f} s; "
        f"test accuracy on {len(x_test):,} digits: {accuracy:.2%} (target {target:.1%})"
    )
    if not config.is_fast() and seconds > BUDGET_SECONDS:
        print(
            f"⚠ training took {seconds:.0f} s, more than the {BUDGET_SECONDS} s budget of an "
            "idle 2-core CPU; fine on a busy machine, otherwise make the model cheaper."
        )
    if not accuracy >= target:
        fail(f"{ex}: test accuracy {accuracy:.2%} is below the target {target:.1%}.",
             "batch normalization after each convolution, pooling early, a few more epochs, or "
             "a one-cycle learning-rate schedule (chapter 06, section 8).")  # fmt: skip
    passed(ex)
    return trained, probs
