"""Checks of lab 05 (pooling): output sizes, max/average/global/depthwise pooling in NumPy."""

from __future__ import annotations

import numpy as np

from . import call, expect_close, expect_int, expect_raises, fail, passed

__all__ = [
    "check_pool_output_size", "check_max_pool2d", "check_avg_pool2d", "check_fraction_dropped",
    "check_global_average_pool", "check_depthwise_max_pool",
]  # fmt: skip

SEED_MAP = [[2, 3, 1, 9], [4, 7, 3, 5], [8, 2, 2, 2], [1, 3, 4, 5]]


def _expect_array(got, expected, *, what: str, kinds: str, hint: str, tol: float = 1e-9) -> None:
    """Strict array comparison: exact type np.ndarray, shape, dtype kind, then values."""
    expected = np.asarray(expected, dtype=np.float64)
    if type(got) is not np.ndarray:
        fail(f"{what}: expected a NumPy array (np.ndarray), got {type(got).__name__}.", hint)
    if got.shape != expected.shape:
        fail(f"{what}: expected shape {expected.shape}, got {got.shape}.", hint)
    if got.dtype.kind not in kinds:
        names = {"f": "float", "i": "int", "u": "unsigned int"}
        wanted = " or ".join(names[k] for k in kinds)
        fail(f"{what}: expected a {wanted} array, got dtype {got.dtype}.", hint)
    diff = np.subtract(np.array(got, dtype=np.float64), expected)
    worst = float(np.max(np.abs(diff))) if diff.size else 0.0
    if not worst <= tol:  # `not <=` also catches NaN
        fail(f"{what}: expected\n{expected}\ngot\n{np.array(got, dtype=np.float64)}", hint)


def _reference_pool(x, size, stride, op):
    x = np.asarray(x, dtype=np.float64)
    rows = (x.shape[0] - size) // stride + 1
    cols = (x.shape[1] - size) // stride + 1
    out = np.empty((rows, cols))
    for i in range(rows):
        for j in range(cols):
            out[i, j] = op(x[i * stride:i * stride + size, j * stride:j * stride + size])
    return out


def check_pool_output_size(fn) -> str:
    """Exercise 1: ``pool_output_size(n, size, stride, padding="valid")``."""
    ex = "pool_output_size"
    cases = [
        ((28, 2, 2), {}, 14), ((27, 2, 2), {}, 13), ((27, 2, 2), {"padding": "same"}, 14),
        ((28, 2, 1), {}, 27), ((28, 2, 1), {"padding": "same"}, 28), ((55, 3, 2), {}, 27),
        ((773, 2, 2), {"padding": "valid"}, 386), ((773, 2, 2), {"padding": "same"}, 387),
        ((4, 4, 1), {}, 1),
    ]  # fmt: skip
    for args, kwargs, expected in cases:
        shown = ", ".join([str(a) for a in args] + [f"padding={v!r}" for v in kwargs.values()])
        expect_int(
            call(fn, *args, exercise=ex, **kwargs), expected, what=f"{ex}({shown})",
            hint="valid: (n - size) // stride + 1; same: ceil(n / stride), i.e. -(-n // stride).",
        )  # fmt: skip
    for bad in [(10, 0, 1), (10, 2, 0), (10, -2, 2), (3, 4, 1), (10, 2, 2, "full")]:
        expect_raises(
            fn, *bad, exercise=ex,
            hint="size and stride must be positive, padding 'valid' or 'same', "
                 "and a 'valid' window must fit inside the input.",
        )  # fmt: skip
    return passed(ex)


def _pool_cases():
    rng = np.random.default_rng(5)
    odd = rng.integers(0, 256, size=(7, 9)).astype(np.uint8)
    neg = rng.normal(size=(6, 6)) - 3  # all negative: a max that starts from 0 is wrong
    return [
        (np.array(SEED_MAP), {}, 2, 2),
        (np.array([[0, 123, 127, 167], [54, 234, 124, 0], [64, 76, 0, 241], [0, 235, 222, 0]]),
         {"size": 2}, 2, 2),
        (odd, {"size": 2}, 2, 2),  # valid: the odd last row and column are dropped
        (odd, {"size": 3, "stride": 2}, 3, 2),  # overlapping windows
        (neg, {"size": 2, "stride": 1}, 2, 1),
        (neg, {"size": 3}, 3, 3),
    ]  # fmt: skip


def _check_pool(fn, ex, op, kinds, hint):
    for x, kwargs, size, stride in _pool_cases():
        before, expected = x.copy(), _reference_pool(x, size, stride, op)
        extra = "".join(f", {k}={v}" for k, v in kwargs.items())
        shown = f"{ex}(x of shape {x.shape}{extra})"
        got = call(fn, x, exercise=ex, **kwargs)
        _expect_array(got, expected, what=shown, kinds=kinds, hint=hint)
        if not np.array_equal(x, before):
            fail(f"{shown} changed its input x; pooling must leave it as it was.")


def check_max_pool2d(fn) -> str:
    """Exercise 2: ``max_pool2d(x, size=2, stride=None)``, valid padding."""
    ex = "max_pool2d"
    _check_pool(
        fn, ex, np.max, "fiu",
        hint="output (i, j) is x[i*stride:i*stride+size, j*stride:j*stride+size].max(); "
             "stride=None means stride=size; rows = (H - size) // stride + 1.",
    )  # fmt: skip
    return passed(ex)


def check_avg_pool2d(fn) -> str:
    """Exercise 3: ``avg_pool2d(x, size=2, stride=None)``, valid padding, float output."""
    ex = "avg_pool2d"
    got = call(fn, np.array(SEED_MAP), exercise=ex)
    if type(got) is np.ndarray and got.shape == (2, 2) and got.dtype.kind in "iu":
        fail(f"{ex}: the result has integer dtype {got.dtype}; the bottom-left mean is 3.5.",
             "create the output with dtype float64 (np.empty(..., dtype=np.float64)).")  # fmt: skip
    _check_pool(
        fn, ex, np.mean, "f",
        hint="output (i, j) is the mean of x[i*stride:i*stride+size, j*stride:j*stride+size], "
             "in a float array; stride=None means stride=size.",
    )  # fmt: skip
    return passed(ex)


def check_fraction_dropped(fn) -> str:
    """Exercise 4: ``fraction_dropped(shape, size=2, stride=None)``, valid padding."""
    ex = "fraction_dropped"
    cases = [
        (((576, 768, 3),), {}, 0.75),
        (((28, 28, 64),), {"size": 2, "stride": 1}, 1 - 27 * 27 / (28 * 28)),
        (((512, 773, 3),), {}, 1 - 256 * 386 / (512 * 773)),
        (((55, 55, 96),), {"size": 3, "stride": 2}, 1 - 27 * 27 / (55 * 55)),
        (((9, 9, 1),), {"size": 3}, 1 - 9 / 81),
    ]
    for args, kwargs, expected in cases:
        shown = f"{ex}({args[0]}" + "".join(f", {k}={v}" for k, v in kwargs.items()) + ")"
        got = call(fn, *args, exercise=ex, **kwargs)
        if type(got) is not float and not isinstance(got, np.floating):
            fail(f"{shown}: expected a float, got {type(got).__name__} {got!r}.",
                 "return 1 - output_values / input_values as a float.")  # fmt: skip
        expect_close(
            got, expected, what=shown, rel=1e-9,
            hint="the fraction DROPPED is 1 - (out_h * out_w) / (H * W); the channels cancel; "
                 "valid padding drops odd leftover rows/columns.",
        )  # fmt: skip
    return passed(ex)


def check_global_average_pool(fn) -> str:
    """Exercise 5: ``global_average_pool(x)`` for ``(H, W, C)`` -> ``(C,)`` float."""
    ex = "global_average_pool"
    rng = np.random.default_rng(55)
    cases = [
        np.array(SEED_MAP).reshape(4, 4, 1),
        np.stack([np.array(SEED_MAP), 10 * np.eye(4, dtype=int)], axis=-1),
        rng.integers(0, 256, size=(5, 7, 3)).astype(np.uint8),  # uint8: sums must not overflow
        rng.normal(size=(3, 2, 6)),
    ]
    for x in cases:
        flat = np.array(x, dtype=np.float64).reshape(-1, x.shape[2])
        expected = flat.sum(axis=0) / flat.shape[0]
        _expect_array(
            call(fn, x, exercise=ex), expected, what=f"{ex}(x of shape {x.shape})", kinds="f",
            hint="average over the two spatial axes only: x.mean(axis=(0, 1)), as floats.",
        )  # fmt: skip
    for bad in (np.zeros((4, 4)), np.zeros((2, 4, 4, 3))):
        expect_raises(fn, bad, exercise=ex, hint="only (H, W, C) arrays (3-D) are accepted.")
    return passed(ex)


def check_depthwise_max_pool(fn) -> str:
    """Exercise 6: ``depthwise_max_pool(x, k)``: max over groups of k consecutive channels."""
    ex = "depthwise_max_pool"
    rng = np.random.default_rng(505)
    x4 = np.zeros((2, 2, 4))
    x4[..., 0], x4[..., 1], x4[..., 2], x4[..., 3] = 1, 5, -2, -7
    cases = [
        (x4, 2, np.stack([np.full((2, 2), 5.0), np.full((2, 2), -2.0)], axis=-1)),
        (x4, 4, np.full((2, 2, 1), 5.0)),
        (x4, 1, x4),
    ]
    x6 = rng.normal(size=(3, 5, 6))
    for k in (2, 3):
        groups = [x6[:, :, g * k:(g + 1) * k].max(axis=-1) for g in range(6 // k)]
        cases.append((x6, k, np.stack(groups, axis=-1)))
    for x, k, expected in cases:
        _expect_array(
            call(fn, x, k, exercise=ex), expected, what=f"{ex}(x of shape {x.shape}, k={k})",
            kinds="fiu",
            hint="output channel g is the max of channels g*k ... g*k+k-1 (consecutive, not "
                 "strided): x.reshape(H, W, C // k, k).max(axis=-1).",
        )  # fmt: skip
    expect_raises(fn, x6, 4, exercise=ex, hint="6 channels cannot be split into groups of 4.")
    expect_raises(fn, x6, 0, exercise=ex, hint="k must be positive.")
    return passed(ex)
