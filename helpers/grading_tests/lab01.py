"""Hidden tests of lab 01 (images as arrays): 2 points per exercise.

Self-contained (see ``helpers/grading_tests/__init__.py``): exact type checks, then plain
Python arithmetic and comparisons, on inputs the public checks do not use. NumPy is imported
inside the tests only to build inputs and read results element by element.
"""

import importlib.util as _ilu
from pathlib import Path as _Path

_spec = _ilu.spec_from_file_location("_hidden_common", _Path(__file__).with_name("_common.py"))
_common = _ilu.module_from_spec(_spec)
_spec.loader.exec_module(_common)  # by path, never through `helpers`: see _common.py
Failed = _common.Failed
_as_int = _common.as_int
_call = _common.call
_expect_value_error = _common.expect_value_error


def _close(a, b, tol):
    d = a - b
    d = -d if d < 0 else d
    return d <= tol  # False for NaN


def _rand_image(shape, seed):
    """Deterministic pseudo-random uint8 values without NumPy's random machinery."""
    import numpy as np

    n = 1
    for s in shape:
        n *= s
    state, values = seed * 7919 + 17, []
    for _ in range(n):
        state = (state * 1103515245 + 12345) % 2**31
        values.append((state >> 16) % 256)
    return np.array(values, dtype=np.uint8).reshape(shape)


def _array_values(got, shape, kinds, what):
    """Exact ndarray with the given shape and dtype kind; its values as a flat list of floats."""
    import numpy as np

    if type(got) is not np.ndarray:
        raise Failed(f"{what}: expected np.ndarray, got {type(got).__name__}")
    if tuple(got.shape) != tuple(shape):
        raise Failed(f"{what}: expected shape {tuple(shape)}, got {tuple(got.shape)}")
    if got.dtype.kind not in kinds:
        raise Failed(f"{what}: unexpected dtype {got.dtype}")
    return [float(v) for v in got.reshape(-1).tolist()]


def _flat(arr):
    return [float(v) for v in arr.reshape(-1).tolist()]


def test_dense_weight_count(fn):
    cases = [(32, 32, 3, 100, True), (224, 224, 3, 4096, False), (1, 1, 1, 1, True),
             (100, 50, 2, 7, True), (300, 200, 3, 512, False)]  # fmt: skip
    for h, w, c, u, bias in cases:
        what = f"dense_weight_count({h}, {w}, {c}, {u}, bias={bias})"
        got = _as_int(_call(fn, h, w, c, u, bias=bias, what=what), what)
        expected = h * w * c * u + (u if bias else 0)
        if got != expected:
            raise Failed(f"{what}: expected {expected}, got {got}")
    what = "dense_weight_count(5, 5, 3, 2)"
    got = _as_int(_call(fn, 5, 5, 3, 2, what=what), what)
    if got != 152:
        raise Failed(f"{what}: expected 152 (bias defaults to True), got {got}")
    for bad in [(-1, 5, 3, 2), (5, 5, 3, -4), (5, 0, 3, 2)]:
        _expect_value_error(fn, *bad, what=f"dense_weight_count{bad}")


def test_memory_gb(fn):
    cases = [(12_288_000, 4, "GB"), (12_288_000, 4, "GiB"), (5 * 10**9, 8, "GB"),
             (2**30, 1, "GiB"), (0, 4, "GB"), (921_601_000, 2, "GiB")]  # fmt: skip
    for n, b, unit in cases:
        what = f"memory_gb({n}, bytes_per_value={b}, unit={unit!r})"
        got = _call(fn, n, bytes_per_value=b, unit=unit, what=what)
        if type(got) is not float:
            raise Failed(f"{what}: expected a float, got {type(got).__name__}")
        expected = n * b / (10**9 if unit == "GB" else 2**30)
        if not _close(got, expected, 1e-9 * expected + 1e-15):
            raise Failed(f"{what}: expected {expected!r}, got {got!r}")
    what = "memory_gb(250_000_000)"
    got = _call(fn, 250_000_000, what=what)
    if type(got) is not float or not _close(got, 1.0, 1e-12):
        raise Failed(f"{what}: expected 1.0 (4 bytes, GB by default), got {got!r}")
    for bad in [(10, 4, "GIB"), (10, 4, "TB"), (-5, 4, "GB")]:
        _expect_value_error(fn, *bad, what=f"memory_gb{bad}")


def test_to_grayscale(fn):
    import numpy as np

    for shape, seed in [((5, 9, 3), 1), ((1, 1, 3), 2), ((12, 4, 3), 3)]:
        img = _rand_image(shape, seed)
        before = _flat(img)
        what = f"to_grayscale(uint8 image of shape {shape})"
        got = _call(fn, img, what=what)
        values = _array_values(got, shape[:2], "f", what)
        if got.dtype != np.float64:
            raise Failed(f"{what}: expected float64, got {got.dtype}")
        px = _flat(img)
        for i, v in enumerate(values):
            r, g, b = px[3 * i], px[3 * i + 1], px[3 * i + 2]
            expected = 0.299 * r + 0.587 * g + 0.114 * b
            if not _close(v, expected, 1e-9):
                raise Failed(f"{what}: value {i} expected {expected!r}, got {v!r}")
        if _flat(img) != before:
            raise Failed(f"{what}: the input image was modified")
    what = "to_grayscale(pure yellow and white)"
    got = _call(fn, np.array([[[255, 255, 0], [255, 255, 255]]], dtype=np.uint8), what=what)
    values = _array_values(got, (1, 2), "f", what)
    if not (_close(values[0], 225.93, 1e-9) and _close(values[1], 255.0, 1e-9)):
        raise Failed(f"{what}: expected [225.93, 255.0], got {values}")
    for shape in [(3, 3), (3, 3, 2), (2, 3, 3, 3)]:
        bad = np.zeros(shape, dtype=np.uint8)
        _expect_value_error(fn, bad, what=f"to_grayscale(shape {shape})")


def test_rgb_to_bgr(fn):
    import numpy as np

    for shape, seed in [((3, 7, 3), 4), ((1, 2, 2, 3), 5), ((2, 1, 3), 6)]:
        img = _rand_image(shape, seed)
        before = _flat(img)
        what = f"rgb_to_bgr(uint8 array of shape {shape})"
        got = _call(fn, img, what=what)
        values = _array_values(got, shape, "u", what)
        if got.dtype != np.uint8:
            raise Failed(f"{what}: expected uint8, got {got.dtype}")
        for i in range(0, len(before), 3):
            if values[i:i + 3] != before[i:i + 3][::-1]:
                raise Failed(f"{what}: pixel {i // 3} should be {before[i:i + 3][::-1]}, "
                             f"got {values[i:i + 3]}")
        if _flat(img) != before:
            raise Failed(f"{what}: the input array was modified")
    what = "rgb_to_bgr(float32 image)"
    img = np.array([[[0.25, 0.5, 1.0]]], dtype=np.float32)
    got = _call(fn, img, what=what)
    values = _array_values(got, (1, 1, 3), "f", what)
    if values != [1.0, 0.5, 0.25]:
        raise Failed(f"{what}: expected [1.0, 0.5, 0.25], got {values}")
    for shape in [(3, 3, 2), (3, 3, 1), (5,)]:
        _expect_value_error(fn, np.zeros(shape, dtype=np.uint8), what=f"rgb_to_bgr(shape {shape})")


def test_center_crop(fn):
    import numpy as np

    sizes = [((10, 11), (3, 6)), ((6, 6), (5, 5)), ((5, 9), (5, 1)), ((8, 3), (2, 3))]
    for (H, W), (h, w) in sizes:
        img = np.arange(H * W, dtype=np.int32).reshape(H, W)
        what = f"center_crop({H}x{W} image, {h}, {w})"
        got = _call(fn, img, h, w, what=what)
        values = _array_values(got, (h, w), "i", what)
        top, left = (H - h) // 2, (W - w) // 2
        expected = [float((top + r) * W + left + c) for r in range(h) for c in range(w)]
        if values != expected:
            raise Failed(f"{what}: wrong pixels; the crop should start at row {top}, column {left}")
    img = _rand_image((11, 8, 3), 7)
    what = "center_crop(11x8x3 image, 6, 5)"
    got = _call(fn, img, 6, 5, what=what)
    values = _array_values(got, (6, 5, 3), "u", what)
    if values != _flat(img[2:8, 1:6]):
        raise Failed(f"{what}: wrong pixels; the crop should start at row 2, column 1")
    base = np.zeros((6, 4), dtype=np.uint8)
    for bad in [(7, 2), (2, 5), (0, 0), (-1, 2)]:
        _expect_value_error(fn, base, *bad, what=f"center_crop(6x4 image, {bad[0]}, {bad[1]})")


def test_colour_name(fn):
    import numpy as np

    cases = [((255, 0, 255), "RGB", "magenta"), ((255, 0, 255), "BGR", "magenta"),
             ((0, 0, 200), "RGB", "blue"), ((0, 0, 200), "BGR", "red"),
             ((129, 255, 0), "BGR", "cyan"), ((0, 128, 0), "RGB", "green"),
             ((0, 127, 0), "RGB", "black"), ((255, 200, 140), "RGB", "white"),
             ((90, 200, 210), "RGB", "cyan"), ((20, 200, 210), "BGR", "yellow")]  # fmt: skip
    for pixel, order, expected in cases:
        what = f"colour_name({pixel}, order={order!r})"
        got = _call(fn, pixel, order=order, what=what)
        if type(got) is not str:
            raise Failed(f"{what}: expected a str, got {type(got).__name__}")
        if got != expected:
            raise Failed(f"{what}: expected {expected!r}, got {got!r}")
    what = "colour_name(np.uint8 pixel (240, 230, 20))"
    got = _call(fn, np.array([240, 230, 20], dtype=np.uint8), what=what)
    if type(got) is not str or got != "yellow":
        raise Failed(f"{what}: expected 'yellow', got {got!r}")
    _expect_value_error(fn, (1, 2, 3), "rgb", what="colour_name((1, 2, 3), 'rgb')")
    _expect_value_error(fn, (1, 2, 3, 4), what="colour_name((1, 2, 3, 4))")


QUESTIONS = [
    ("dense_weight_count", 2, test_dense_weight_count),
    ("memory_gb", 2, test_memory_gb),
    ("to_grayscale", 2, test_to_grayscale),
    ("rgb_to_bgr", 2, test_rgb_to_bgr),
    ("center_crop", 2, test_center_crop),
    ("colour_name", 2, test_colour_name),
]
