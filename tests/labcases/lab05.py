"""Lab 05 cases: a learner's correct functions, and plausible wrong ones (see
tests/test_lab_exercises.py).

Each function stands alone: the in-process tests grade one exercise at a time, so
``shift_invariance`` pools with ``helpers.conv`` here (in a notebook it calls max_pool2d).
"""

import numpy as np

from helpers import conv
from helpers.labs.spec import Mutant


def max_pool2d(x, size=2, stride=None):
    return conv.pool2d(x, size, stride=stride, mode="max")


def avg_pool2d(x, size=2, stride=None):
    return conv.pool2d(x, size, stride=stride, mode="avg")


def shift_invariance(x, size=2):
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[0] < size or x.shape[1] < size:
        raise ValueError("need a 2-D map at least one window in size")
    shifted = np.zeros_like(x)
    shifted[:, 1:] = x[:, :-1]
    before, after = conv.pool2d(x, size, mode="max"), conv.pool2d(shifted, size, mode="max")
    return (before == after).mean()


def global_average_pool(x):
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError("need (H, W, C)")
    return conv.global_pool2d(x, "avg")


def depthwise_max_pool(x, k):
    x = np.asarray(x)
    if x.ndim != 3 or k <= 0 or x.shape[2] % k:
        raise ValueError("bad k")
    return x.reshape(*x.shape[:2], -1, k).max(axis=-1)


SOLUTION = {
    f.__name__: f
    for f in (
        max_pool2d,
        avg_pool2d,
        shift_invariance,
        global_average_pool,
        depthwise_max_pool,
    )
}


# ----------------------------------------------------------------------------- mutants


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __sub__(self, other):
        return 0

    __rsub__ = __sub__
    __hash__ = object.__hash__


class EqualArray(np.ndarray):
    """An ndarray subclass that claims to equal everything."""

    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)


def max_ignores_stride(x, size=2, stride=None):
    return conv.pool2d(x, size, mode="max")


def max_from_zero(x, size=2, stride=None):
    return np.maximum(conv.pool2d(x, size, stride=stride, mode="max"), 0)


def max_mutates(x, size=2, stride=None):
    out = conv.pool2d(x, size, stride=stride)
    x[...] = 0
    return out


def max_size_two(x, size=2, stride=None):
    return conv.pool2d(x, 2, stride=stride)


def max_stride_one(x, size=2, stride=None):
    return conv.pool2d(x, size, stride=1 if stride is None else stride)


def avg_int(x, size=2, stride=None):
    return conv.pool2d(x, size, stride=stride, mode="avg").astype(np.int64)


def avg_ignores_stride(x, size=2, stride=None):
    return conv.pool2d(x, size, mode="avg")


def avg_in_dtype(x, size=2, stride=None):
    x = np.asarray(x)
    if x.dtype == np.uint8:  # sums in uint8 wrap around at 256
        s = size if stride is None else stride
        rows, cols = (x.shape[0] - size) // s + 1, (x.shape[1] - size) // s + 1
        out = np.empty((rows, cols))
        for i in range(rows):
            for j in range(cols):
                window = x[i * s : i * s + size, j * s : j * s + size]
                out[i, j] = window.sum(dtype=np.uint8) / window.size
        return out
    return avg_pool2d(x, size, stride)


def _shift_with(x, size=2, *, shift=None, pool="max", stride=None, compare="same"):
    """``shift_invariance`` with one step changed (the mutants below)."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[0] < size or x.shape[1] < size:
        raise ValueError("need a 2-D map at least one window in size")
    if shift is None:
        shifted = np.zeros_like(x)
        shifted[:, 1:] = x[:, :-1]
    else:
        shifted = shift(x)
    before = conv.pool2d(x, size, stride=stride, mode=pool)
    after = conv.pool2d(shifted, size, stride=stride, mode=pool)
    same = before == after
    return float(same.mean() if compare == "same" else 1 - same.mean())


def shift_left(x):
    out = np.zeros_like(x)
    out[:, :-1] = x[:, 1:]
    return out


def shift_no_checks(x, size=2):
    x = np.atleast_2d(np.asarray(x, dtype=float))
    if min(x.shape) < size:
        return 1.0
    return shift_invariance(x, size)


def gap_over_channels(x):
    x = np.asarray(x, dtype=float)
    if x.ndim != 3:
        raise ValueError
    return x.mean(axis=-1)


def gap_no_validation(x):
    return np.asarray(x, dtype=float).mean(axis=(0, 1))


def gap_uint8_sum(x):
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError
    return x.sum(axis=(0, 1), dtype=x.dtype) / (x.shape[0] * x.shape[1])


def depth_strided(x, k):
    x = np.asarray(x)
    if k <= 0 or x.shape[2] % k:
        raise ValueError
    return x.reshape(*x.shape[:2], k, -1).max(axis=2)


def depth_no_check(x, k):
    x = np.asarray(x)
    c = x.shape[2] // k * k if k > 0 else 0
    return x[:, :, :c].reshape(*x.shape[:2], -1, max(k, 1)).max(axis=-1)


MUTANTS = [
    Mutant("max_pool2d", "ignores the stride", max_ignores_stride, says="ignored the stride"),
    Mutant("max_pool2d", "max starts from 0", max_from_zero, says="starts from 0"),
    Mutant(
        "max_pool2d",
        "returns a list",
        lambda x, size=2, stride=None: conv.pool2d(x, size, stride=stride).tolist(),
        says="NumPy array",
    ),
    Mutant("max_pool2d", "changes its input", max_mutates, says="changed its input"),
    Mutant(
        "max_pool2d",
        "an ndarray subclass equal to everything",
        lambda x, size=2, stride=None: np.zeros((2, 2)).view(EqualArray),
        says="NumPy array",
    ),
    Mutant("max_pool2d", "always a 2x2 window", max_size_two),
    Mutant("max_pool2d", "stride=None taken as 1", max_stride_one),
    Mutant("max_pool2d", "average instead of max", avg_pool2d),
    Mutant("avg_pool2d", "integer output", avg_int, says="integer dtype"),
    Mutant("avg_pool2d", "max instead of mean", max_pool2d, says="maximum, not the mean"),
    Mutant("avg_pool2d", "ignores the stride", avg_ignores_stride, says="ignored the stride"),
    Mutant("avg_pool2d", "sums uint8 in uint8", avg_in_dtype),
    Mutant("avg_pool2d", "an object equal to everything", lambda *a, **k: AlwaysEqual()),
    Mutant(
        "shift_invariance",
        "np.roll (wraps round)",
        lambda x, size=2: _shift_with(x, size, shift=lambda m: np.roll(m, 1, axis=1)),
        says="wraps the last column",
    ),
    Mutant(
        "shift_invariance",
        "share changed",
        lambda x, size=2: _shift_with(x, size, compare="changed"),
        says="CHANGED",
    ),
    Mutant(
        "shift_invariance",
        "shifts left",
        lambda x, size=2: _shift_with(x, size, shift=shift_left),
    ),
    Mutant(
        "shift_invariance",
        "average pooling",
        lambda x, size=2: _shift_with(x, size, pool="avg"),
    ),
    Mutant(
        "shift_invariance",
        "pooling with stride 1",
        lambda x, size=2: _shift_with(x, size, stride=1),
    ),
    Mutant(
        "shift_invariance",
        "shifts the rows",
        lambda x, size=2: shift_invariance(np.asarray(x).T, size),
    ),
    Mutant("shift_invariance", "no ValueError", shift_no_checks, says="instead of raising"),
    Mutant(
        "global_average_pool",
        "one number",
        lambda x: np.asarray(np.mean(x)),
        says="into one number",
    ),
    Mutant(
        "global_average_pool", "mean over the channels", gap_over_channels, says="over the channels"
    ),
    Mutant("global_average_pool", "no ValueError for other ranks", gap_no_validation),
    Mutant("global_average_pool", "uint8 sums wrap", gap_uint8_sum),
    Mutant(
        "global_average_pool",
        "max instead of mean",
        lambda x: conv.global_pool2d(global_average_pool(x) * 0 + np.asarray(x), "max"),
    ),
    Mutant("depthwise_max_pool", "strided groups", depth_strided, says="consecutive"),
    Mutant(
        "depthwise_max_pool",
        "spatial pooling",
        lambda x, k: conv.pool2d(x, k, stride=1),
        says="depthwise_max_pool",
    ),
    Mutant(
        "depthwise_max_pool",
        "drops leftover channels instead of raising",
        depth_no_check,
        says="instead of raising ValueError",
    ),
    Mutant(
        "depthwise_max_pool",
        "min instead of max",
        lambda x, k: -depthwise_max_pool(-np.asarray(x), k),
    ),
]
