"""Checks of lab 09 (CIFAR-10 and overfitting): gap, weight counts, baseline CNN, ensembles."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from . import call, expect_array, expect_close, expect_int, expect_raises, fail, passed

__all__ = [
    "check_overfitting_gap", "check_conv_params", "check_separable_params",
    "check_build_baseline_cnn", "check_ensemble_predict", "check_per_class_accuracy",
    "BASELINE_SUMMARY",
]  # fmt: skip

#: The baseline of the lab: (layer type, output shape, weights) for every layer, Activation
#: layers left out (``activation="relu"`` inside the layer and a separate ``Activation`` layer
#: are both accepted).
BASELINE_SUMMARY = [
    ("Conv2D", (None, 32, 32, 32), 896),
    ("Conv2D", (None, 30, 30, 32), 9_248),
    ("MaxPooling2D", (None, 15, 15, 32), 0),
    ("Conv2D", (None, 15, 15, 64), 18_496),
    ("Conv2D", (None, 13, 13, 64), 36_928),
    ("MaxPooling2D", (None, 6, 6, 64), 0),
    ("Flatten", (None, 2_304), 0),
    ("Dense", (None, 512), 1_180_160),
    ("Dense", (None, 10), 5_130),
]


def _float_result(got, what: str, hint: str) -> float:
    if isinstance(got, bool) or not isinstance(got, float | int | np.floating | np.integer):
        fail(f"{what}: expected a float, got {type(got).__name__} {got!r}.", hint)
    return float(got)


def check_overfitting_gap(fn) -> str:
    """Exercise 1: ``overfitting_gap(history)``: last training minus last validation accuracy."""
    ex = "overfitting_gap"
    hint = ("take h = history.history if it has that attribute, else history itself; "
            "return h['accuracy'][-1] - h['val_accuracy'][-1] "
            "(the last epoch, not the best one).")  # fmt: skip
    seed = {"accuracy": [0.40, 0.62, 0.81, 0.90], "val_accuracy": [0.42, 0.50, 0.56, 0.55]}
    cases = [
        (seed, 0.90 - 0.55, "the seed's LeNet-5 history as a dict"),
        (SimpleNamespace(history=seed), 0.90 - 0.55, "an object with a .history dict (a History)"),
        ({"accuracy": [0.3, 0.95, 0.7], "val_accuracy": [0.2, 0.9, 0.6], "loss": [2, 1, 1.5]},
         0.7 - 0.6, "a history whose best epoch is not the last"),
        ({"accuracy": [0.5, 0.61], "val_accuracy": [0.55, 0.66]}, 0.61 - 0.66,
         "a history where validation beats training (negative gap)"),
        ({"accuracy": [0.875], "val_accuracy": [0.5]}, 0.375, "a one-epoch history"),
    ]  # fmt: skip
    for history, expected, what in cases:
        shown = f"{ex}({what})"
        if isinstance(history, SimpleNamespace):
            try:
                fn(history)
            except (TypeError, KeyError, AttributeError) as exc:
                fail(f"{shown} raised {type(exc).__name__}: {exc}",
                     "model.fit returns a History object; its dict is history.history. "
                     "Use getattr(history, 'history', history).")  # fmt: skip
            except Exception:  # reported by call() below
                pass
        got = _float_result(call(fn, history, exercise=ex), shown, hint)
        if abs(got + expected) < 1e-9 and expected != 0:
            fail(f"{shown}: expected {expected:+.4f}, got {got:+.4f}: the sign is flipped.",
                 "the gap is training accuracy MINUS validation accuracy.")  # fmt: skip
        expect_close(got, expected, what=shown, rel=1e-9, hint=hint)
    expect_raises(
        fn, {"accuracy": [0.9], "loss": [0.3]}, exercise=ex,
        hint="without 'val_accuracy' (a model fit without validation data) raise ValueError.",
    )  # fmt: skip
    return passed(ex)


def check_conv_params(fn) -> str:
    """Exercise 2: ``conv_params(k, c_in, c_out)``: weights of a k×k Conv2D with biases."""
    ex = "conv_params"
    for args, expected in [((3, 3, 32), 896), ((3, 32, 64), 18_496), ((5, 3, 6), 456),
                           ((1, 64, 128), 8_320), ((7, 1, 64), 3_200)]:  # fmt: skip
        expect_int(
            call(fn, *args, exercise=ex), expected, what=f"{ex}{args}",
            hint="k·k·c_in weights per filter, c_out filters, plus one bias per filter.",
        )  # fmt: skip
    return passed(ex)


def check_separable_params(fn) -> str:
    """Exercise 3: ``separable_params(k, c_in, c_out, depth_multiplier=1)``."""
    ex = "separable_params"
    hint = ("depthwise: k·k weights for each of the c_in·depth_multiplier channels it makes; "
            "pointwise 1×1: (c_in·depth_multiplier)·c_out weights + c_out biases.")  # fmt: skip
    cases = [((3, 32, 64), {}, 2_400), ((3, 3, 32), {}, 155), ((3, 64, 64), {}, 4_736),
             ((5, 16, 8), {}, 536), ((3, 32, 64), {"depth_multiplier": 2}, 4_736),
             ((3, 8, 4), {"depth_multiplier": 3}, 316)]  # fmt: skip
    for args, kwargs, expected in cases:
        extra = "".join(f", {k}={v}" for k, v in kwargs.items())
        got = call(fn, *args, exercise=ex, **kwargs)
        if args == (3, 32, 64) and not kwargs and got == 18_496:
            fail(
                f"{ex}(3, 32, 64): got 18,496, the count of a standard Conv2D.",
                "a separable convolution filters each channel alone, then mixes them 1×1.",
            )
        shown = f"{ex}({', '.join(str(a) for a in args)}{extra})"
        expect_int(got, expected, what=shown, hint=hint)
    return passed(ex)


def _summary(model, ex: str) -> list[tuple[str, tuple, int, str | None]]:
    """(type, output shape, weights, activation) of each layer; Activation layers folded in."""
    import keras

    if not isinstance(model, keras.Model):
        fail(f"{ex}: expected a keras Model (e.g. keras.Sequential), got {type(model).__name__}.",
             "return the model you built.")  # fmt: skip
    rows: list[list] = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        act = getattr(getattr(layer, "activation", None), "__name__", None)
        if kind == "Activation":
            if not rows:
                fail(f"{ex}: the model starts with an Activation layer.")
            rows[-1][3] = act
            continue
        try:
            shape = tuple(layer.output.shape)
        except (AttributeError, ValueError):
            fail(f"{ex}: layer {layer.name!r} has no output shape: the model is not built.",
                 "start the Sequential model with keras.Input(shape=input_shape).")  # fmt: skip
        rows.append([kind, shape, int(layer.count_params()), act])
    return [tuple(r) for r in rows]


def _show(rows) -> str:
    return "\n".join(f"  {k:<14} {str(s):<22} {n:>10,}" for k, s, n, *_ in rows)


def _compare_summary(got, expected, shown: str) -> None:
    if [r[0] for r in got] != [r[0] for r in expected]:
        fail(
            f"{shown}: the layers (Activation layers left out) should be\n{_show(expected)}\n"
            f"got\n{_show(got)}",
            "2 × [Conv2D, Conv2D, MaxPooling2D], then Flatten, Dense(512), Dense(classes).",
        )
    for i, ((kind, shape, n, act), (_, e_shape, e_n)) in enumerate(zip(got, expected, strict=True)):
        where = f"{shown}: layer {i + 1} ({kind})"
        if shape != e_shape:
            fail(f"{where}: expected output shape {e_shape}, got {shape}.",
                 "the first convolution of each block uses padding='same', the second "
                 "padding='valid' (the default); pooling is 2×2.")  # fmt: skip
        if n != e_n:
            fail(
                f"{where}: expected {e_n:,} weights, got {n:,}.",
                "3×3 kernels; 32, 32, 64, 64 filters; Dense(512); all with biases.",
            )
        if kind in ("Conv2D", "Dense"):
            want = "softmax" if i == len(got) - 1 else "relu"
            if act != want:
                fail(f"{where}: expected a {want} activation, got {act or 'none'}.",
                     "activation='relu' on hidden layers and 'softmax' on the output "
                     "(or an Activation layer right after).")  # fmt: skip


def check_build_baseline_cnn(fn) -> str:
    """Exercise 4: ``build_baseline_cnn(input_shape=(32, 32, 3), num_classes=10)``."""
    ex = "build_baseline_cnn"
    model = call(fn, exercise=ex)
    _compare_summary(_summary(model, ex), BASELINE_SUMMARY, f"{ex}()")
    expect_int(model.count_params(), 1_250_858, what=f"{ex}().count_params()")
    out = np.asarray(model.predict(np.zeros((2, 32, 32, 3), np.float32), verbose=0))
    if out.shape != (2, 10) or not np.all(np.abs(out.sum(axis=1) - 1) < 1e-4):
        fail(f"{ex}(): predictions should be 10 probabilities per image summing to 1.")
    five = BASELINE_SUMMARY[:-1] + [("Dense", (None, 5), 512 * 5 + 5)]
    model5 = call(fn, num_classes=5, exercise=ex)
    _compare_summary(_summary(model5, ex), five, f"{ex}(num_classes=5)")
    return passed(ex)


def check_ensemble_predict(fn) -> str:
    """Exercise 5: ``ensemble_predict(prob_list)``: argmax of the averaged probabilities."""
    ex = "ensemble_predict"
    hint = "np.mean(np.stack(prob_list), axis=0).argmax(axis=1): average first, then argmax."
    p1 = np.array([[0.6, 0.4, 0.0], [0.1, 0.2, 0.7], [0.3, 0.3, 0.4]])
    p2 = np.array([[0.2, 0.8, 0.0], [0.3, 0.3, 0.4], [0.1, 0.6, 0.3]])
    p3 = np.array([[0.55, 0.45, 0.0], [0.0, 0.9, 0.1], [0.5, 0.1, 0.4]])
    rng = np.random.default_rng(9)
    many = [rng.dirichlet(np.ones(10), size=40) for _ in range(5)]
    cases = [
        ([p1, p2, p3], "three models (sample 0: two of three vote class 0, the average says 1)"),
        ([p1], "a single model"),
        ([p1, p2], "two models"),
        (many, "five models, 40 images, 10 classes"),
    ]
    for probs, what in cases:
        before = [p.copy() for p in probs]
        expected = np.mean(np.stack(probs), axis=0).argmax(axis=1)
        got = call(fn, probs, exercise=ex)
        if type(got) is np.ndarray and got.shape == expected.shape and probs is cases[0][0]:
            if got.tolist()[0] == 0:
                fail(
                    f"{ex}({what}): sample 0 predicted 0: that is a majority vote.",
                    "average the probabilities, do not count the votes.",
                )
        expect_array(got, expected, what=f"{ex}({what})", dtype_kind="iu", hint=hint)
        if any(not np.array_equal(a, b) for a, b in zip(probs, before, strict=True)):
            fail(f"{ex}({what}) changed the arrays it was given.")
    expect_raises(fn, [], exercise=ex, hint="an empty list has nothing to average.")
    expect_raises(
        fn,
        [p1, p2[:2]],
        exercise=ex,
        hint="all arrays must have the same shape (same images, same classes).",
    )
    return passed(ex)


def _expected_per_class(y_true, y_pred, n):
    out = np.full(n, np.nan)
    for c in range(n):
        mask = y_true == c
        if mask.any():
            out[c] = np.mean(y_pred[mask] == c)
    return out


def check_per_class_accuracy(fn) -> str:
    """Exercise 6: ``per_class_accuracy(y_true, y_pred, n)``; NaN for classes with no samples."""
    ex = "per_class_accuracy"
    hint = ("for each class c: among the samples whose TRUE label is c, the fraction predicted "
            "c; np.nan when no sample is of class c.")  # fmt: skip
    rng = np.random.default_rng(90)
    y = rng.integers(0, 10, 200)
    noisy = np.where(rng.random(200) < 0.7, y, rng.integers(0, 10, 200))
    cases = [
        (np.array([0, 0, 1, 1, 2, 2]), np.array([0, 1, 1, 1, 0, 0]), 3, "a small example"),
        (np.array([0, 1, 1, 1]), np.array([1, 1, 0, 1]), 2, "precision ≠ recall"),
        (np.array([0, 2, 2]), np.array([0, 2, 1]), 4, "classes 1 and 3 have no samples"),
        (y, noisy, 10, "200 samples, 10 classes"),
    ]
    for y_true, y_pred, n, what in cases:
        shown = f"{ex}({what}, n={n})"
        expected = _expected_per_class(y_true, y_pred, n)
        got = call(fn, y_true.copy(), y_pred.copy(), n, exercise=ex)
        if type(got) is not np.ndarray:
            fail(f"{shown}: expected a NumPy array, got {type(got).__name__}.", hint)
        if got.shape != (n,) or got.dtype.kind != "f":
            fail(f"{shown}: expected a float array of shape ({n},), got {got.dtype} {got.shape}.",
                 hint)  # fmt: skip
        missing = np.isnan(expected)
        if not np.array_equal(np.isnan(got), missing):
            fail(f"{shown}: NaN expected exactly for the classes without samples "
                 f"{np.flatnonzero(missing).tolist()}, got NaN at "
                 f"{np.flatnonzero(np.isnan(got)).tolist()}.", hint)  # fmt: skip
        expect_array(got[~missing], expected[~missing], what=shown, atol=1e-9, dtype_kind="f",
                     hint=hint)  # fmt: skip
    expect_raises(
        fn,
        np.array([0, 1]),
        np.array([0]),
        2,
        exercise=ex,
        hint="y_true and y_pred must have the same length.",
    )
    return passed(ex)
