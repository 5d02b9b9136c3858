"""Lab 05 (pooling from scratch): output sizes, max/average/global/depthwise pooling in NumPy.

References in plain NumPy, each self-contained (``fraction_dropped`` does not call
``pool_output_size``: the grader may call one exercise alone). Hidden cases are drawn per
submission: random shapes, dtypes, window sizes and strides, with the edge cases (all-negative
maps, uint8 sums that would wrap, leftover rows and columns) always in.
"""

import numpy as np

from helpers.labs import judge
from helpers.labs.spec import Case, Exercise, Mistake

SEED_MAP = [[2, 3, 1, 9], [4, 7, 3, 5], [8, 2, 2, 2], [1, 3, 4, 5]]

# ----------------------------------------------------------------------------- references


def pool_output_size(n, size, stride, padding="valid"):
    if size <= 0 or stride <= 0:
        raise ValueError("size and stride must be positive")
    if padding == "same":
        return -(-n // stride)
    if padding != "valid":
        raise ValueError("padding must be 'valid' or 'same'")
    if size > n:
        raise ValueError("the window does not fit")
    return (n - size) // stride + 1


def _pool(x, size, stride, op):
    x = np.asarray(x, dtype=np.float64)
    stride = size if stride is None else stride
    rows, cols = (x.shape[0] - size) // stride + 1, (x.shape[1] - size) // stride + 1
    out = np.empty((rows, cols))
    for i in range(rows):
        for j in range(cols):
            out[i, j] = op(x[i * stride : i * stride + size, j * stride : j * stride + size])
    return out


def max_pool2d(x, size=2, stride=None):
    return _pool(x, size, stride, np.max)


def avg_pool2d(x, size=2, stride=None):
    return _pool(x, size, stride, np.mean)


def fraction_dropped(shape, size=2, stride=None):
    h, w, _ = shape
    stride = size if stride is None else stride
    out_h, out_w = (h - size) // stride + 1, (w - size) // stride + 1
    return 1 - (out_h * out_w) / (h * w)


def global_average_pool(x):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError("an (H, W, C) array")
    return x.mean(axis=(0, 1))


def depthwise_max_pool(x, k):
    x = np.asarray(x)
    h, w, c = x.shape
    if k <= 0 or c % k:
        raise ValueError("C must be a multiple of k > 0")
    return x.reshape(h, w, c // k, k).max(axis=-1)


# ----------------------------------------------------------------------------- mistakes


def _size_no_plus_one(n, size, stride, padding="valid"):
    return pool_output_size(n, size, stride, padding) - (padding == "valid")


def _size_same_as_valid(n, size, stride, padding="valid"):
    return pool_output_size(n, size, stride, "valid")


def _size_valid_rounds_up(n, size, stride, padding="valid"):
    if padding == "same":
        return pool_output_size(n, size, stride, padding)
    return -(-(n - size) // stride) + 1


def _max_from_zero(x, size=2, stride=None):
    return np.maximum(max_pool2d(x, size, stride), 0)


def _max_ignores_stride(x, size=2, stride=None):
    return max_pool2d(x, size, None)


def _avg_ignores_stride(x, size=2, stride=None):
    return avg_pool2d(x, size, None)


def _avg_takes_max(x, size=2, stride=None):
    return max_pool2d(x, size, stride)


def _fraction_kept(shape, size=2, stride=None):
    return 1 - fraction_dropped(shape, size, stride)


def _fraction_ignores_stride(shape, size=2, stride=None):
    return fraction_dropped(shape, size, size)


def _fraction_ideal(shape, size=2, stride=None):
    stride = size if stride is None else stride
    return 1 - 1 / stride**2


def _gap_over_channels(x):
    return np.asarray(x, dtype=np.float64).mean(axis=-1)


def _gap_one_number(x):
    return np.asarray(np.asarray(x, dtype=np.float64).mean())


def _depthwise_strided(x, k):
    x = np.asarray(x)
    h, w, c = x.shape
    return x.reshape(h, w, k, c // k).max(axis=2)


# ----------------------------------------------------------------------------- cases

_SIZE_HINT = ("valid: the whole windows that fit (round down); same: only the stride decides "
              "(round up), whatever the window size.")  # fmt: skip
_SIZE_ERROR_HINT = ("size and stride must be positive, padding 'valid' or 'same', and a 'valid' "
                    "window must fit inside the input.")  # fmt: skip


def _size_hidden(rng):
    cases = []
    for _ in range(6):
        size, stride = int(rng.integers(1, 6)), int(rng.integers(1, 5))
        cases.append(Case((int(rng.integers(size, 300)), size, stride), group="values"))
    for _ in range(3):
        n, size, stride = (
            int(rng.integers(1, 300)),
            int(rng.integers(1, 6)),
            int(rng.integers(2, 5)),
        )
        cases.append(Case((n, size, stride, "same"), group="values"))
    n = int(rng.integers(2, 30))
    cases += [Case((n, n, 1), group="values"),  # the window is the whole input
              Case((1, 3, 2, "same"), group="values",
                   hint="with 'same' the window may be larger than the input."),
              Case((int(rng.integers(4, 60)) * 2 + 1, 2, 2), {"padding": "valid"},
                   group="values")]  # fmt: skip
    m = int(rng.integers(1, 6))
    bad = [(8, 0, 2), (8, 2, -int(rng.integers(1, 4))), (m, m + int(rng.integers(1, 4)), 1),
           (8, 2, 2, str(rng.choice(["causal", "full", "SAME", "Valid"]))), (8, -2, 0)]  # fmt: skip
    cases += [Case(b, group="errors", hint=_SIZE_ERROR_HINT) for b in bad]
    return cases


def _pool_public():
    rng = np.random.default_rng(5)
    odd = rng.integers(0, 256, size=(7, 9)).astype(np.uint8)
    neg = rng.normal(size=(6, 6)) - 3  # all negative: a max that starts from 0 is wrong
    return [
        Case((np.array(SEED_MAP),)),
        Case((np.array([[0, 123, 127, 167], [54, 234, 124, 0], [64, 76, 0, 241],
                        [0, 235, 222, 0]]),), {"size": 2}),
        Case((odd,), {"size": 2}, hint="valid padding: the odd last row and column are dropped."),
        Case((odd,), {"size": 3, "stride": 2}, hint="windows overlap when stride < size."),
        Case((neg,), {"size": 2, "stride": 1}),
        Case((neg,), {"size": 3}),
    ]  # fmt: skip


def _pool_hidden(rng):
    cases = []
    for dtype in ("int64", "uint8", "float32", "float64", "int32"):
        size = int(rng.integers(1, 5))
        stride = None if rng.random() < 0.3 else int(rng.integers(1, size + 2))
        h, w = (int(v) for v in rng.integers(size, 13, size=2))
        x = (rng.integers(0, 256, size=(h, w)) if dtype[0] in "iu" else
             rng.normal(size=(h, w)) * 10).astype(dtype)  # fmt: skip
        kwargs = {"size": size} if stride is None else {"size": size, "stride": stride}
        cases.append(Case((x,), kwargs))
    h, w = (int(v) for v in rng.integers(4, 10, size=2))
    cases.append(Case((rng.normal(size=(h, w)) - 5,), {"size": 2, "stride": 1},
                      hint="all values are negative here."))  # fmt: skip
    cases.append(Case((rng.integers(-9, 10, size=(2 * h + 1, 2 * w + 1)),)))  # the defaults
    cases.append(Case((rng.integers(200, 256, size=(w, h)).astype(np.uint8),),
                      {"size": int(rng.integers(2, 4))},
                      hint="bright uint8 pixels: a uint8 sum wraps around at 256."))  # fmt: skip
    return cases


_MAX_HINT = (
    "output (i, j) is the maximum of its size × size window, which moves by the stride; "
    "stride=None means stride=size; the output size as in exercise 1."
)
_AVG_HINT = ("output (i, j) is the mean of its window, as in max_pool2d, in a float array; "
             "stride=None means stride=size.")  # fmt: skip
_FRACTION_HINT = ("the fraction DROPPED: output against input positions; the channels cancel; "
                  "valid padding drops odd leftover rows/columns.")  # fmt: skip


def _fraction_hidden(rng):
    cases = [Case(((int(rng.integers(1, 200)) * 2, int(rng.integers(1, 200)) * 2, 3),))]
    for _ in range(5):
        size = int(rng.integers(1, 6))
        stride = None if rng.random() < 0.3 else int(rng.integers(1, size + 2))
        h, w = (int(v) for v in rng.integers(size, 400, size=2))
        kwargs = {"size": size} if stride is None else {"size": size, "stride": stride}
        cases.append(Case(((h, w, int(rng.integers(1, 513))),), kwargs))
    n = int(rng.integers(3, 40))
    cases += [Case(((2 * n + 1, 2 * n + 3, 8),)),  # odd sizes: leftovers are dropped
              Case(((n, n, 1),), {"size": n}),  # one window: everything but one value dropped
              Case(((n + 2, n + 5, 4),), {"size": 2, "stride": 1})]  # fmt: skip
    return cases


_GAP_HINT = "average over the two spatial axes only, as floats: one mean per channel."
_GAP_ERROR_HINT = "only (H, W, C) arrays (3-D) are accepted: raise ValueError otherwise."


def _gap_hidden(rng):
    cases = []
    for dtype in ("int64", "float32", "float64", "uint8"):
        h, w, c = (int(v) for v in rng.integers(1, 9, size=3))
        x = (rng.integers(0, 256, size=(h, w, c)) if dtype[0] in "iu"
             else rng.normal(size=(h, w, c)) * 5).astype(dtype)  # fmt: skip
        cases.append(Case((x,), group="values"))
    n = int(rng.integers(5, 12))
    cases.append(Case((np.full((n, n, 2), 255, dtype=np.uint8),), group="values",
                      hint="a uint8 sum wraps around at 256: compute in float64."))  # fmt: skip
    cases += [Case((np.zeros((int(rng.integers(2, 7)), 5)),), group="errors", hint=_GAP_ERROR_HINT),
              Case((np.zeros((2, 3, 3, int(rng.integers(1, 4)))),), group="errors",
                   hint=_GAP_ERROR_HINT)]  # fmt: skip
    return cases


_DEPTH_HINT = ("each output channel is the max of a group of k consecutive channels (not "
               "every k-th channel); there are C / k groups.")  # fmt: skip
_DEPTH_ERROR_HINT = "raise ValueError when C is not a multiple of k, or k is not positive."


def _depth_hidden(rng):
    cases = []
    for k, groups in [(1, int(rng.integers(1, 5))), (2, int(rng.integers(2, 5))),
                      (3, int(rng.integers(2, 4))), (int(rng.integers(2, 6)), 1),
                      (int(rng.integers(2, 5)), int(rng.integers(2, 4)))]:  # fmt: skip
        h, w = (int(v) for v in rng.integers(1, 6, size=2))
        x = rng.normal(size=(h, w, k * groups))
        if rng.random() < 0.4:
            x = (x * 20).astype(np.int64)
        cases.append(Case((x, k), group="values"))
    x = rng.normal(size=(3, 4, 6))
    cases += [
        Case((x, int(rng.choice([4, 5]))), group="errors", hint=_DEPTH_ERROR_HINT),
        Case((x, -int(rng.integers(0, 3))), group="errors", hint=_DEPTH_ERROR_HINT),
    ]
    return cases


def _depth_public():
    x4 = np.zeros((2, 2, 4))
    x4[..., 0], x4[..., 1], x4[..., 2], x4[..., 3] = 1, 5, -2, -7
    x6 = np.random.default_rng(505).normal(size=(3, 5, 6))
    return [Case((x4, 2)), Case((x4, 4)), Case((x4, 1)), Case((x6, 2)), Case((x6, 3)),
            Case((x6, 4), hint="6 channels cannot be split into groups of 4: raise ValueError."),
            Case((x6, 0), hint="k must be positive: raise ValueError.")]  # fmt: skip


def _gap_public():
    rng = np.random.default_rng(55)
    cases = [np.array(SEED_MAP).reshape(4, 4, 1),
             np.stack([np.array(SEED_MAP), 10 * np.eye(4, dtype=int)], axis=-1),
             rng.integers(0, 256, size=(5, 7, 3)).astype(np.uint8),
             rng.normal(size=(3, 2, 6))]  # fmt: skip
    return ([Case((x,)) for x in cases[:2]]
            + [Case((cases[2],), hint="a uint8 sum wraps around at 256: compute in float64."),
               Case((cases[3],))]
            + [Case((bad,), hint=_GAP_ERROR_HINT)
               for bad in (np.zeros((4, 4)), np.zeros((2, 4, 4, 3)))])  # fmt: skip


EXERCISES = [
    Exercise(
        "pool_output_size",
        points=2,
        reference=pool_output_size,
        judge=judge.Int(),
        public=[
            Case(a, kw)
            for a, kw in [
                ((28, 2, 2), {}),
                ((27, 2, 2), {}),
                ((27, 2, 2), {"padding": "same"}),
                ((28, 2, 1), {}),
                ((28, 2, 1), {"padding": "same"}),
                ((55, 3, 2), {}),
                ((773, 2, 2), {"padding": "valid"}),
                ((773, 2, 2), {"padding": "same"}),
                ((4, 4, 1), {}),
            ]
        ]
        + [
            Case(b, hint=_SIZE_ERROR_HINT)
            for b in [(10, 0, 1), (10, 2, 0), (10, -2, 2), (3, 4, 1), (10, 2, 2, "full")]
        ],
        hidden=_size_hidden,
        groups={"values": 1, "errors": 1},
        hint=_SIZE_HINT,
        mistakes=[
            Mistake(
                _size_no_plus_one,
                "you forgot the + 1 (the first window).",
                "the first window counts too, then one per whole stride after it.",
            ),
            Mistake(
                _size_same_as_valid,
                "you treated 'same' like 'valid'.",
                "with 'same', the output has ceil(n / stride) cells, whatever the window size.",
            ),
            Mistake(
                _size_valid_rounds_up,
                "you rounded up for 'valid'.",
                "a 'valid' window must fit: round (n - size) / stride DOWN.",
            ),
        ],
    ),
    Exercise(
        "max_pool2d",
        points=2,
        reference=max_pool2d,
        judge=judge.Array(atol=1e-9, rtol=1e-9, kinds="fiu"),
        public=_pool_public(),
        hidden=_pool_hidden,
        hint=_MAX_HINT,
        mistakes=[
            Mistake(
                _max_from_zero,
                "your maximum starts from 0: windows of negative values come out as 0.",
                "start from the window's own values.",
            ),
            Mistake(
                _max_ignores_stride,
                "you ignored the stride (you used stride = size).",
                "stride=None means stride=size; otherwise use the stride given.",
            ),
        ],
    ),
    Exercise(
        "avg_pool2d",
        points=2,
        reference=avg_pool2d,
        judge=judge.Custom("lab05.float_means", params={"atol": 1e-9, "rtol": 1e-6}),
        public=_pool_public(),
        hidden=_pool_hidden,
        hint=_AVG_HINT,
        mistakes=[
            Mistake(
                _avg_takes_max,
                "you took the maximum, not the mean.",
                "average pooling averages each window.",
            ),
            Mistake(
                _avg_ignores_stride,
                "you ignored the stride (you used stride = size).",
                "stride=None means stride=size; otherwise use the stride given.",
            ),
        ],
    ),
    Exercise(
        "fraction_dropped",
        points=2,
        reference=fraction_dropped,
        judge=judge.Float(rel=1e-9, abs=1e-12),
        public=[
            Case(a, kw)
            for a, kw in [
                (((576, 768, 3),), {}),
                (((28, 28, 64),), {"size": 2, "stride": 1}),
                (((512, 773, 3),), {}),
                (((55, 55, 96),), {"size": 3, "stride": 2}),
                (((9, 9, 1),), {"size": 3}),
            ]
        ],
        hidden=_fraction_hidden,
        hint=_FRACTION_HINT,
        mistakes=[
            Mistake(
                _fraction_kept,
                "you returned the fraction KEPT, not dropped.",
                "dropped = 1 - kept.",
            ),
            Mistake(
                _fraction_ignores_stride,
                "you ignored the stride.",
                "the windows move by stride (stride=None means the window size).",
            ),
            Mistake(
                _fraction_ideal,
                "you assumed the output is exactly (H / stride) x (W / stride).",
                "count the output rows and columns with valid padding "
                "(exercise 1): leftover rows and columns are dropped too.",
            ),
        ],
    ),
    Exercise(
        "global_average_pool",
        points=2,
        reference=global_average_pool,
        judge=judge.Array(atol=1e-9, rtol=1e-6, kinds="f"),
        public=_gap_public(),
        hidden=_gap_hidden,
        groups={"values": 1, "errors": 1},
        hint=_GAP_HINT,
        mistakes=[
            Mistake(
                _gap_over_channels,
                "you averaged over the channels, not over space.",
                "the spatial axes are 0 and 1; the channels (last axis) stay.",
            ),
            Mistake(
                _gap_one_number,
                "you averaged everything into one number.",
                "one mean per channel: the result has shape (C,).",
            ),
        ],
    ),
    Exercise(
        "depthwise_max_pool",
        points=2,
        reference=depthwise_max_pool,
        judge=judge.Array(atol=1e-9, rtol=1e-9, kinds="fiu"),
        public=_depth_public(),
        hidden=_depth_hidden,
        groups={"values": 1, "errors": 1},
        hint=_DEPTH_HINT,
        mistakes=[
            Mistake(
                _depthwise_strided,
                "you grouped channels g, g + C/k, ... (strided).",
                "the groups are consecutive channels, not every k-th one.",
            )
        ],
    ),
]
