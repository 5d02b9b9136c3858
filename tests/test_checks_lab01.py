"""Tests of helpers.checks.lab01: the solutions pass, typical mistakes fail with a clear message."""

import numpy as np
import pytest

from helpers.checks import CheckFailed, lab01

# --- the solutions -------------------------------------------------------------------------


def dense_weight_count(height, width, channels, units, bias=True):
    if min(height, width, channels, units) < 1:
        raise ValueError("sizes must be at least 1")
    return height * width * channels * units + (units if bias else 0)


def memory_gb(n_values, bytes_per_value=4, unit="GB"):
    div = {"GB": 10**9, "GiB": 2**30}
    if unit not in div or n_values < 0:
        raise ValueError("bad input")
    return n_values * bytes_per_value / div[unit]


def to_grayscale(img):
    img = np.asarray(img)
    if img.ndim != 3 or img.shape[2] != 3:
        raise ValueError("not RGB")
    return img.astype(np.float64) @ np.array([0.299, 0.587, 0.114])


def rgb_to_bgr(img):
    img = np.asarray(img)
    if img.shape[-1] != 3:
        raise ValueError("not 3 channels")
    return img[..., ::-1].copy()


def center_crop(img, height, width):
    h, w = img.shape[:2]
    if not (1 <= height <= h and 1 <= width <= w):
        raise ValueError("crop does not fit")
    top, left = (h - height) // 2, (w - width) // 2
    return img[top:top + height, left:left + width]


NAMES = {(0, 0, 0): "black", (1, 0, 0): "red", (0, 1, 0): "green", (0, 0, 1): "blue",
         (1, 1, 0): "yellow", (0, 1, 1): "cyan", (1, 0, 1): "magenta", (1, 1, 1): "white"}  # fmt: skip  # noqa: E501


def colour_name(pixel, order="RGB"):
    if order not in ("RGB", "BGR"):
        raise ValueError("order")
    v = [int(x) for x in pixel]
    if len(v) != 3:
        raise ValueError("3 values")
    if order == "BGR":
        v = v[::-1]
    return NAMES[tuple(int(x >= 128) for x in v)]


SOLUTIONS = [
    (lab01.check_dense_weight_count, dense_weight_count),
    (lab01.check_memory_gb, memory_gb),
    (lab01.check_to_grayscale, to_grayscale),
    (lab01.check_rgb_to_bgr, rgb_to_bgr),
    (lab01.check_center_crop, center_crop),
    (lab01.check_colour_name, colour_name),
]


class AlwaysEqual:
    """Equal to everything, and pretends to be every kind of number."""

    shape = (1,)
    dtype = np.dtype("float64")

    def __eq__(self, other):
        return True

    def __int__(self):
        return 1

    def __float__(self):
        return 1.0


def not_done(*args, **kwargs):
    raise NotImplementedError


def test_solutions_pass(capsys):
    for check, fn in SOLUTIONS:
        assert "passed" in check(fn)
    assert capsys.readouterr().out.count("✔") == len(SOLUTIONS)


@pytest.mark.parametrize("check", [c for c, _ in SOLUTIONS])
def test_blank_fails_as_not_implemented(check):
    with pytest.raises(CheckFailed, match="not implemented yet"):
        check(not_done)


@pytest.mark.parametrize("check", [c for c, _ in SOLUTIONS])
def test_always_equal_object_fails(check):
    with pytest.raises(CheckFailed, match="expected"):
        check(lambda *a, **k: AlwaysEqual())


# --- typical mistakes ----------------------------------------------------------------------


def test_forgotten_bias():
    def no_bias(h, w, c, u, bias=True):
        if min(h, w, c, u) < 1:
            raise ValueError
        return h * w * c * u

    with pytest.raises(CheckFailed, match=r"(?s)expected 3145729000, got 3145728000.*bias"):
        lab01.check_dense_weight_count(no_bias)


def test_missing_size_validation():
    with pytest.raises(CheckFailed, match="returned instead of raising ValueError"):
        lab01.check_dense_weight_count(lambda h, w, c, u, bias=True: h * w * c * u + (u if bias else 0))  # noqa: E501


def test_float_weight_count():
    with pytest.raises(CheckFailed, match="expected a whole number"):
        lab01.check_dense_weight_count(lambda h, w, c, u, bias=True: float(dense_weight_count(h, w, c, u, bias)))  # noqa: E501


def test_units_swapped_or_binary_for_both():
    def always_binary(n, bytes_per_value=4, unit="GB"):
        if unit not in ("GB", "GiB") or n < 0:
            raise ValueError
        return n * bytes_per_value / 2**30

    with pytest.raises(CheckFailed, match=r"(?s)expected 12.5829, got 11.7188.*10\*\*9"):
        lab01.check_memory_gb(always_binary)


def test_memory_accepts_any_unit():
    def lax(n, bytes_per_value=4, unit="GB"):
        if n < 0:
            raise ValueError
        return n * bytes_per_value / (2**30 if unit == "GiB" else 1e9)

    with pytest.raises(CheckFailed, match=r"memory_gb\(100, 4, 'MB'\) returned instead"):
        lab01.check_memory_gb(lax)


def test_memory_returns_int():
    with pytest.raises(CheckFailed, match="expected a float, got int"):
        lab01.check_memory_gb(lambda n, bytes_per_value=4, unit="GB": 12)


def test_grayscale_plain_mean():
    def mean_gray(img):
        img = np.asarray(img)
        if img.ndim != 3 or img.shape[2] != 3:
            raise ValueError
        return img.astype(np.float64).mean(axis=2)

    with pytest.raises(CheckFailed, match=r"(?s)at index \(0, 1\) expected 149.685, got 85.*0.299"):
        lab01.check_to_grayscale(mean_gray)


def test_grayscale_in_uint8_or_rounded():
    def rounded(img):
        img = np.asarray(img)
        if img.ndim != 3 or img.shape[2] != 3:
            raise ValueError
        return np.round(to_grayscale(img)).astype(np.uint8)

    with pytest.raises(CheckFailed, match="expected a float dtype, got dtype uint8"):
        lab01.check_to_grayscale(rounded)

    def float32(img):
        return to_grayscale(img).astype(np.float32)

    with pytest.raises(CheckFailed, match="wrong values|expected dtype float64"):
        lab01.check_to_grayscale(float32)


def test_grayscale_channel_order_bgr():
    def bgr_weights(img):
        img = np.asarray(img)
        if img.ndim != 3 or img.shape[2] != 3:
            raise ValueError
        return img.astype(np.float64) @ np.array([0.114, 0.587, 0.299])

    with pytest.raises(CheckFailed, match="wrong values"):
        lab01.check_to_grayscale(bgr_weights)


def test_grayscale_returns_list():
    with pytest.raises(CheckFailed, match="expected a NumPy array"):
        lab01.check_to_grayscale(lambda img: to_grayscale(img).tolist())


def test_bgr_reverses_wrong_axis():
    def wrong_axis(img):
        img = np.asarray(img)
        if img.shape[-1] != 3:
            raise ValueError
        return img[::-1].copy()

    with pytest.raises(CheckFailed, match=r"(?s)wrong values.*img\[\.\.\., ::-1\]"):
        lab01.check_rgb_to_bgr(wrong_axis)


def test_bgr_modifies_input():
    def in_place(img):
        if img.shape[-1] != 3:
            raise ValueError
        img[:] = img[..., ::-1].copy()
        return img

    with pytest.raises(CheckFailed, match="changed its input"):
        lab01.check_rgb_to_bgr(in_place)


def test_bgr_only_for_single_images():
    def only_3d(img):
        img = np.asarray(img)
        if img.ndim != 3 or img.shape[-1] != 3:
            raise ValueError("only (H, W, 3)")
        return img[:, :, ::-1].copy()

    expected = r"with \(array of shape \(2, 5, 3, 3\), dtype uint8\) raised ValueError: only"
    with pytest.raises(CheckFailed, match=expected):
        lab01.check_rgb_to_bgr(only_3d)


def test_crop_rounding_up():
    def ceil_margin(img, height, width):
        h, w = img.shape[:2]
        if not (1 <= height <= h and 1 <= width <= w):
            raise ValueError
        top, left = -(-(h - height) // 2), -(-(w - width) // 2)
        return img[top:top + height, left:left + width]

    with pytest.raises(CheckFailed, match=r"(?s)center_crop\(7×8 grayscale, 4, 3\).*\(H - height\) // 2"):  # noqa: E501
        lab01.check_center_crop(ceil_margin)


def test_crop_swapped_height_width():
    with pytest.raises(CheckFailed, match=r"expected shape \(3, 4\), got \(4, 3\)"):
        lab01.check_center_crop(lambda img, h, w: center_crop(img, w, h) if h <= 7 and w <= 7 else img)  # noqa: E501


def test_crop_without_validation():
    """Slicing silently clips an oversized crop; the check must ask for a ValueError."""

    def lax(img, height, width):
        h, w = img.shape[:2]
        top, left = (h - height) // 2, (w - width) // 2
        return img[max(top, 0):max(top, 0) + height, max(left, 0):max(left, 0) + width]

    with pytest.raises(CheckFailed, match="returned instead of raising ValueError"):
        lab01.check_center_crop(lax)


def test_colour_threshold_off_by_one():
    def strict(pixel, order="RGB"):
        v = [int(x) for x in pixel]
        if order == "BGR":
            v = v[::-1]
        return NAMES[tuple(int(x > 128) for x in v)]

    with pytest.raises(CheckFailed, match=r"(?s)\(128, 127, 128\).*expected 'magenta', got 'black'.*>= 128"):  # noqa: E501
        lab01.check_colour_name(strict)


def test_colour_ignores_order():
    def ignore(pixel, order="RGB"):
        if order not in ("RGB", "BGR"):
            raise ValueError
        return colour_name(pixel)

    with pytest.raises(CheckFailed, match=r"\(0, 255, 255\), order='BGR'\): expected 'yellow', got 'cyan'"):  # noqa: E501
        lab01.check_colour_name(ignore)


def test_colour_capitalised():
    with pytest.raises(CheckFailed, match="expected 'yellow', got 'Yellow'"):
        lab01.check_colour_name(lambda p, order="RGB": colour_name(p, order).capitalize())


def test_array_arguments_are_shown_by_shape():
    def crash(img):
        raise IndexError("boom")

    with pytest.raises(CheckFailed, match=r"\(array of shape \(2, 3, 3\), dtype uint8\) raised IndexError"):  # noqa: E501
        lab01.check_to_grayscale(crash)
    with pytest.raises(CheckFailed, match=r"to_grayscale\(array of shape \(4, 4\), dtype uint8\) "
                                          r"returned instead of raising ValueError"):
        lab01.check_to_grayscale(
            lambda img: to_grayscale(img) if img.shape[-1] == 3 else np.zeros(img.shape[:2]))
