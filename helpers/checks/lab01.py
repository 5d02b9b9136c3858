"""Checks of lab 01 (images as arrays): weight counts, memory, grayscale, BGR, crops, colours."""

from __future__ import annotations

import numpy as np

from . import (
    CheckFailed,
    call,
    expect_array,
    expect_close,
    expect_int,
    expect_raises,
    fail,
    passed,
)

__all__ = [
    "check_dense_weight_count", "check_memory_gb", "check_to_grayscale", "check_rgb_to_bgr",
    "check_center_crop", "check_colour_name",
]  # fmt: skip


def _describe(value) -> str:
    """Short description of an argument: arrays by shape and dtype, not by their values."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape}, dtype {value.dtype}"
    return repr(value)


def _shown(args, kwargs) -> str:
    parts = [_describe(a) for a in args] + [f"{k}={_describe(v)}" for k, v in kwargs.items()]
    return ", ".join(parts)


def _call(fn, *args, exercise: str, **kwargs):
    """Like :func:`helpers.checks.call`, but names array arguments by shape, not by value."""
    if not callable(fn):
        fail(f"{exercise}: expected a function, got {type(fn).__name__}.")
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        fail(f"{exercise}: not implemented yet.", "replace the `raise NotImplementedError` line.")
    except CheckFailed:
        raise
    except Exception as exc:  # the learner's bug: feedback, not a crash
        fail(f"{exercise}: calling it with ({_shown(args, kwargs)}) raised "
             f"{type(exc).__name__}: {exc}")


def _expect_raises(fn, *args, exercise: str, hint: str) -> None:
    """Like :func:`helpers.checks.expect_raises` (ValueError), with arrays named by shape."""
    shown = _shown(args, {})
    try:
        fn(*args)
    except ValueError:
        return
    except NotImplementedError:
        fail(f"{exercise}: not implemented yet.")
    except Exception as exc:
        fail(f"{exercise}({shown}) raised {type(exc).__name__}; raise ValueError.", hint)
    fail(f"{exercise}({shown}) returned instead of raising ValueError.", hint)


def _test_image(h: int, w: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(h, w, 3), dtype=np.uint8)


def check_dense_weight_count(fn) -> str:
    """Exercise 1: ``dense_weight_count(h, w, c, units, bias=True)``."""
    ex = "dense_weight_count"
    cases = [
        ((1024, 1024, 3, 1_000), True, 3_145_729_000),
        ((1024, 1024, 3, 1_000), False, 3_145_728_000),
        ((64, 64, 3, 1_000), False, 12_288_000),
        ((480, 640, 3, 1), False, 921_600),
        ((28, 28, 1, 10), True, 7_850),
    ]
    for args, bias, expected in cases:
        expect_int(
            call(fn, *args, bias=bias, exercise=ex), expected, what=f"{ex}{args}, bias={bias}",
            hint="weights = height × width × channels × units; with bias add one per unit.",
        )  # fmt: skip
    expect_int(call(fn, 2, 3, 1, 4, exercise=ex), 28, what=f"{ex}(2, 3, 1, 4) (default bias=True)",
               hint="bias=True is the default: 2·3·1·4 weights + 4 biases.")
    for bad in [(0, 10, 3, 5), (10, 10, 3, 0), (10, -2, 3, 5), (10, 10, 0, 5)]:
        expect_raises(fn, *bad, exercise=ex, hint="every size must be at least 1.")
    return passed(ex)


def check_memory_gb(fn) -> str:
    """Exercise 2: ``memory_gb(n_values, bytes_per_value=4, unit="GB")``."""
    ex = "memory_gb"
    cases = [
        ((3_145_728_000,), {}, 12.582912),
        ((3_145_728_000,), {"unit": "GiB"}, 11.71875),
        ((1_000_000_000,), {"bytes_per_value": 2}, 2.0),
        ((2**28,), {"bytes_per_value": 4, "unit": "GiB"}, 1.0),
        ((921_600,), {"bytes_per_value": 1}, 0.0009216),
    ]
    for args, kwargs, expected in cases:
        what = f"{ex}({args[0]}{''.join(f', {k}={v!r}' for k, v in kwargs.items())})"
        got = call(fn, *args, exercise=ex, **kwargs)
        if type(got) is not float:
            fail(f"{what}: expected a float, got {type(got).__name__} {got!r}.",
                 "return float(...) of the number of gigabytes.")
        expect_close(got, expected, what=what, rel=1e-9,
                     hint="GB divides the bytes by 10**9, GiB by 2**30 = 1,073,741,824.")
    expect_raises(fn, 100, 4, "MB", exercise=ex,
                  hint="only 'GB' and 'GiB' are valid units.")
    expect_raises(fn, 100, 4, "gb", exercise=ex,
                  hint="units are case-sensitive: 'GB' or 'GiB'.")
    expect_raises(fn, -1, exercise=ex, hint="a number of values cannot be negative.")
    return passed(ex)


def check_to_grayscale(fn) -> str:
    """Exercise 3: ``to_grayscale(img)`` → float64 (H, W), BT.601 weights, not rounded."""
    ex = "to_grayscale"
    hint = "Y = 0.299 R + 0.587 G + 0.114 B, computed in float64 (uint8 wraps at 256), not rounded."
    pure = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255]],
                     [[255, 255, 0], [255, 255, 255], [0, 0, 0]]], dtype=np.uint8)  # fmt: skip
    expected = np.array([[76.245, 149.685, 29.07], [225.93, 255.0, 0.0]])
    got = _call(fn, pure.copy(), exercise=ex)
    expect_array(got, expected, what=f"{ex}(pure colours)", dtype_kind="f", atol=1e-9, hint=hint)
    if got.dtype != np.float64:
        fail(f"{ex}: expected dtype float64, got {got.dtype}.", "use .astype(np.float64).")
    img = _test_image(7, 5, seed=1)
    before = img.copy()
    want = img[..., 0] * 0.299 + img[..., 1] * 0.587 + img[..., 2] * 0.114
    got = _call(fn, img, exercise=ex)
    expect_array(got, want, what=f"{ex}(random 7×5 image)", dtype_kind="f", atol=1e-9, hint=hint)
    if not np.array_equal(img, before):
        fail(f"{ex}: your function changed its input image.", "work on a copy.")
    for shape in [(4, 4), (4, 4, 4), (4, 4, 1)]:
        _expect_raises(fn, np.zeros(shape, dtype=np.uint8), exercise=ex,
                       hint="only (height, width, 3) arrays are RGB images.")
    return passed(ex)


def check_rgb_to_bgr(fn) -> str:
    """Exercise 4: ``rgb_to_bgr(img)`` reverses the last axis, same shape and dtype."""
    ex = "rgb_to_bgr"
    hint = "reverse the order of the last axis: img[..., ::-1]."
    yellow = np.array([[[255, 255, 0]]], dtype=np.uint8)
    got = _call(fn, yellow.copy(), exercise=ex)
    expect_array(got, np.array([[[0, 255, 255]]]), what=f"{ex}(one yellow pixel)", dtype_kind="u",
                 hint=hint)
    for shape, seed in [((6, 4, 3), 2), ((2, 5, 3, 3), 3)]:
        img = np.random.default_rng(seed).integers(0, 256, size=shape, dtype=np.uint8)
        before = img.copy()
        got = _call(fn, img, exercise=ex)
        expect_array(got, before[..., ::-1], what=f"{ex}(uint8 array of shape {shape})",
                     dtype_kind="u", hint=hint + " It must work for a batch (N, H, W, 3) as well.")
        if got.dtype != np.uint8:
            fail(f"{ex}: expected dtype uint8 as in the input, got {got.dtype}.", hint)
        if not np.array_equal(img, before):
            fail(f"{ex}: your function changed its input image.", "return a new array.")
    floats = np.linspace(0, 1, 12).reshape(2, 2, 3)
    expect_array(_call(fn, floats.copy(), exercise=ex), floats[..., ::-1],
                 what=f"{ex}(float image)", dtype_kind="f", hint="keep the dtype of the input.")
    for shape in [(4, 4), (4, 4, 4), (3, 4, 4)]:
        _expect_raises(fn, np.zeros(shape, dtype=np.uint8), exercise=ex,
                       hint="the last axis must have size 3.")
    return passed(ex)


def check_center_crop(fn) -> str:
    """Exercise 5: ``center_crop(img, height, width)`` with top/left = margin // 2."""
    ex = "center_crop"
    hint = ("top = (H - height) // 2, left = (W - width) // 2; "
            "then img[top:top+height, left:left+width].")
    grid = np.arange(7 * 8, dtype=np.uint8).reshape(7, 8)
    for h, w in [(3, 4), (4, 3), (7, 8), (1, 1), (2, 5)]:
        top, left = (7 - h) // 2, (8 - w) // 2
        got = _call(fn, grid.copy(), h, w, exercise=ex)
        expect_array(got, grid[top:top + h, left:left + w], what=f"{ex}(7×8 grayscale, {h}, {w})",
                     dtype_kind="u", hint=hint)
    img = _test_image(9, 6, seed=4)
    got = _call(fn, img.copy(), 4, 4, exercise=ex)
    expect_array(got, img[2:6, 1:5], what=f"{ex}(9×6×3 colour image, 4, 4)", dtype_kind="u",
                 hint=hint + " Keep the channel axis.")
    for bad in [(8, 4), (3, 9), (0, 4), (3, -1)]:
        _expect_raises(fn, grid, *bad, exercise=ex,
                       hint="the crop must be at least 1×1 and fit inside the image.")
    return passed(ex)


def check_colour_name(fn) -> str:
    """Exercise 6: ``colour_name(pixel, order="RGB")``, threshold 128."""
    ex = "colour_name"
    hint = "a channel is on when its value is >= 128; yellow = red + green, cyan = green + blue."
    cases = [
        ((255, 255, 0), "RGB", "yellow"), ((250, 240, 10), "RGB", "yellow"),
        ((0, 255, 255), "BGR", "yellow"), ((0, 255, 255), "RGB", "cyan"),
        ((200, 30, 40), "RGB", "red"), ((200, 30, 40), "BGR", "blue"),
        ((10, 130, 20), "RGB", "green"), ((128, 127, 128), "RGB", "magenta"),
        ((127, 127, 127), "RGB", "black"), ((128, 128, 128), "BGR", "white"),
    ]  # fmt: skip
    for pixel, order, expected in cases:
        what = f"{ex}({pixel}, order={order!r})"
        got = call(fn, pixel, order=order, exercise=ex)
        if type(got) is not str:
            fail(f"{what}: expected a str, got {type(got).__name__} {got!r}.", hint)
        if got != expected:
            fail(f"{what}: expected {expected!r}, got {got!r}.", hint)
    arr = np.array([30, 140, 250], dtype=np.uint8)  # a NumPy pixel, as from img[row, col]
    got = _call(fn, arr, exercise=ex)
    if type(got) is not str or got != "cyan":
        fail(f"{ex}(np.array([30, 140, 250], dtype=uint8)): expected 'cyan', got {got!r}.",
             "a pixel taken from an image is a NumPy array; the default order is 'RGB'.")
    expect_raises(fn, (1, 2, 3), "HSV", exercise=ex,
                  hint="only 'RGB' and 'BGR' are valid orders.")
    expect_raises(fn, (1, 2), exercise=ex, hint="a pixel has exactly 3 values.")
    return passed(ex)
