"""Checks of lab 08 (Fashion-MNIST): class counts, multiply-adds, Géron's CNN, confusions,
overfitting, and a small network trained to a stated accuracy."""

from __future__ import annotations

import time

import numpy as np

from . import call, expect_array, expect_close, expect_int, expect_raises, fail, passed

__all__ = [
    "check_class_counts", "check_conv_macs", "check_model_macs", "check_build_geron_cnn",
    "check_most_confused_pair", "check_overfitting_gap", "check_train_small_cnn",
    "SMALL_TRAIN", "SMALL_TEST", "SMALL_THRESHOLD", "SMALL_BUDGET_SECONDS",
]  # fmt: skip

# Exercise 7: how many images the check trains on and what it expects, per mode.
SMALL_TRAIN = {"default": 6_000, "fast": 1_000}
SMALL_TEST = {"default": 2_000, "fast": 1_000}
SMALL_THRESHOLD = {"default": 0.82, "fast": 0.65}
SMALL_BUDGET_SECONDS = 60  # default mode, on 2 CPU cores


# --------------------------------------------------------------------------- exercise 1


def check_class_counts(fn) -> str:
    """Exercise 1: ``class_counts(y, num_classes=10)``."""
    ex = "class_counts"
    cases = [
        (np.array([0, 1, 1, 3, 9, 9, 9], dtype=np.uint8), {}, [1, 2, 0, 1, 0, 0, 0, 0, 0, 3]),
        (np.array([2, 2, 0], dtype=np.int64), {"num_classes": 4}, [1, 0, 2, 0]),
        (np.repeat(np.arange(10), 6), {}, [6] * 10),
        (np.array([], dtype=np.int64), {"num_classes": 3}, [0, 0, 0]),
    ]
    for y, kwargs, expected in cases:
        before = y.copy()
        shown = f"{ex}({y.tolist()}{''.join(f', {k}={v}' for k, v in kwargs.items())})"
        got = call(fn, y, exercise=ex, **kwargs)
        if type(got) is np.ndarray and got.shape == (len(set(y.tolist())),) and 0 in expected:
            fail(
                f"{shown}: got {got.tolist()}, only the classes that occur; expected all "
                f"{len(expected)} counts {expected}, with 0 for absent classes.",
                "np.bincount(y, minlength=num_classes) counts every class, present or not.",
            )
        expect_array(
            got,
            np.array(expected),
            what=shown,
            dtype_kind="iu",
            hint="count[c] = number of labels equal to c, for c = 0 … num_classes − 1.",
        )
        if not np.array_equal(y, before):
            fail(f"{shown} changed its input; leave y as it was.")
    expect_raises(
        fn,
        np.array([0, 10, 3]),
        exercise=ex,
        hint="label 10 is not a class of 0 … 9: raise ValueError.",
    )
    expect_raises(
        fn,
        np.array([0, -1]),
        exercise=ex,
        hint="a negative label is not a class: raise ValueError.",
    )
    expect_raises(
        fn,
        np.array([0.5, 1.0]),
        exercise=ex,
        hint="labels are whole numbers: refuse a float array with ValueError.",
    )
    return passed(ex)


# --------------------------------------------------------------------------- exercises 2 and 3


def _whole(got, what: str) -> None:
    """Fail unless ``got`` is a Python or NumPy integer (before comparing it with anything)."""
    if isinstance(got, bool) or not isinstance(got, int | np.integer):
        fail(f"{what}: expected a whole number (int), got {type(got).__name__}.")


def _conv_macs(h, w, k, c_in, c_out):
    return h * w * k * k * c_in * c_out


def check_conv_macs(fn) -> str:
    """Exercise 2: ``conv_macs(h_out, w_out, k, c_in, c_out)``."""
    ex = "conv_macs"
    cases = [
        (28, 28, 7, 1, 64),
        (14, 14, 3, 64, 128),
        (14, 14, 3, 128, 128),
        (7, 7, 3, 256, 256),
        (28, 28, 5, 1, 6),
        (10, 10, 5, 6, 16),
        (1, 1, 1, 1, 1),
        (13, 9, 3, 3, 8),
    ]
    for args in cases:
        got = call(fn, *args, exercise=ex)
        _whole(got, f"{ex}{args}")
        h, w, k, c_in, c_out = args
        if got == h * w * k * c_in * c_out and k > 1:
            fail(
                f"{ex}{args}: got {got}; the filter is k × k, so it has k² = {k * k} taps "
                "per input channel, not k.",
                "H_out · W_out · k · k · C_in · C_out.",
            )
        if got == h * w * k * k * c_out and c_in > 1:
            fail(
                f"{ex}{args}: got {got}; every filter spans all {c_in} input channels.",
                "multiply by C_in too: H_out · W_out · k² · C_in · C_out.",
            )
        if got == (k * k * c_in + 1) * c_out:
            fail(
                f"{ex}{args}: got {got}, the layer's weight count; the multiply-adds repeat "
                f"those weights at each of the {h}×{w} output positions.",
                "H_out · W_out · k² · C_in · C_out.",
            )
        expect_int(
            got, _conv_macs(*args), what=f"{ex}{args}", hint="H_out · W_out · k² · C_in · C_out."
        )
    for bad in [(0, 28, 3, 1, 8), (28, 28, 0, 1, 8), (28, 28, 3, -1, 8), (28, 28, 3, 1, 0)]:
        expect_raises(
            fn,
            *bad,
            exercise=ex,
            hint="every size must be a positive whole number: raise ValueError.",
        )
    return passed(ex)


def reference_macs(model) -> dict[str, int]:
    """``{layer name: multiply-adds per image}`` for the Conv2D and Dense layers of ``model``."""
    out = {}
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "Conv2D":
            kh, kw = layer.kernel_size
            c_in = int(layer.input.shape[-1])
            _, h, w, c_out = (int(d) if d is not None else 1 for d in layer.output.shape)
            out[layer.name] = h * w * kh * kw * c_in * c_out
        elif kind == "Dense":
            out[layer.name] = int(layer.input.shape[-1]) * int(layer.units)
    return out


def _macs_models():
    import keras
    from keras import layers

    from helpers import models

    odd = keras.Sequential(
        [
            keras.Input((30, 20, 3)),
            layers.Conv2D(8, (3, 5), strides=2, name="c1"),  # valid padding, stride 2
            layers.BatchNormalization(name="bn"),
            layers.MaxPooling2D(2, name="pool"),
            layers.Conv2D(16, 1, name="c2"),
            layers.GlobalAveragePooling2D(name="gap"),
            layers.Dense(5, name="out"),
        ],
        name="odd_shapes",
    )
    return [models.geron_fashion_cnn(), models.fast_fashion_cnn(), models.lenet5(), odd]


def check_model_macs(fn) -> str:
    """Exercise 3: ``model_macs(model)``: multiply-adds of Conv2D and Dense layers."""
    ex = "model_macs"
    for model in _macs_models():
        per_layer = reference_macs(model)
        expected = sum(per_layer.values())
        what = f"{ex}({model.name})"
        got = call(fn, model, exercise=ex)
        _whole(got, what)
        convs = sum(
            v for k, v in per_layer.items() if type(model.get_layer(k)).__name__ == "Conv2D"
        )
        if got == convs and convs != expected:
            fail(
                f"{what}: got {got:,}, the convolutions only; the Dense layers add "
                f"{expected - convs:,} (n_in · n_out each).",
                "add input units × output units for every Dense layer.",
            )
        if got == model.count_params():
            fail(
                f"{what}: got {got:,}, the number of weights, not the multiply-adds.",
                "a Conv2D weight is used once per output position: H_out · W_out · k² · C_in · "
                "C_out.",
            )
        expect_int(
            got,
            expected,
            what=what,
            hint="sum H_out · W_out · k_h · k_w · C_in · C_out over the Conv2D layers (read "
            "H_out, W_out from layer.output.shape, C_in from layer.input.shape, k from "
            "layer.kernel_size) and n_in · n_out over the Dense layers; other layers "
            "count 0.",
        )
    return passed(ex)


# --------------------------------------------------------------------------- exercise 4


def _rows(model) -> list[tuple[str, tuple, int]]:
    """(layer class, output shape without batch, weights) for every layer of ``model``."""
    rows = []
    for layer in model.layers:
        shape = tuple(int(d) for d in layer.output.shape[1:])
        rows.append((type(layer).__name__, shape, int(layer.count_params())))
    return rows


def _table(rows) -> str:
    return "\n".join(
        f"    {i:>2}  {k:<14} {str(s):<16} {n:>9,}" for i, (k, s, n) in enumerate(rows)
    )


def _check_geron(fn, input_shape, num_classes) -> None:
    import keras

    from helpers import models

    ex = "build_geron_cnn"
    shown = f"{ex}({input_shape}, {num_classes})"
    model = call(fn, input_shape, num_classes, exercise=ex)
    if not isinstance(model, keras.Model):
        fail(
            f"{shown}: expected a Keras model, got {type(model).__name__}.",
            "return keras.Sequential([keras.Input(input_shape), ...]).",
        )
    try:
        got_input = tuple(model.input_shape[1:])
    except (AttributeError, ValueError) as exc:
        fail(
            f"{shown}: the model has no defined input ({type(exc).__name__}).",
            "start the list with keras.Input(input_shape).",
        )
    if got_input != tuple(input_shape):
        fail(
            f"{shown}: input shape {got_input}, expected {tuple(input_shape)}.",
            "use the input_shape argument in keras.Input.",
        )
    ref = models.geron_fashion_cnn(input_shape, num_classes)
    mine, want = _rows(model), _rows(ref)
    if mine != want:
        first = next(
            (i for i, (a, b) in enumerate(zip(mine, want, strict=False)) if a != b),
            min(len(mine), len(want)),
        )
        fail(
            f"{shown}: your model differs from Géron's starting at layer {first}.\n"
            f"  yours (layer, output shape, weights):\n{_table(mine)}\n"
            f"  expected:\n{_table(want)}\n"
            f"  total: yours {model.count_params():,}, expected {ref.count_params():,}.",
            "Conv2D(64, 7) → MaxPooling2D(2) → 2× Conv2D(128, 3) → MaxPooling2D(2) → "
            "2× Conv2D(256, 3) → MaxPooling2D(2) → Flatten → Dense(128) → Dropout(0.5) → "
            "Dense(64) → Dropout(0.5) → Dense(num_classes); padding='same' in every Conv2D.",
        )
    rates = [float(layer.rate) for layer in model.layers if type(layer).__name__ == "Dropout"]
    if rates != [0.5, 0.5]:
        fail(
            f"{shown}: the dropout rates are {rates}; Géron drops half the units: 0.5 and 0.5.",
            "layers.Dropout(0.5) after Dense(128) and after Dense(64).",
        )
    ref.set_weights(model.get_weights())
    rng = np.random.default_rng(8)
    x = rng.uniform(0, 1, size=(3, *input_shape)).astype("float32")
    got = np.asarray(keras.ops.convert_to_numpy(model(x, training=False)), dtype=np.float64)
    expected = np.asarray(keras.ops.convert_to_numpy(ref(x, training=False)), dtype=np.float64)
    if float(np.abs(got.sum(axis=1) - 1).max()) > 1e-4:
        fail(
            f"{shown}: the outputs do not sum to 1; the last layer needs a softmax.",
            "Dense(num_classes, activation='softmax').",
        )
    expect_array(
        got,
        expected,
        what=f"{shown}: outputs with Géron's layers and your weights",
        atol=1e-4,
        dtype_kind="f",
        hint="ReLU in every Conv2D and hidden Dense layer; max (not average) pooling.",
    )


def check_build_geron_cnn(fn) -> str:
    """Exercise 4: ``build_geron_cnn(input_shape=(28, 28, 1), num_classes=10)``."""
    _check_geron(fn, (28, 28, 1), 10)
    _check_geron(fn, (32, 32, 3), 4)
    return passed("build_geron_cnn")


# --------------------------------------------------------------------------- exercise 5


def check_most_confused_pair(fn) -> str:
    """Exercise 5: ``most_confused_pair(cm)`` → (true class, predicted class)."""
    ex = "most_confused_pair"
    hint = (
        "ignore the diagonal (those are correct), find the largest remaining cell; its row "
        "is the true class and its column the predicted one."
    )
    cases = [
        ([[50, 3, 0], [1, 40, 9], [0, 4, 60]], (1, 2)),
        ([[90, 0], [7, 5]], (1, 0)),
        ([[5, 8, 1], [2, 99, 0], [8, 0, 70]], (0, 1)),  # tie 8/8: the first in row order
        ([[10, 0, 0, 0], [0, 10, 0, 3], [0, 0, 10, 0], [0, 4, 0, 10]], (3, 1)),
    ]
    for rows, expected in cases:
        cm = np.array(rows, dtype=np.int64)
        before = cm.copy()
        what = f"{ex}({rows})"
        got = call(fn, cm, exercise=ex)
        if type(got) is not tuple or len(got) != 2:
            fail(f"{what}: expected a tuple (true class, predicted class), got {got!r}.", hint)
        if got == (expected[1], expected[0]) and expected[0] != expected[1]:
            fail(
                f"{what}: got {got}, true and predicted swapped: rows are true classes, "
                "columns predicted ones.",
                "return (row, column).",
            )
        if got[0] == got[1]:
            fail(f"{what}: got {got}, a diagonal cell: those images were classified right.", hint)
        expect_int(got[0], expected[0], what=f"{what}[0] (true class)", hint=hint)
        expect_int(got[1], expected[1], what=f"{what}[1] (predicted class)", hint=hint)
        if not np.array_equal(cm, before):
            fail(f"{what} changed the matrix; work on a copy (cm.copy()).")
    expect_raises(
        fn,
        np.zeros((2, 3), dtype=np.int64),
        exercise=ex,
        hint="a confusion matrix is square: raise ValueError for a 2×3 array.",
    )
    expect_raises(
        fn,
        np.zeros(4, dtype=np.int64),
        exercise=ex,
        hint="a 1-D array is not a matrix: raise ValueError.",
    )
    return passed(ex)


# --------------------------------------------------------------------------- exercise 6


def check_overfitting_gap(fn) -> str:
    """Exercise 6: ``overfitting_gap(train_acc, val_acc)`` → (gap, best_epoch)."""
    ex = "overfitting_gap"
    cases = [
        ([0.80, 0.88, 0.92, 0.95], [0.84, 0.89, 0.90, 0.90], 0.05, 3),
        ([0.7, 0.9], [0.75, 0.8], 0.1, 2),
        (np.array([0.5]), np.array([0.6]), -0.1, 1),
        ([0.6, 0.8, 0.9, 0.97, 0.99], [0.7, 0.86, 0.88, 0.87, 0.85], 0.14, 3),
    ]
    for train, val, gap, best in cases:
        what = f"{ex}({list(np.asarray(train).tolist())}, {list(np.asarray(val).tolist())})"
        got = call(fn, train, val, exercise=ex)
        if type(got) is not tuple or len(got) != 2:
            fail(f"{what}: expected a tuple (gap, best_epoch), got {got!r}.")
        g, b = got
        if isinstance(g, float | np.floating) and abs(float(g) + gap) < 1e-9 and gap != 0:
            fail(
                f"{what}: gap {float(g):.4g} has the wrong sign: train minus validation.",
                "gap = train_acc[-1] - val_acc[-1]; positive when the model overfits.",
            )
        if b == best - 1:
            fail(
                f"{what}: best epoch {b}; epochs are numbered from 1 as Keras prints them.",
                "add 1 to the index of the best validation accuracy.",
            )
        expect_close(
            g,
            gap,
            what=f"{what}: gap",
            rel=1e-9,
            hint="the gap at the LAST epoch: train_acc[-1] - val_acc[-1].",
        )
        expect_int(
            b,
            best,
            what=f"{what}: best_epoch",
            hint="1 + the index of the highest validation accuracy (the first one on a tie).",
        )
    for bad in [([0.5, 0.6], [0.5]), ([], []), ([0.5, 1.2], [0.5, 0.6]), ([0.5], [-0.1])]:
        expect_raises(
            fn,
            *bad,
            exercise=ex,
            hint="equal, non-empty lengths and accuracies within [0, 1]; otherwise "
            "raise ValueError.",
        )
    return passed(ex)


# --------------------------------------------------------------------------- exercise 7


def _fashion_subset():
    from helpers import config, data
    from helpers.training import prepare_images

    mode = "fast" if config.is_fast() else "default"
    (x, y), (xt, yt) = data.load_fashion_mnist()
    n, m = SMALL_TRAIN[mode], SMALL_TEST[mode]
    return mode, prepare_images(x[:n]), y[:n].astype("int64"), prepare_images(xt[:m]), yt[:m]


def check_train_small_cnn(fn) -> str:
    """Exercise 7: ``train_small_cnn(x_train, y_train)`` reaches the mode's threshold."""
    import keras

    ex = "train_small_cnn"
    mode, x, y, x_test, y_test = _fashion_subset()
    start = time.perf_counter()
    model = call(fn, x, y, exercise=ex)
    seconds = time.perf_counter() - start
    if not isinstance(model, keras.Model):
        fail(
            f"{ex}: expected the trained Keras model, got {type(model).__name__}.",
            "return model after model.fit(...).",
        )
    probs = np.asarray(keras.ops.convert_to_numpy(model.predict(x_test, verbose=0)))
    if probs.shape != (len(x_test), 10):
        fail(
            f"{ex}: the model outputs shape {probs.shape} for {len(x_test)} images; "
            "expected one score per class, (N, 10).",
            "end with Dense(10, activation='softmax').",
        )
    acc = float((probs.argmax(axis=1) == y_test).mean())
    need = SMALL_THRESHOLD[mode]
    label = "FAST MODE threshold" if mode == "fast" else "threshold"
    note = " — a CI threshold, not the course's" if mode == "fast" else ""
    print(
        f"{ex}: trained on {len(x):,} images in {seconds:.1f} s; accuracy on {len(x_test):,} "
        f"test images {acc:.2%} ({label}: {need:.0%}{note}; budget about "
        f"{SMALL_BUDGET_SECONDS} s in the default mode)"
    )
    if not acc >= need:
        fail(
            f"{ex}: test accuracy {acc:.2%} is below the {label} {need:.0%}.",
            "two or three Conv2D + MaxPooling blocks, Adam, batch 64–128, a few epochs; "
            "check that labels and images match and that you return the trained model.",
        )
    return passed(ex)
