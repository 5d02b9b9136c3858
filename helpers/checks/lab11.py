"""Checks of lab 11 (training): schedules, initializer scales, batch norm, leaky ReLU, callbacks."""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

import numpy as np

from . import call, expect_array, expect_close, expect_int, expect_raises, fail, passed

__all__ = [
    "check_power_schedule", "check_exponential_schedule", "check_one_cycle_lr",
    "check_glorot_limit", "check_he_normal_std", "check_batchnorm_params", "check_leaky_relu",
    "check_make_callbacks",
]  # fmt: skip


def _expect_float(got, expected, *, what, hint, rel=1e-9):
    if isinstance(got, np.ndarray):
        fail(f"{what}: expected a single float, got a NumPy array of shape {got.shape}.", hint)
    expect_close(got, expected, what=what, rel=rel, hint=hint)


def _one_cycle_ref(step, total, max_lr, frac=0.25, start_div=25.0, final_div=1000.0):
    warm = max(1, round(total * frac))
    start, end = max_lr / start_div, max_lr / final_div
    if step < warm:
        return start + (max_lr - start) * step / warm
    progress = min(1.0, (step - warm) / max(1, total - warm))
    return end + (max_lr - end) * (1 + math.cos(math.pi * progress)) / 2


def check_power_schedule(fn) -> str:
    """Exercise 1: ``power_schedule(step, eta0, k)`` = eta0 / (1 + step / k)."""
    ex = "power_schedule"
    hint = "η(t) = eta0 / (1 + step / k): halved when step == k, a third at step == 2k."
    for step, eta0, k in [(300, 0.1, 100), (0, 0.1, 100), (100, 0.1, 100), (7, 0.01, 20),
                          (1, 1.0, 1), (5_000, 0.2, 100)]:  # fmt: skip
        expected = eta0 / (1 + step / k)
        got = call(fn, step, eta0, k, exercise=ex)
        if step == 300 and isinstance(got, float) and math.isclose(got, eta0 / (1 + k / step)):
            fail(f"{ex}(300, 0.1, 100): got {got:.6g}, which is eta0 / (1 + k / step).",
                 "the ratio is step / k, not k / step.")  # fmt: skip
        _expect_float(got, expected, what=f"{ex}({step}, {eta0}, {k})", hint=hint)
    return passed(ex)


def check_exponential_schedule(fn) -> str:
    """Exercise 2: ``exponential_schedule(step, eta0, decay_rate, decay_steps, staircase)``."""
    ex = "exponential_schedule"
    hint = ("eta0 * decay_rate ** (step / decay_steps); with staircase=True the exponent is "
            "step // decay_steps (rounded down).")  # fmt: skip
    cases = [
        ((0, 0.1, 0.1, 500), {}, 0.1), ((500, 0.1, 0.1, 500), {}, 0.01),
        ((250, 0.1, 0.1, 500), {}, 0.1 * 0.1**0.5), ((1000, 0.05, 0.5, 100), {}, 0.05 * 0.5**10),
        ((499, 0.1, 0.1, 500), {"staircase": True}, 0.1),
        ((500, 0.1, 0.1, 500), {"staircase": True}, 0.01),
        ((1234, 0.2, 0.5, 300), {"staircase": True}, 0.2 * 0.5**4),
        ((1234, 0.2, 0.5, 300), {"staircase": False}, 0.2 * 0.5 ** (1234 / 300)),
    ]  # fmt: skip
    for args, kwargs, expected in cases:
        shown = ", ".join([str(a) for a in args] + [f"{k}={v}" for k, v in kwargs.items()])
        got = call(fn, *args, exercise=ex, **kwargs)
        if (
            kwargs.get("staircase")
            and isinstance(got, float)
            and not math.isclose(got, expected)
            and math.isclose(got, args[1] * args[2] ** (args[0] / args[3]))
        ):
            fail(f"{ex}({shown}): got {got:.6g}, the smooth curve; staircase=True was ignored.",
                 hint)  # fmt: skip
        _expect_float(got, expected, what=f"{ex}({shown})", hint=hint)
    return passed(ex)


def check_one_cycle_lr(fn) -> str:
    """Exercise 3: ``one_cycle_lr(step, total_steps, max_lr, ...)``, as helpers.training."""
    ex = "one_cycle_lr"
    hint = ("warm = max(1, round(total_steps * warmup_fraction)); a line from max_lr/start_div "
            "to max_lr before warm; after it end + (max_lr - end) * (1 + cos(pi * progress)) / 2 "
            "with progress capped at 1.")  # fmt: skip
    cases = [
        ((0, 1000, 0.1), {}), ((125, 1000, 0.1), {}), ((250, 1000, 0.1), {}),
        ((625, 1000, 0.1), {}), ((1000, 1000, 0.1), {}), ((1200, 1000, 0.1), {}),
        ((3, 10, 0.5), {"warmup_fraction": 0.3}), ((9, 10, 0.5), {"warmup_fraction": 0.3}),
        ((40, 200, 1.0), {"start_div": 10.0, "final_div": 100.0}),
        ((150, 200, 1.0), {"start_div": 10.0, "final_div": 100.0}),
    ]  # fmt: skip
    for args, kwargs in cases:
        frac = kwargs.get("warmup_fraction", 0.25)
        expected = _one_cycle_ref(*args, frac, kwargs.get("start_div", 25.0),
                                  kwargs.get("final_div", 1000.0))  # fmt: skip
        shown = ", ".join([str(a) for a in args] + [f"{k}={v}" for k, v in kwargs.items()])
        got = call(fn, *args, exercise=ex, **kwargs)
        if args[0] > args[1] and isinstance(got, float) and got > expected * 1.01:
            fail(f"{ex}({shown}): after total_steps the rate must stay at max_lr/final_div = "
                 f"{expected:.6g}, got {got:.6g}.", "cap progress at 1: min(1, ...).")  # fmt: skip
        _expect_float(got, expected, what=f"{ex}({shown})", hint=hint, rel=1e-7)
    # the same curve as the course's Keras schedule
    try:
        from helpers.training import one_cycle

        sched = one_cycle(0.1, 400)
        for step in (0, 50, 100, 101, 399, 400):
            keras_value = float(np.asarray(sched(step)))
            got = call(fn, step, 400, 0.1, exercise=ex)
            _expect_float(got, keras_value, what=f"{ex}({step}, 400, 0.1) vs helpers.training."
                          "one_cycle", hint=hint, rel=1e-5)  # fmt: skip
    except ImportError:  # pragma: no cover - Keras is part of the course's environment
        pass
    return passed(ex)


def _check_fan_errors(fn, ex, arity):
    bad = [0, -3, 2.5, True] if arity == 1 else [(0, 10), (10, -1), (2.5, 4), (3, None)]
    for b in bad:
        args = (b,) if arity == 1 else b
        expect_raises(fn, *args, exercise=ex,
                      hint="fans must be positive whole numbers: check with isinstance(fan, int) "
                           "and fan > 0, and raise ValueError otherwise.")  # fmt: skip


def check_glorot_limit(fn) -> str:
    """Exercise 4a: ``glorot_limit(fan_in, fan_out)`` = sqrt(6 / (fan_in + fan_out))."""
    ex = "glorot_limit"
    hint = "L = math.sqrt(6 / (fan_in + fan_out)) (the sum of the fans, under a 6)."
    for fan_in, fan_out in [(400, 200), (784, 128), (3 * 3 * 16, 3 * 3 * 32), (1, 1), (100, 100)]:
        got = call(fn, fan_in, fan_out, exercise=ex)
        what = f"{ex}({fan_in}, {fan_out})"
        if isinstance(got, float) and math.isclose(got, math.sqrt(2 / (fan_in + fan_out))):
            fail(f"{what}: got {got:.6g}, the standard deviation √(2/(fan_in+fan_out)); the "
                 "limit of the uniform distribution is √3 times larger.", hint)  # fmt: skip
        _expect_float(got, math.sqrt(6 / (fan_in + fan_out)), what=what, hint=hint)
    _check_fan_errors(fn, ex, 2)
    return passed(ex)


def check_he_normal_std(fn) -> str:
    """Exercise 4b: ``he_normal_std(fan_in)`` = sqrt(2 / fan_in)."""
    ex = "he_normal_std"
    hint = "σ = math.sqrt(2 / fan_in); for a 3×3 convolution on 16 channels fan_in = 144."
    for fan_in in [400, 144, 1, 784, 4608]:
        got = call(fn, fan_in, exercise=ex)
        if isinstance(got, float) and math.isclose(got, 2 / fan_in):
            fail(f"{ex}({fan_in}): got {got:.6g}, the variance 2/fan_in; return its square root.",
                 hint)  # fmt: skip
        _expect_float(got, math.sqrt(2 / fan_in), what=f"{ex}({fan_in})", hint=hint)
    _check_fan_errors(fn, ex, 1)
    return passed(ex)


def check_batchnorm_params(fn) -> str:
    """Exercise 5: ``batchnorm_params(channels)`` → (trainable, non_trainable)."""
    ex = "batchnorm_params"
    hint = "γ and β are trained (2 per channel); the moving mean and variance are not (2 more)."
    for c in [32, 1, 64, 224, 2048]:
        got = call(fn, c, exercise=ex)
        if type(got) is not tuple or len(got) != 2:
            fail(f"{ex}({c}): expected a tuple (trainable, non_trainable), got {got!r}.", hint)
        expect_int(got[0], 2 * c, what=f"{ex}({c})[0] (trainable)", hint=hint)
        expect_int(got[1], 2 * c, what=f"{ex}({c})[1] (non-trainable)", hint=hint)
    for bad in [0, -4, 3.0, True]:
        expect_raises(fn, bad, exercise=ex, hint="raise ValueError unless channels is an int > 0.")
    return passed(ex)


def check_leaky_relu(fn) -> str:
    """Exercise 6: ``leaky_relu(x, alpha=0.3)`` element-wise, float output, input unchanged."""
    ex = "leaky_relu"
    hint = "np.where(x > 0, x, alpha * x) on a float array; the default alpha is 0.3."
    rng = np.random.default_rng(11)
    cases = [
        (np.array([-2.0, -0.5, 0.0, 0.5, 3.0]), {}),
        (np.array([-10, -1, 0, 1, 10], dtype=np.int64), {}),
        (rng.normal(size=(4, 6)), {"alpha": 0.01}),
        (rng.normal(size=(2, 3, 5)).astype(np.float32), {"alpha": 0.2}),
        (np.array([[-4.0, 4.0]]), {"alpha": 1.0}),
    ]  # fmt: skip
    for x, kwargs in cases:
        alpha = kwargs.get("alpha", 0.3)
        xf = x.astype(np.float64)
        expected = np.where(xf > 0, xf, alpha * xf)
        before = x.copy()
        extra = f", alpha={alpha}" if kwargs else ""
        what = f"{ex}(x of shape {x.shape}, dtype {x.dtype}{extra})"
        got = call(fn, x, exercise=ex, **kwargs)
        if type(got) is np.ndarray and got.shape == x.shape and got.dtype.kind in "iu":
            fail(f"{what}: integer result {got.dtype}; -1 · 0.3 is not a whole number.",
                 "convert x to float first: np.asarray(x, dtype=np.float64).")  # fmt: skip
        if (
            type(got) is np.ndarray
            and got.shape == x.shape
            and not kwargs
            and np.all(np.abs(got - np.where(xf > 0, xf, 0.01 * xf)) < 1e-6)
            and (xf < 0).any()
        ):
            fail(f"{what}: you used alpha = 0.01; the default here is 0.3 (Keras' LeakyReLU).",
                 hint)  # fmt: skip
        expect_array(got, expected, what=what, atol=1e-6, dtype_kind="f", hint=hint)
        if not np.array_equal(x, before):
            fail(f"{what}: the input x was changed; return a new array instead.", hint)
    return passed(ex)


def _same_path(got, expected: Path) -> bool:
    try:
        return Path(os.fspath(got)).resolve() == expected.resolve()
    except TypeError:
        return False


def _setting_ok(value, wanted) -> bool:
    """Exact for bools and strings and ints; close for floats (no object claiming equality)."""
    if isinstance(wanted, bool):
        return type(value) is bool and value is wanted
    if isinstance(wanted, str):
        return type(value) is str and value == wanted
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        return False
    return math.isclose(float(value), float(wanted), rel_tol=1e-9)


def check_make_callbacks(fn) -> str:
    """Exercise 7: ``make_callbacks(folder)``: checkpoint, early stop, plateau, CSV logger."""
    import keras

    ex = "make_callbacks"
    kinds = [keras.callbacks.ModelCheckpoint, keras.callbacks.EarlyStopping,
             keras.callbacks.ReduceLROnPlateau, keras.callbacks.CSVLogger]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        for folder in (Path(tmp), str(Path(tmp) / "sub")):
            got = call(fn, folder, exercise=ex)
            folder = Path(folder)
            if type(got) is not list:
                fail(f"{ex}: expected a list of callbacks, got {type(got).__name__}.")
            if len(got) != 4:
                fail(
                    f"{ex}: expected 4 callbacks, got {len(got)}.",
                    "ModelCheckpoint, EarlyStopping, ReduceLROnPlateau, CSVLogger — in order.",
                )
            for i, (cb, kind) in enumerate(zip(got, kinds, strict=True)):
                if type(cb) is not kind:
                    fail(f"{ex}: item {i} should be keras.callbacks.{kind.__name__}, got "
                         f"{type(cb).__name__}.", "keep the order of the exercise.")  # fmt: skip
            ckpt, early, plateau, logger = got
            if not _same_path(ckpt.filepath, folder / "best.keras"):
                fail(f"{ex}: ModelCheckpoint saves to {ckpt.filepath!r}, expected "
                     f"{str(folder / 'best.keras')!r}.", "folder / 'best.keras'")  # fmt: skip
            settings = [
                ("ModelCheckpoint", "monitor", ckpt.monitor, "val_loss"),
                ("ModelCheckpoint", "save_best_only", ckpt.save_best_only, True),
                ("ModelCheckpoint", "save_weights_only", ckpt.save_weights_only, False),
                ("EarlyStopping", "monitor", early.monitor, "val_loss"),
                ("EarlyStopping", "patience", early.patience, 5),
                ("EarlyStopping", "restore_best_weights", early.restore_best_weights, True),
                ("ReduceLROnPlateau", "monitor", plateau.monitor, "val_loss"),
                ("ReduceLROnPlateau", "factor", plateau.factor, 0.2),
                ("ReduceLROnPlateau", "patience", plateau.patience, 2),
                ("ReduceLROnPlateau", "min_lr", plateau.min_lr, 1e-5),
            ]  # fmt: skip
            for cls, attr, value, wanted in settings:
                if not _setting_ok(value, wanted):
                    fail(f"{ex}: {cls}.{attr} is {value!r}, expected {wanted!r}.",
                         f"pass {attr}={wanted!r} to keras.callbacks.{cls}.")  # fmt: skip
            if not _same_path(logger.filename, folder / "log.csv"):
                fail(f"{ex}: CSVLogger writes to {logger.filename!r}, expected "
                     f"{str(folder / 'log.csv')!r}.", "folder / 'log.csv'")  # fmt: skip
    return passed(ex)
