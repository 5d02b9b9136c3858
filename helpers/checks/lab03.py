"""Checks of lab 03 (convolution from scratch): sizes, padding, conv2d, flip, channels, Sobel.

Expected values come from :mod:`helpers.conv`, which is itself tested against TensorFlow.
Arrays are compared after strict checks of type, shape and dtype, with explicit float64
arithmetic (no ``np.allclose``, which a notebook could replace).
"""

from __future__ import annotations

import numpy as np

from .. import conv
from . import call, expect_close, expect_int, expect_raises, fail, passed

__all__ = [
    "check_output_size", "check_pad_image", "check_conv2d_single_channel", "check_flip_kernel",
    "check_multichannel_pixel", "check_sobel_magnitude",
]  # fmt: skip

SHARPEN = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
SOBEL_Y = np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]])
PATCH = np.array([[105, 102, 100, 97, 96], [103, 99, 103, 101, 102], [101, 98, 104, 102, 100],
                  [99, 101, 106, 104, 99], [104, 104, 104, 100, 98]])  # fmt: skip


def _max_diff(got: np.ndarray, expected: np.ndarray) -> float:
    g = np.array(got, dtype=np.float64)
    e = np.array(expected, dtype=np.float64)
    return float(np.max(np.abs(g - e))) if g.size else 0.0


def _expect_array(got, expected, *, what: str, kinds: str = "f", tol: float = 1e-9,
                  hint: str | None = None) -> None:  # fmt: skip
    """``got`` must be an ndarray of ``expected``'s shape, a dtype kind in ``kinds``, and values
    within ``tol`` (relative to the largest expected magnitude)."""
    expected = np.asarray(expected)
    if type(got) is not np.ndarray:
        fail(f"{what}: expected a NumPy array (np.ndarray), got {type(got).__name__}.", hint)
    if got.shape != expected.shape:
        fail(f"{what}: expected shape {expected.shape}, got {got.shape}.", hint)
    if got.dtype.kind not in kinds:
        names = {"f": "float", "i": "signed int", "u": "unsigned int"}
        wanted = " or ".join(names[k] for k in kinds)
        fail(f"{what}: expected a {wanted} array, got dtype {got.dtype}.", hint)
    g = np.array(got, dtype=np.float64)
    e = np.array(expected, dtype=np.float64)
    finite = np.isfinite(g)
    if not bool(finite.all()):
        fail(f"{what}: the result contains NaN or infinity.", hint)
    if g.size == 0:
        return
    err = np.abs(g - e)
    scale = 1.0 + float(np.max(np.abs(e)))
    worst = np.unravel_index(int(np.argmax(err)), err.shape)
    if not float(err[worst]) <= tol * scale:
        fail(f"{what}: at index {tuple(int(i) for i in worst)} expected {e[worst]:.6g}, "
             f"got {g[worst]:.6g}.", hint)  # fmt: skip


# --------------------------------------------------------------------------- exercise 1


def check_output_size(fn) -> str:
    """Exercise 1: ``output_size(n, f, padding=0, stride=1, dilation=1)``."""
    ex = "output_size"
    cases = [  # (n, f, padding, stride, dilation)
        (13, 6, "valid", 5, 1), (13, 6, "same", 5, 1), (5, 3, 1, 1, 1), (28, 5, 0, 1, 1),
        (32, 3, "same", 1, 1), (10, 3, 0, 3, 1), (224, 7, 3, 2, 1), (9, 3, 0, 1, 2),
        (20, 3, 2, 2, 3), (7, 4, "same", 2, 1),
    ]  # fmt: skip
    for n, f, pad, s, d in cases:
        expected = conv.output_size(n, f, padding=pad, stride=s, dilation=d)
        if pad == "same":
            hint = "with 'same', Keras gives ceil(n / stride) outputs, whatever the filter size."
        elif d > 1:
            hint = "with dilation d the filter covers f_eff = d*(f-1)+1 pixels: use f_eff."
        elif s > 1:
            hint = "divide (n + 2p - f) by the stride, round DOWN (//), then add 1."
        else:
            hint = "out = n + 2p - f + 1 for stride 1 ('valid' means p = 0)."
        what = f"{ex}({n}, {f}, padding={pad!r}, stride={s}, dilation={d})"
        got = call(fn, n, f, padding=pad, stride=s, dilation=d, exercise=ex)
        expect_int(got, expected, what=what, hint=hint)
    for bad in [(3, 5, 0), (0, 3, 0), (5, 0, 0), (5, 3, -1), (5, 3, "full"), (5, 3, 0, 0),
                (5, 3, 0, 1, 0), (5, 3, 0, 1, 3)]:  # fmt: skip
        expect_raises(
            fn, *bad, exercise=ex,
            hint="raise ValueError for sizes < 1, negative padding, unknown words, and when "
                 "the (effective) filter does not fit (the output would be < 1).",
        )  # fmt: skip
    return passed(ex)


# --------------------------------------------------------------------------- exercise 2


def check_pad_image(fn) -> str:
    """Exercise 2: ``pad_image(image, p)`` adds ``p`` zeros around a 2-D image, keeping dtype."""
    ex = "pad_image"
    hint = (
        "make np.zeros((H + 2p, W + 2p), dtype=image.dtype) and copy the image to [p:p+H, p:p+W]."
    )
    cases = [
        (np.array([[1, 2], [3, 4]]), 1),
        (np.arange(12, dtype=np.uint8).reshape(3, 4) + 200, 2),
        (np.linspace(-1, 1, 10).reshape(2, 5), 3),
        (np.array([[7.5]]), 1),
    ]
    for image, p in cases:
        original = image.copy()
        got = call(fn, image, p, exercise=ex)
        expected = conv.pad2d(image, p)
        what = f"{ex}(image of shape {image.shape}, dtype {image.dtype}, p={p})"
        _expect_array(got, expected, what=what, kinds="iuf", hint=hint)
        if got.dtype != image.dtype:
            fail(f"{what}: the result has dtype {got.dtype}; keep the image's dtype {image.dtype}.",
                 "pass dtype=image.dtype to np.zeros.")  # fmt: skip
        if not np.array_equal(image, original):
            fail(f"{what}: your function changed the input image.", "write into a new array.")
    image = np.array([[1.0, 2.0], [3.0, 4.0]])
    got = call(fn, image, 0, exercise=ex)
    _expect_array(got, image, what=f"{ex}(2x2 image, p=0)", hint="p = 0 adds nothing.")
    if np.shares_memory(got, image):
        fail(f"{ex}(image, 0) returned the image itself (or a view); return a copy.",
             "np.array(image) or image.copy() makes a copy.")  # fmt: skip
    expect_raises(fn, image, -1, exercise=ex, hint="a negative padding makes no sense.")
    expect_raises(fn, np.zeros((2, 2, 3)), 1, exercise=ex, hint="only 2-D images are accepted.")
    return passed(ex)


# --------------------------------------------------------------------------- exercise 3


def check_conv2d_single_channel(fn) -> str:
    """Exercise 3: ``conv2d_single_channel(image, kernel, padding=0, stride=1, dilation=1)``."""
    ex = "conv2d_single_channel"
    got = call(fn, PATCH, SHARPEN, padding=1, exercise=ex)
    expected = conv.conv2d(PATCH, SHARPEN, padding=1)
    if type(got) is np.ndarray and got.shape == (5, 5):
        expect_close(
            got[0, 0], 320.0, what=f"{ex}(sharpen example, padding=1)[0, 0]",
            hint="the window at (0, 0) is the padded rows 0..2 and columns 0..2.",
        )  # fmt: skip
    _expect_array(
        got, expected, what=f"{ex}(sharpen example, padding=1)",
        hint="with padding 1, a 5x5 image and a 3x3 kernel give a 5x5 output.",
    )  # fmt: skip

    rng = np.random.default_rng(30)
    cases = [  # (image shape, kernel shape, padding, stride, dilation)
        ((6, 7), (3, 3), 0, 1, 1), ((7, 9), (3, 3), 0, 2, 1), ((9, 8), (3, 3), 0, 1, 2),
        ((8, 8), (2, 3), 2, 3, 1), ((10, 11), (3, 2), 1, 2, 2), ((5, 5), (5, 5), 0, 1, 1),
    ]  # fmt: skip
    for ishape, kshape, pad, s, d in cases:
        image = rng.normal(size=ishape)
        kernel = rng.integers(-3, 4, size=kshape).astype(float)
        kernel[0, 0] = 5.0  # never symmetric, so a flipped kernel is caught
        what = (f"{ex}(image {ishape}, kernel {kshape}, padding={pad}, stride={s}, "
                f"dilation={d})")  # fmt: skip
        got = call(fn, image, kernel, padding=pad, stride=s, dilation=d, exercise=ex)
        expected = conv.conv2d(image, kernel, padding=pad, stride=s, dilation=d)
        flipped = conv.convolve2d(image, kernel, padding=pad, stride=s, dilation=d)
        if type(got) is np.ndarray and got.shape == expected.shape and got.dtype.kind == "f":
            if _max_diff(got, flipped) < 1e-9 and _max_diff(got, expected) > 1e-9:
                fail(
                    f"{what}: you computed a true convolution (flipped kernel).",
                    "CNN 'convolution' does not flip: multiply window[i, j] by kernel[i, j].",
                )
        hint = (
            "output (r, c) uses padded[r*stride + i*dilation, c*stride + j*dilation]; "
            "the shape is (out_rows, out_cols) from exercise 1, computed per axis."
        )
        _expect_array(got, expected, what=what, hint=hint)

    bright = np.full((4, 4), 250, dtype=np.uint8)
    got = call(fn, bright, np.ones((2, 2)) * 2, exercise=ex)
    _expect_array(
        got,
        np.full((3, 3), 2000.0),
        what=f"{ex}(uint8 image of 250s, 2x2 kernel of 2s)",
        hint="convert the image to float64 first: uint8 arithmetic wraps around at 256.",
    )
    return passed(ex)


# --------------------------------------------------------------------------- exercise 4


def check_flip_kernel(fn) -> str:
    """Exercise 4: ``flip_kernel(kernel)`` reverses both spatial axes and returns a copy."""
    ex = "flip_kernel"
    for kernel in (np.arange(1, 10).reshape(3, 3), np.array([[1.5, -2.0, 0.0], [4.0, 5.0, 6.0]]),
                   np.arange(16.0).reshape(4, 4), SOBEL_X):  # fmt: skip
        original = kernel.copy()
        what = f"{ex}({kernel.tolist()})"
        expected = original[::-1, ::-1]
        got = call(fn, kernel, exercise=ex)
        if type(got) is np.ndarray and got.shape == kernel.shape:
            if np.array_equal(got, original[::-1]) and not np.array_equal(got, expected):
                fail(f"{what}: you flipped upside down only.", "also flip left to right.")
            if np.array_equal(got, original[:, ::-1]) and not np.array_equal(got, expected):
                fail(f"{what}: you flipped left to right only.", "also flip upside down.")
        if type(got) is np.ndarray and got.shape == kernel.T.shape and got.shape != kernel.shape:
            fail(f"{what}: the result has shape {got.shape}, the transpose's.",
                 "a flip is not a transpose: reverse each axis, kernel[::-1, ::-1].")  # fmt: skip
        _expect_array(
            got, expected, what=what, kinds="iuf",
            hint="a flip reverses both axes: kernel[::-1, ::-1] (a transpose is not a flip).",
        )  # fmt: skip
        if not np.array_equal(kernel, original):
            fail(f"{what}: your function changed the kernel passed in.", "work on a copy.")
        if np.shares_memory(got, kernel):
            fail(f"{what}: the result is a view of the input kernel; return a new array.",
                 "add .copy() (a view changes when the original changes).")  # fmt: skip
    impulse = np.zeros((5, 5))
    impulse[2, 2] = 1.0
    k = np.arange(1.0, 10.0).reshape(3, 3)
    stamp = conv.conv2d(impulse, call(fn, k, exercise=ex), padding=1)[1:4, 1:4]
    if not np.array_equal(stamp, k):
        fail(f"{ex}: correlating an impulse with the flipped kernel should draw the kernel.")
    return passed(ex)


# --------------------------------------------------------------------------- exercise 5


def _rgb_example():
    red = [[0, 0, 0], [0, 156, 155], [0, 153, 154]]
    green = [[0, 0, 0], [0, 167, 166], [0, 164, 165]]
    blue = [[0, 0, 0], [0, 163, 162], [0, 160, 161]]
    k1 = [[-1, -1, 1], [0, 1, -1], [0, 1, 1]]
    k2 = [[1, 0, 0], [1, -1, -1], [1, 0, -1]]
    k3 = [[0, 1, 1], [0, 1, 0], [1, -1, 1]]
    return np.stack([red, green, blue], axis=-1), np.stack([k1, k2, k3], axis=-1)


def check_multichannel_pixel(fn) -> str:
    """Exercise 5: ``multichannel_pixel(window, kernel, bias)`` = sum(window * kernel) + bias."""
    ex = "multichannel_pixel"
    window, kernel = _rgb_example()
    rng = np.random.default_rng(31)
    cases = [(window, kernel, 1, "the chapter's RGB example")]
    for shape, bias in [((3, 3, 2), -0.5), ((2, 2, 4), 3.25), ((5, 5, 1), 0.0), ((1, 1, 3), 2)]:
        cases.append((rng.normal(size=shape), rng.normal(size=shape), bias, f"random {shape}"))
    for win, ker, bias, name in cases:
        what = f"{ex}({name}, bias={bias})"
        got = call(fn, win, ker, bias, exercise=ex)
        if isinstance(got, bool) or not isinstance(got, float | np.floating):
            fail(f"{what}: return a float, got {type(got).__name__} {got!r}.",
                 "wrap the result in float(...).")  # fmt: skip
        total = float(np.sum(np.asarray(win, float) * np.asarray(ker, float)))
        first = float(np.sum(np.asarray(win, float)[..., 0] * np.asarray(ker, float)[..., 0]))
        if abs(float(got) - total) < 1e-9 and bias != 0:
            fail(f"{what}: you forgot the bias ({bias}).", "add the bias once, after the sum.")
        if win.shape[-1] > 1 and abs(float(got) - (first + bias)) < 1e-9:
            fail(f"{what}: only the first channel was used.", "sum over all channels too.")
        expect_close(got, total + bias, what=what,
                     hint="multiply element by element, sum over rows, columns AND channels, "
                          "then add the bias once.")  # fmt: skip
    expect_raises(fn, np.ones((3, 3, 3)), np.ones((3, 3, 2)), 0.0, exercise=ex,
                  hint="the window and the kernel must have the same shape.")  # fmt: skip
    return passed(ex)


# --------------------------------------------------------------------------- exercise 6


def check_sobel_magnitude(fn) -> str:
    """Exercise 6: ``sobel_magnitude(image)`` = sqrt(Gx**2 + Gy**2), valid, float64."""
    ex = "sobel_magnitude"
    step = np.zeros((5, 6))
    step[:, 3:] = 10.0  # a vertical edge
    rng = np.random.default_rng(32)
    images = [
        (step, "a vertical step edge"), (step.T.copy(), "a horizontal step edge"),
        (rng.normal(size=(7, 9)), "random 7x9"),
        (rng.integers(0, 256, size=(6, 6)).astype(np.uint8), "uint8 6x6"),
    ]  # fmt: skip
    for image, name in images:
        what = f"{ex}({name})"
        got = call(fn, image, exercise=ex)
        gx = conv.conv2d(image, SOBEL_X)
        gy = conv.conv2d(image, SOBEL_Y)
        expected = np.sqrt(gx**2 + gy**2)
        if type(got) is np.ndarray and got.shape == image.shape:
            fail(
                f"{what}: shape {got.shape} is the input's; the Sobel filters are applied "
                "without padding.",
                "a 3x3 filter without padding gives (H - 2, W - 2).",
            )
        if (type(got) is np.ndarray and got.shape == expected.shape
                and _max_diff(got, np.abs(gx) + np.abs(gy)) < 1e-9
                and _max_diff(got, expected) > 1e-9):  # fmt: skip
            fail(f"{what}: you returned |Gx| + |Gy|.", "the magnitude is sqrt(Gx**2 + Gy**2).")
        _expect_array(got, expected, what=what,
                      hint="Gx with Sx and Gy with Sy (correlation, no padding), then "
                           "np.sqrt(gx**2 + gy**2).")  # fmt: skip
    return passed(ex)
