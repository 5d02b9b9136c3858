"""Lab 05 (pooling from scratch): max/average pooling in NumPy, an experiment on how much a
one-pixel shift changes a max-pooled map, global and depthwise pooling.

References in plain NumPy, each self-contained (``shift_invariance`` does not call
``max_pool2d``: the grader may call one exercise alone). Hidden cases are drawn per
submission: random shapes, dtypes, window sizes and strides, with the edge cases (all-negative
maps, uint8 sums that would wrap, leftover rows and columns, a bright last column that must not
wrap round) always in. (The output-size formula is drilled in labs 03 and 04, not here.)
"""

import numpy as np

from helpers.labs import judge
from helpers.labs.spec import Case, Exercise, Mistake

SEED_MAP = [[2, 3, 1, 9], [4, 7, 3, 5], [8, 2, 2, 2], [1, 3, 4, 5]]

# ----------------------------------------------------------------------------- references


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


def _shift_right(x):
    out = np.zeros_like(x)
    out[:, 1:] = x[:, :-1]
    return out


def shift_invariance(x, size=2):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or min(x.shape) < size or size < 1:
        raise ValueError("a 2-D map at least one window wide and high")
    before, after = max_pool2d(x, size), max_pool2d(_shift_right(x), size)
    return float(np.mean(before == after))


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


def _max_from_zero(x, size=2, stride=None):
    return np.maximum(max_pool2d(x, size, stride), 0)


def _max_ignores_stride(x, size=2, stride=None):
    return max_pool2d(x, size, None)


def _avg_ignores_stride(x, size=2, stride=None):
    return avg_pool2d(x, size, None)


def _avg_takes_max(x, size=2, stride=None):
    return max_pool2d(x, size, stride)


def _shift_rolled(x, size=2):
    shift_invariance(x, size)  # the same errors
    x = np.asarray(x, dtype=np.float64)
    return float(np.mean(max_pool2d(x, size) == max_pool2d(np.roll(x, 1, axis=1), size)))


def _shift_changed(x, size=2):
    return 1.0 - shift_invariance(x, size)


def _shift_count(x, size=2):
    shift_invariance(x, size)  # the same errors
    x = np.asarray(x, dtype=np.float64)
    return float(np.sum(max_pool2d(x, size) == max_pool2d(_shift_right(x), size)))


def _shift_down(x, size=2):
    shift_invariance(x, size)  # the same errors
    return shift_invariance(np.asarray(x).T, size)


def _shift_on_pixels(x, size=2):
    shift_invariance(x, size)  # the same errors
    x = np.asarray(x, dtype=np.float64)
    return float(np.mean(x == _shift_right(x)))


def _gap_over_channels(x):
    return np.asarray(x, dtype=np.float64).mean(axis=-1)


def _gap_one_number(x):
    return np.asarray(np.asarray(x, dtype=np.float64).mean())


def _depthwise_strided(x, k):
    x = np.asarray(x)
    h, w, c = x.shape
    return x.reshape(h, w, k, c // k).max(axis=2)


# ----------------------------------------------------------------------------- cases


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
    "stride=None means stride=size; valid padding: only whole windows."
)
_AVG_HINT = ("output (i, j) is the mean of its window, as in max_pool2d, in a float array; "
             "stride=None means stride=size.")  # fmt: skip
_SHIFT_HINT = ("shift the content one pixel right with zeros coming in (no wrap-around), pool "
               "both maps with window = stride = size, and return the share of equal "
               "outputs.")  # fmt: skip
_SHIFT_ERRORS = "raise ValueError for a map that is not 2-D or smaller than one window."


def relu_map(rng, h, w, sparsity=1.0):
    """A ReLU feature map: mostly zeros (larger ``sparsity``: sparser), positive activations."""
    return np.maximum(rng.normal(size=(h, w)) - sparsity, 0.0).round(3)


def _bright_last_column(rng, h, w):
    x = relu_map(rng, h, w, 0.5)
    x[:, -1] = 50.0 + rng.integers(0, 9, size=h)  # wrapping it round would show at column 0
    return x


def _shift_public():
    rng = np.random.default_rng(55)
    stripes = np.zeros((6, 8))
    stripes[:, 2] = 1.0  # a vertical edge in column 2: its window still holds it after a shift
    return [
        Case((np.array(SEED_MAP),)),
        Case((stripes,), label="shift_invariance(a vertical line in column 2 of a 6×8 map)"),
        Case((relu_map(rng, 8, 10),), {"size": 2}),
        Case((relu_map(rng, 9, 9, 1.5),), {"size": 3}),
        Case((_bright_last_column(rng, 6, 8),),
             label="shift_invariance(a map with a bright last column)"),
        Case((np.arange(20.0).reshape(4, 5),), {"size": 4}),
        Case((np.zeros((4,)),), hint=_SHIFT_ERRORS),
        Case((np.zeros((3, 5)),), {"size": 4}, hint=_SHIFT_ERRORS),
    ]  # fmt: skip


def _shift_hidden(rng):
    cases = []
    for _ in range(5):
        size = int(rng.integers(2, 5))
        h, w = (int(v) for v in rng.integers(size, 17, size=2))
        cases.append(Case((relu_map(rng, h, w, float(rng.uniform(0.0, 2.0))),), {"size": size},
                          group="measures"))  # fmt: skip
    h, w = (int(v) for v in rng.integers(4, 12, size=2))
    cases += [
        Case((_bright_last_column(rng, h, w),), group="measures",
             label="shift_invariance(a map with a bright last column)"),
        Case((rng.integers(0, 9, size=(h, w + 1)),), group="measures"),  # integers, the default
        Case((rng.normal(size=(h,)),), group="errors", hint=_SHIFT_ERRORS),
        Case((rng.normal(size=(h, 2)),), {"size": 3}, group="errors", hint=_SHIFT_ERRORS),
    ]  # fmt: skip
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
        "shift_invariance",
        points=3,
        reference=shift_invariance,
        judge=judge.Float(rel=1e-9, abs=1e-12),
        public=_shift_public(),
        hidden=_shift_hidden,
        groups={"measures": 2, "errors": 1},
        hint=_SHIFT_HINT,
        mistakes=[
            Mistake(
                _shift_rolled,
                "np.roll wraps the last column round to the first: a shifted image brings "
                "in nothing (zeros) at its edge, not the opposite side.",
                "make a zero map and copy the shifted columns into it.",
            ),
            Mistake(
                _shift_changed,
                "you measured the share that CHANGED; the exercise asks for the share unchanged.",
                "count the equal outputs.",
            ),
            Mistake(
                _shift_count,
                "you returned how many outputs stay the same, not which fraction.",
                "divide by the number of pooled outputs.",
            ),
            Mistake(
                _shift_down,
                "you shifted the rows (down), not the columns (right).",
                "the shift moves the content one column to the right.",
            ),
            Mistake(
                _shift_on_pixels,
                "you compared the pixels before pooling: the experiment compares the pooled maps.",
                "max-pool both maps first, then compare.",
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
