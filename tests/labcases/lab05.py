"""Lab 05 cases: a learner's correct functions, and plausible wrong ones (see
tests/test_lab_exercises.py).

Each function stands alone: the in-process tests grade one exercise at a time, so
``fraction_dropped`` does not call ``pool_output_size`` here (in a notebook it may).
"""

import numpy as np

from helpers import conv
from helpers.labs.spec import Mutant


def pool_output_size(n, size, stride, padding="valid"):
    if size <= 0 or stride <= 0 or padding not in ("valid", "same"):
        raise ValueError("bad arguments")
    if padding == "same":
        return -(-n // stride)
    if size > n:
        raise ValueError("window too large")
    return (n - size) // stride + 1


def max_pool2d(x, size=2, stride=None):
    return conv.pool2d(x, size, stride=stride, mode="max")


def avg_pool2d(x, size=2, stride=None):
    return conv.pool2d(x, size, stride=stride, mode="avg")


def fraction_dropped(shape, size=2, stride=None):
    stride = size if stride is None else stride
    h, w, _ = shape
    out_h, out_w = (h - size) // stride + 1, (w - size) // stride + 1
    return 1 - out_h * out_w / (h * w)


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
        pool_output_size,
        max_pool2d,
        avg_pool2d,
        fraction_dropped,
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


def size_no_plus_one(n, size, stride, padding="valid"):
    pool_output_size(n, size, stride, padding)
    return (n - size) // stride if padding == "valid" else -(-n // stride)


def size_same_like_valid(n, size, stride, padding="valid"):
    return pool_output_size(n, size, stride, "valid" if padding == "same" else padding)


def size_accepts_anything(n, size, stride, padding="valid"):
    if padding == "same":
        return -(-n // max(stride, 1))
    return max(1, (n - size) // max(stride, 1) + 1)


def size_float(n, size, stride, padding="valid"):
    pool_output_size(n, size, stride, padding)
    return (n - size) / stride + 1 if padding == "valid" else n / stride


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


def fraction_ignores_stride(shape, size=2, stride=None):
    return 1 - 1 / size**2


def fraction_ideal(shape, size=2, stride=None):
    stride = size if stride is None else stride
    return 1 - 1 / stride**2


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
    Mutant("pool_output_size", "forgets the + 1", size_no_plus_one, says="forgot the + 1"),
    Mutant(
        "pool_output_size", "'same' like 'valid'", size_same_like_valid, says="'same' like 'valid'"
    ),
    Mutant(
        "pool_output_size",
        "accepts anything",
        size_accepts_anything,
        says="instead of raising ValueError",
    ),
    Mutant("pool_output_size", "float division", size_float, says="whole number"),
    Mutant(
        "pool_output_size",
        "an object equal to everything",
        lambda *a, **k: AlwaysEqual(),
        says="AlwaysEqual",
    ),
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
        "fraction_dropped",
        "fraction kept",
        lambda shape, size=2, stride=None: 1 - fraction_dropped(shape, size, stride),
        says="KEPT",
    ),
    Mutant(
        "fraction_dropped",
        "returns a string",
        lambda shape, size=2, stride=None: "75 %",
        says="expected a number",
    ),
    Mutant("fraction_dropped", "ignores the stride (1 - 1/size**2)", fraction_ignores_stride),
    Mutant("fraction_dropped", "ideal ratio 1 - 1/stride**2", fraction_ideal),
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
