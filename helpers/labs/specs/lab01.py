"""Lab 01 (images as arrays): weight counts, memory, grayscale, BGR, crops, colour names.

Hidden cases are drawn per submission: random sizes, units, images (several dtypes, single
images and batches), crops and pixels, with the edge cases (the 128 threshold, 1×1 crops, the
default arguments) always in.
"""

import numpy as np

from helpers.labs import judge
from helpers.labs.spec import Case, Exercise, Mistake

LUMA = np.array([0.299, 0.587, 0.114])
NAMES = {(0, 0, 0): "black", (1, 0, 0): "red", (0, 1, 0): "green", (0, 0, 1): "blue",
         (1, 1, 0): "yellow", (0, 1, 1): "cyan", (1, 0, 1): "magenta",
         (1, 1, 1): "white"}  # fmt: skip

# ----------------------------------------------------------------------------- references


def dense_weight_count(height, width, channels, units, bias=True):
    if min(height, width, channels, units) < 1:
        raise ValueError("all sizes must be at least 1")
    return int(height * width * channels * units + (units if bias else 0))


def memory_gb(n_values, bytes_per_value=4, unit="GB"):
    divisors = {"GB": 10**9, "GiB": 2**30}
    if unit not in divisors:
        raise ValueError("unit must be 'GB' or 'GiB'")
    if n_values < 0:
        raise ValueError("n_values cannot be negative")
    return float(n_values * bytes_per_value / divisors[unit])


def to_grayscale(img):
    img = np.asarray(img)
    if img.ndim != 3 or img.shape[2] != 3:
        raise ValueError("expected an RGB image of shape (height, width, 3)")
    rgb = img.astype(np.float64)
    return LUMA[0] * rgb[:, :, 0] + LUMA[1] * rgb[:, :, 1] + LUMA[2] * rgb[:, :, 2]


def rgb_to_bgr(img):
    img = np.asarray(img)
    if img.ndim < 1 or img.shape[-1] != 3:
        raise ValueError("the last axis must hold 3 channels")
    return img[..., ::-1].copy()


def center_crop(img, height, width):
    img = np.asarray(img)
    if img.ndim not in (2, 3):
        raise ValueError("expected an (H, W) or (H, W, C) image")
    h, w = img.shape[:2]
    if not (1 <= height <= h and 1 <= width <= w):
        raise ValueError("the crop does not fit")
    top, left = (h - height) // 2, (w - width) // 2
    return img[top : top + height, left : left + width].copy()


def colour_name(pixel, order="RGB"):
    if order not in ("RGB", "BGR"):
        raise ValueError("order must be 'RGB' or 'BGR'")
    values = [int(v) for v in np.asarray(pixel).reshape(-1)]
    if len(values) != 3:
        raise ValueError("a pixel has 3 values")
    if order == "BGR":
        values = values[::-1]
    return NAMES[tuple(int(v >= 128) for v in values)]


# ----------------------------------------------------------------------------- mistakes


def _no_bias(height, width, channels, units, bias=True):
    return dense_weight_count(height, width, channels, units, bias=False)


def _bias_always(height, width, channels, units, bias=True):
    return dense_weight_count(height, width, channels, units, bias=True)


def _binary_for_both(n_values, bytes_per_value=4, unit="GB"):
    return memory_gb(n_values, bytes_per_value, "GiB")


def _decimal_for_both(n_values, bytes_per_value=4, unit="GB"):
    return memory_gb(n_values, bytes_per_value, "GB")


def _ignores_bytes(n_values, bytes_per_value=4, unit="GB"):
    return memory_gb(n_values, 4, unit)


def _channel_mean(img):
    return np.asarray(img, dtype=np.float64).mean(axis=2)


def _bgr_weights(img):
    return np.asarray(img, dtype=np.float64) @ LUMA[::-1]


def _reverses_rows(img):
    img = np.asarray(img)
    if len(img) < 2:  # one row: reversing it changes nothing, so this is not that mistake
        raise ValueError("a single row")
    return img[::-1].copy()


def _rounded_up_margin(img, height, width):
    img = np.asarray(img)
    h, w = img.shape[:2]
    top, left = -(-(h - height) // 2), -(-(w - width) // 2)
    return img[top : top + height, left : left + width].copy()


def _swapped_sides(img, height, width):
    return center_crop(img, width, height)


def _strict_threshold(pixel, order="RGB"):
    values = [int(v) for v in np.asarray(pixel).reshape(-1)]
    if order == "BGR":
        values = values[::-1]
    return NAMES[tuple(int(v > 128) for v in values)]


def _ignores_order(pixel, order="RGB"):
    return colour_name(pixel, "RGB")


def _capitalised(pixel, order="RGB"):
    return colour_name(pixel, order).capitalize()


# ----------------------------------------------------------------------------- cases

_SIZES_HINT = "every size must be at least 1."
_DENSE_HINT = ("one weight per (input value, unit) pair, the inputs being every value of the "
               "image; with bias, one more per unit.")  # fmt: skip


def _dense_hidden(rng):
    cases = [Case((1, 1, 1, 1), {"bias": True}, group="values"),
             Case(tuple(int(v) for v in rng.integers(1, 40, size=4)), group="values",
                  hint="bias=True is the default: add one bias per unit.")]  # fmt: skip
    for _ in range(6):
        h, w = (int(v) for v in rng.integers(1, 1025, size=2))
        c, u = int(rng.choice([1, 3, 4])), int(rng.integers(1, 5000))
        cases.append(Case((h, w, c, u), {"bias": bool(rng.random() < 0.5)}, group="values"))
    zero_at = int(rng.integers(0, 4))  # always one size of exactly 0
    for position in range(4):
        bad = [int(v) for v in rng.integers(1, 50, size=4)]
        bad[position] = 0 if position == zero_at else -int(rng.integers(1, 5))
        cases.append(Case(tuple(bad), group="errors", hint=_SIZES_HINT))
    return cases


_UNIT_HINT = "count the bytes, then divide by the unit: GB is SI (decimal), GiB binary."


def _memory_hidden(rng):
    cases = [Case((0, 4, "GB"), group="values"),
             Case((int(rng.integers(1, 10**9)),), group="values",
                  hint="the defaults are 4 bytes per value and 'GB'.")]  # fmt: skip
    for unit in ("GB", "GiB", "GB", "GiB", str(rng.choice(["GB", "GiB"]))):
        n = int(rng.integers(1, 10**10))
        cases.append(Case((n,), {"bytes_per_value": int(rng.choice([1, 2, 4, 8])), "unit": unit},
                          group="values"))  # fmt: skip
    bad_unit = str(rng.choice(["MB", "TB", "KiB", "gib", "GIB", "gb", "Gb", ""]))
    cases += [Case((int(rng.integers(1, 1000)), 4, bad_unit), group="errors",
                   hint="only 'GB' and 'GiB' are valid units (case-sensitive)."),
              Case((-int(rng.integers(1, 10**6)), 4, str(rng.choice(["GB", "GiB"]))),
                   group="errors", hint="a number of values cannot be negative.")]  # fmt: skip
    return cases


_GRAY_HINT = ("use the BT.601 luma weights of the text, in float64 (uint8 wraps at 256), "
              "not rounded.")  # fmt: skip
_RGB_ONLY = "only (height, width, 3) arrays are RGB images."


def _gray_hidden(rng):
    cases = [
        Case(
            (np.array([[[255, 255, 0], [255, 255, 255]]], dtype=np.uint8),),
            group="values",
            label="to_grayscale(pure yellow and white)",
        ),
        Case((rng.integers(0, 256, size=(1, 1, 3), dtype=np.uint8),), group="values"),
    ]
    for _ in range(3):
        h, w = (int(v) for v in rng.integers(2, 20, size=2))
        cases.append(Case((rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8),),
                          group="values"))  # fmt: skip
    h, w = (int(v) for v in rng.integers(2, 10, size=2))
    cases.append(Case((rng.uniform(0, 255, size=(h, w, 3)),), group="values"))
    h, w = (int(v) for v in rng.integers(1, 6, size=2))
    cases += [
        Case((np.zeros((h, w), dtype=np.uint8),), group="errors", hint=_RGB_ONLY),
        Case(
            (np.zeros((h, w, int(rng.choice([1, 2, 4]))), dtype=np.uint8),),
            group="errors",
            hint=_RGB_ONLY,
        ),
        Case((np.zeros((2, h, w, 3), dtype=np.uint8),), group="errors", hint=_RGB_ONLY),
    ]
    return cases


_BGR_HINT = "reverse the order of the last (channel) axis; the other axes stay as they are."
_BATCH_HINT = _BGR_HINT + " It must work for a batch (N, H, W, 3) as well."
_THREE = "the last axis must have size 3."


def _bgr_hidden(rng):
    cases = []
    for _ in range(2):
        h, w = (int(v) for v in rng.integers(2, 10, size=2))
        cases.append(Case((rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8),),
                          group="values"))  # fmt: skip
    n, h, w = (int(v) for v in rng.integers(2, 5, size=3))
    cases.append(Case((rng.integers(0, 256, size=(n, h, w, 3), dtype=np.uint8),),
                      group="values", hint=_BATCH_HINT))  # fmt: skip
    h, w = (int(v) for v in rng.integers(1, 6, size=2))
    cases.append(Case((rng.random(size=(h, w, 3)).astype(np.float32),), group="values",
                      hint="keep the dtype of the input."))  # fmt: skip
    cases += [Case((np.zeros((h, w, int(rng.choice([1, 2, 4]))), dtype=np.uint8),),
                   group="errors", hint=_THREE),
              Case((np.zeros((3, h, w), dtype=np.uint8),), group="errors", hint=_THREE),
              Case((np.zeros((int(rng.integers(4, 9)),), dtype=np.uint8),), group="errors",
                   hint=_THREE)]  # fmt: skip
    return cases


_CROP_HINT = ("centre the crop: the rows and columns left over are split in two, the smaller "
              "half before the crop (round down); it is height rows by width columns.")  # fmt: skip
_FIT_HINT = "the crop must be at least 1×1 and fit inside the image."


def _crop_case(rng, shape, dtype, crop=None):
    image = rng.integers(0, 256, size=shape).astype(dtype)
    if crop is None:
        crop = (int(rng.integers(1, shape[0] + 1)), int(rng.integers(1, shape[1] + 1)))
    return Case((image, *crop), group="values")


def _crop_hidden(rng):
    cases = []
    for dtype in ("uint8", "int32", "float32"):
        h, w = (int(v) for v in rng.integers(3, 16, size=2))
        cases.append(_crop_case(rng, (h, w), dtype))
    h, w = (int(v) for v in rng.integers(3, 16, size=2))
    cases.append(_crop_case(rng, (h, w, int(rng.choice([1, 3, 4]))), "uint8"))
    # Always: odd margins on both axes (catches rounding up), a full-size and a 1×1 crop.
    h, w = (2 * int(v) + 1 for v in rng.integers(2, 7, size=2))
    cases += [
        _crop_case(rng, (h, w, 3), "uint8", (h - 3, w - 1)),
        _crop_case(rng, (h, w), "uint8", (h, w)),
        _crop_case(rng, (h, w), "uint8", (1, 1)),
    ]
    base = np.zeros((h, w), dtype=np.uint8)
    cases += [Case((base, h + int(rng.integers(1, 4)), 1), group="errors", hint=_FIT_HINT),
              Case((base, 1, w + int(rng.integers(1, 4))), group="errors", hint=_FIT_HINT),
              Case((base, 0, int(rng.integers(1, w + 1))), group="errors", hint=_FIT_HINT),
              Case((base, int(rng.integers(1, h + 1)), -int(rng.integers(1, 4))),
                   group="errors", hint=_FIT_HINT)]  # fmt: skip
    return cases


_COLOUR_HINT = (
    "a channel is on when its value is >= 128; yellow = red + green, cyan = green + blue."
)
_ARRAY_PIXEL_HINT = "a pixel taken from an image is a NumPy array; the default order is 'RGB'."


def _colour_hidden(rng):
    cases = []
    for _ in range(6):
        pixel = tuple(int(v) for v in rng.integers(0, 256, size=3))
        cases.append(Case((pixel,), {"order": str(rng.choice(["RGB", "BGR"]))}, group="values"))
    # Always: values at the threshold, 127 and 128, in both orders.
    edge = [int(v) for v in rng.choice([127, 128], size=3)]
    edge[int(rng.integers(0, 3))] = 128
    cases += [
        Case((tuple(edge),), {"order": "RGB"}, group="values"),
        Case((tuple(edge),), {"order": "BGR"}, group="values"),
        Case(
            (rng.integers(0, 256, size=3).astype(np.uint8),), group="values", hint=_ARRAY_PIXEL_HINT
        ),
        Case(([int(v) for v in rng.integers(0, 256, size=3)], "BGR"), group="values"),
    ]
    bad_order = str(rng.choice(["HSV", "rgb", "bgr", "RBG", "GRB", "LAB"]))
    cases += [Case(((1, 2, 3), bad_order), group="errors",
                   hint="only 'RGB' and 'BGR' are valid orders."),
              Case((tuple(int(v) for v in rng.integers(0, 256, size=int(rng.choice([2, 4])))),),
                   group="errors", hint="a pixel has exactly 3 values.")]  # fmt: skip
    return cases


EXERCISES = [
    Exercise(
        "dense_weight_count",
        points=2,
        reference=dense_weight_count,
        judge=judge.Int(),
        public=[
            Case((1024, 1024, 3, 1_000), {"bias": True}),
            Case((1024, 1024, 3, 1_000), {"bias": False}),
            Case((64, 64, 3, 1_000), {"bias": False}),
            Case((480, 640, 3, 1), {"bias": False}),
            Case((28, 28, 1, 10), {"bias": True}),
            Case(
                (2, 3, 1, 4),
                label="dense_weight_count(2, 3, 1, 4) (default bias=True)",
                hint="bias=True is the default: 2·3·1·4 weights + 4 biases.",
            ),
        ]
        + [
            Case(bad, hint=_SIZES_HINT)
            for bad in [(0, 10, 3, 5), (10, 10, 3, 0), (10, -2, 3, 5), (10, 10, 0, 5)]
        ],
        hidden=_dense_hidden,
        groups={"values": 1, "errors": 1},
        hint=_DENSE_HINT,
        mistakes=[
            Mistake(_no_bias, "you forgot the biases.", "with bias=True add one bias per unit."),
            Mistake(
                _bias_always,
                "you added the biases although bias=False.",
                "add the biases only when bias is True.",
            ),
        ],
    ),
    Exercise(
        "memory_gb",
        points=2,
        reference=memory_gb,
        judge=judge.Custom("lab01.a_float", params={"rel": 1e-9}),
        public=[
            Case((3_145_728_000,)),
            Case((3_145_728_000,), {"unit": "GiB"}),
            Case((1_000_000_000,), {"bytes_per_value": 2}),
            Case((2**28,), {"bytes_per_value": 4, "unit": "GiB"}),
            Case((921_600,), {"bytes_per_value": 1}),
            Case((100, 4, "MB"), hint="only 'GB' and 'GiB' are valid units."),
            Case((100, 4, "gb"), hint="units are case-sensitive: 'GB' or 'GiB'."),
            Case((-1,), hint="a number of values cannot be negative."),
        ],
        hidden=_memory_hidden,
        groups={"values": 1, "errors": 1},
        hint=_UNIT_HINT,
        mistakes=[
            Mistake(
                _binary_for_both,
                "you divided by 2**30 for 'GB' too.",
                "GB is the SI unit (a power of ten); only GiB is binary (a power of two).",
            ),
            Mistake(
                _decimal_for_both,
                "you divided by 10**9 for 'GiB' too.",
                "GiB is binary: a power of two, 1,073,741,824 bytes.",
            ),
            Mistake(
                _ignores_bytes,
                "you ignored bytes_per_value.",
                "count the bytes first: every value takes bytes_per_value bytes.",
            ),
        ],
    ),
    Exercise(
        "to_grayscale",
        points=2,
        reference=to_grayscale,
        judge=judge.Array(atol=1e-9, kinds="f", same_dtype=True),
        public=[
            Case(
                (
                    np.array(
                        [
                            [[255, 0, 0], [0, 255, 0], [0, 0, 255]],
                            [[255, 255, 0], [255, 255, 255], [0, 0, 0]],
                        ],
                        dtype=np.uint8,
                    ),
                ),
                label="to_grayscale(pure colours)",
            ),
            Case(
                (np.random.default_rng(1).integers(0, 256, size=(7, 5, 3), dtype=np.uint8),),
                label="to_grayscale(random 7×5 image)",
            ),
        ]
        + [
            Case((np.zeros(shape, dtype=np.uint8),), hint=_RGB_ONLY)
            for shape in [(4, 4), (4, 4, 4), (4, 4, 1)]
        ],
        hidden=_gray_hidden,
        groups={"values": 1, "errors": 1},
        hint=_GRAY_HINT,
        mistakes=[
            Mistake(
                _channel_mean,
                "you averaged the three channels.",
                "the channels are weighted (BT.601): green counts most, blue least.",
            ),
            Mistake(
                _bgr_weights,
                "you weighted the channels in B, G, R order.",
                "channel 0 is red (0.299), channel 2 is blue (0.114).",
            ),
        ],
    ),
    Exercise(
        "rgb_to_bgr",
        points=2,
        reference=rgb_to_bgr,
        judge=judge.Array(atol=0.0, same_dtype=True),
        public=[
            Case(
                (np.array([[[255, 255, 0]]], dtype=np.uint8),), label="rgb_to_bgr(one yellow pixel)"
            ),
            Case(
                (np.random.default_rng(2).integers(0, 256, size=(6, 4, 3), dtype=np.uint8),),
                hint=_BATCH_HINT,
            ),
            Case(
                (np.random.default_rng(3).integers(0, 256, size=(2, 5, 3, 3), dtype=np.uint8),),
                hint=_BATCH_HINT,
            ),
            Case(
                (np.linspace(0, 1, 12).reshape(2, 2, 3),),
                label="rgb_to_bgr(float image)",
                hint="keep the dtype of the input.",
            ),
        ]
        + [
            Case((np.zeros(shape, dtype=np.uint8),), hint=_THREE)
            for shape in [(4, 4), (4, 4, 4), (3, 4, 4)]
        ],
        hidden=_bgr_hidden,
        groups={"values": 1, "errors": 1},
        hint=_BGR_HINT,
        mistakes=[
            Mistake(
                _reverses_rows,
                "you reversed the first axis (the rows), not the channels.",
                "the channels are the LAST axis, also for a batch.",
            )
        ],
    ),
    Exercise(
        "center_crop",
        points=2,
        reference=center_crop,
        judge=judge.Array(atol=0.0, same_dtype=True),
        public=[
            Case(
                (np.arange(56, dtype=np.uint8).reshape(7, 8), h, w),
                label=f"center_crop(7×8 grayscale, {h}, {w})",
            )
            for h, w in [(3, 4), (4, 3), (7, 8), (1, 1), (2, 5)]
        ]
        + [
            Case(
                (np.random.default_rng(4).integers(0, 256, size=(9, 6, 3), dtype=np.uint8), 4, 4),
                label="center_crop(9×6×3 colour image, 4, 4)",
                hint=_CROP_HINT + " Keep the channel axis.",
            )
        ]
        + [
            Case(
                (np.arange(56, dtype=np.uint8).reshape(7, 8), *bad),
                hint=_FIT_HINT,
                label=f"center_crop(7×8 grayscale, {bad[0]}, {bad[1]})",
            )
            for bad in [(8, 4), (3, 9), (0, 4), (3, -1)]
        ],
        hidden=_crop_hidden,
        groups={"values": 1, "errors": 1},
        hint=_CROP_HINT,
        mistakes=[
            Mistake(
                _rounded_up_margin,
                "you rounded the margin up.",
                "when the margin is odd the extra pixel stays at the bottom and right: "
                "round top and left down.",
            ),
            Mistake(
                _swapped_sides,
                "you swapped height and width.",
                "height counts rows (axis 0), width counts columns (axis 1).",
            ),
        ],
    ),
    Exercise(
        "colour_name",
        points=2,
        reference=colour_name,
        judge=judge.Exact(),
        public=[
            Case((pixel,), {"order": order})
            for pixel, order in [
                ((255, 255, 0), "RGB"),
                ((250, 240, 10), "RGB"),
                ((0, 255, 255), "BGR"),
                ((0, 255, 255), "RGB"),
                ((200, 30, 40), "RGB"),
                ((200, 30, 40), "BGR"),
                ((10, 130, 20), "RGB"),
                ((128, 127, 128), "RGB"),
                ((127, 127, 127), "RGB"),
                ((128, 128, 128), "BGR"),
            ]
        ]
        + [
            Case((np.array([30, 140, 250], dtype=np.uint8),), hint=_ARRAY_PIXEL_HINT),
            Case(((1, 2, 3), "HSV"), hint="only 'RGB' and 'BGR' are valid orders."),
            Case(((1, 2),), hint="a pixel has exactly 3 values."),
        ],
        hidden=_colour_hidden,
        groups={"values": 1, "errors": 1},
        hint=_COLOUR_HINT,
        mistakes=[
            Mistake(
                _strict_threshold,
                "a value of exactly 128 counts as on.",
                "test value >= 128, not > 128.",
            ),
            Mistake(
                _ignores_order,
                "you ignored the order argument.",
                "with order='BGR' the first value is blue: put the values in R, G, B order first.",
            ),
            Mistake(
                _capitalised,
                "the name must be in lower case.",
                "return e.g. 'yellow', not 'Yellow'.",
            ),
        ],
    ),
]
