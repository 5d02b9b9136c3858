"""Lab 01 cases: a learner's correct functions, and plausible wrong ones (see
tests/test_lab_exercises.py)."""

import numpy as np

from helpers.labs.spec import Mutant


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
    return img[top : top + height, left : left + width]


NAMES = {(0, 0, 0): "black", (1, 0, 0): "red", (0, 1, 0): "green", (0, 0, 1): "blue",
         (1, 1, 0): "yellow", (0, 1, 1): "cyan", (1, 0, 1): "magenta",
         (1, 1, 1): "white"}  # fmt: skip


def colour_name(pixel, order="RGB"):
    if order not in ("RGB", "BGR"):
        raise ValueError("order")
    v = [int(x) for x in pixel]
    if len(v) != 3:
        raise ValueError("3 values")
    if order == "BGR":
        v = v[::-1]
    return NAMES[tuple(int(x >= 128) for x in v)]


SOLUTION = {f.__name__: f for f in (dense_weight_count, memory_gb, to_grayscale, rgb_to_bgr,
                                    center_crop, colour_name)}  # fmt: skip


# ----------------------------------------------------------------------------- mutants


def no_bias(h, w, c, u, bias=True):
    if min(h, w, c, u) < 1:
        raise ValueError
    return h * w * c * u


def dense_without_validation(h, w, c, u, bias=True):
    return h * w * c * u + (u if bias else 0)


def dense_zero_allowed(h, w, c, u, bias=True):
    if min(h, w, c, u) < 0:
        raise ValueError
    return h * w * c * u + (u if bias else 0)


def always_binary(n, bytes_per_value=4, unit="GB"):
    if unit not in ("GB", "GiB") or n < 0:
        raise ValueError
    return n * bytes_per_value / 2**30


def memory_accepts_any_unit(n, bytes_per_value=4, unit="GB"):
    if n < 0:
        raise ValueError
    return n * bytes_per_value / (2**30 if unit == "GiB" else 1e9)


def memory_case_insensitive(n, bytes_per_value=4, unit="GB"):
    return memory_gb(n, bytes_per_value, {"gb": "GB", "gib": "GiB"}.get(unit.lower(), unit))


def memory_negative_allowed(n, bytes_per_value=4, unit="GB"):
    return memory_gb(abs(n), bytes_per_value, unit) * (1 if n >= 0 else -1)


def mean_gray(img):
    img = np.asarray(img)
    if img.ndim != 3 or img.shape[2] != 3:
        raise ValueError
    return img.astype(np.float64).mean(axis=2)


def rounded_gray(img):
    return np.round(to_grayscale(img)).astype(np.uint8)


def float32_gray(img):
    return to_grayscale(img).astype(np.float32)


def bgr_weights(img):
    img = np.asarray(img)
    if img.ndim != 3 or img.shape[2] != 3:
        raise ValueError
    return img.astype(np.float64) @ np.array([0.114, 0.587, 0.299])


def gray_in_place(img):
    if img.ndim != 3 or img.shape[2] != 3:
        raise ValueError
    out = to_grayscale(img)
    img[...] = 0
    return out


def gray_accepts_any_channels(img):
    img = np.asarray(img, dtype=np.float64)
    if img.ndim != 3:
        raise ValueError
    return img[..., :3] @ np.array([0.299, 0.587, 0.114])[: img.shape[2]]


def bgr_wrong_axis(img):
    img = np.asarray(img)
    if img.shape[-1] != 3:
        raise ValueError
    return img[::-1].copy()


def bgr_in_place(img):
    if img.shape[-1] != 3:
        raise ValueError
    img[:] = img[..., ::-1].copy()
    return img


def bgr_only_for_single_images(img):
    img = np.asarray(img)
    if img.ndim != 3 or img.shape[-1] != 3:
        raise ValueError("only (H, W, 3)")
    return img[:, :, ::-1].copy()


def bgr_as_float(img):
    return rgb_to_bgr(img).astype(np.float64)


def bgr_without_validation(img):
    return np.asarray(img)[..., ::-1].copy()


def crop_ceil_margin(img, height, width):
    h, w = img.shape[:2]
    if not (1 <= height <= h and 1 <= width <= w):
        raise ValueError
    top, left = -(-(h - height) // 2), -(-(w - width) // 2)
    return img[top : top + height, left : left + width]


def crop_swapped(img, height, width):
    return center_crop(img, width, height)


def crop_without_validation(img, height, width):
    """Slicing silently clips an oversized crop; a ValueError is asked for."""
    h, w = img.shape[:2]
    top, left = (h - height) // 2, (w - width) // 2
    return img[max(top, 0) : max(top, 0) + height, max(left, 0) : max(left, 0) + width]


def crop_top_left(img, height, width):
    h, w = img.shape[:2]
    if not (1 <= height <= h and 1 <= width <= w):
        raise ValueError
    return img[:height, :width]


def crop_grayscale_only(img, height, width):
    out = center_crop(img, height, width)
    return out[..., 0] if out.ndim == 3 else out


def colour_strict(pixel, order="RGB"):
    v = [int(x) for x in pixel]
    if order == "BGR":
        v = v[::-1]
    return NAMES[tuple(int(x > 128) for x in v)]


def colour_ignores_order(pixel, order="RGB"):
    if order not in ("RGB", "BGR"):
        raise ValueError
    return colour_name(pixel)


def colour_swaps_red_blue_names(pixel, order="RGB"):
    name = colour_name(pixel, order)
    return {"red": "blue", "blue": "red", "yellow": "cyan", "cyan": "yellow"}.get(name, name)


def colour_any_length(pixel, order="RGB"):
    if order not in ("RGB", "BGR"):
        raise ValueError
    v = [int(x) for x in pixel][:3] + [0] * max(0, 3 - len(pixel))
    if order == "BGR":
        v = v[::-1]
    return NAMES[tuple(int(x >= 128) for x in v)]


MUTANTS = [
    Mutant("dense_weight_count", "forgets the bias", no_bias, says="forgot the biases"),
    Mutant(
        "dense_weight_count",
        "always adds the bias",
        lambda h, w, c, u, bias=True: dense_weight_count(h, w, c, u),
        says="although bias=False",
    ),
    Mutant(
        "dense_weight_count",
        "no size validation",
        dense_without_validation,
        says="instead of raising ValueError",
    ),
    Mutant(
        "dense_weight_count",
        "accepts size 0",
        dense_zero_allowed,
        says="instead of raising ValueError",
    ),
    Mutant(
        "dense_weight_count",
        "returns a float",
        lambda h, w, c, u, bias=True: float(dense_weight_count(h, w, c, u, bias)),
        says="expected a whole number",
    ),
    Mutant(
        "dense_weight_count",
        "off by one unit",
        lambda h, w, c, u, bias=True: dense_weight_count(h, w, c, u, bias) + 1,
    ),
    Mutant("memory_gb", "binary units for GB too", always_binary, says="2**30 for 'GB' too"),
    Mutant(
        "memory_gb",
        "decimal units for GiB too",
        lambda n, bytes_per_value=4, unit="GB": memory_gb(n, bytes_per_value, "GB"),
        says="10**9 for 'GiB' too",
    ),
    Mutant(
        "memory_gb",
        "accepts any unit",
        memory_accepts_any_unit,
        says="instead of raising ValueError",
    ),
    Mutant(
        "memory_gb",
        "units not case-sensitive",
        memory_case_insensitive,
        says="instead of raising ValueError",
    ),
    Mutant(
        "memory_gb",
        "accepts a negative count",
        memory_negative_allowed,
        says="instead of raising ValueError",
    ),
    Mutant(
        "memory_gb",
        "returns an int",
        lambda n, bytes_per_value=4, unit="GB": 12,
        says="expected a float, got int",
    ),
    Mutant(
        "memory_gb",
        "ignores bytes_per_value",
        lambda n, bytes_per_value=4, unit="GB": memory_gb(n, 4, unit),
        says="ignored bytes_per_value",
    ),
    Mutant("to_grayscale", "plain mean", mean_gray, says="averaged"),
    Mutant("to_grayscale", "rounded to uint8", rounded_gray, says="float dtype"),
    Mutant("to_grayscale", "float32", float32_gray, says="dtype float64"),
    Mutant("to_grayscale", "BGR weights", bgr_weights, says="B, G, R order"),
    Mutant(
        "to_grayscale", "returns a list", lambda img: to_grayscale(img).tolist(), says="NumPy array"
    ),
    Mutant("to_grayscale", "changes its input", gray_in_place, says="changed its input"),
    Mutant(
        "to_grayscale",
        "accepts any number of channels",
        gray_accepts_any_channels,
        says="instead of raising ValueError",
    ),
    Mutant("rgb_to_bgr", "reverses the rows", bgr_wrong_axis, says="first axis"),
    Mutant("rgb_to_bgr", "changes its input", bgr_in_place, says="changed its input"),
    Mutant(
        "rgb_to_bgr", "refuses batches", bgr_only_for_single_images, says="raised ValueError: only"
    ),
    Mutant("rgb_to_bgr", "returns float64", bgr_as_float, says="dtype"),
    Mutant(
        "rgb_to_bgr",
        "no shape validation",
        bgr_without_validation,
        says="instead of raising ValueError",
    ),
    Mutant("rgb_to_bgr", "identity", lambda img: rgb_to_bgr(img)[..., ::-1].copy()),
    Mutant("center_crop", "rounds the margin up", crop_ceil_margin, says="rounded the margin up"),
    Mutant("center_crop", "height and width swapped", crop_swapped),
    Mutant(
        "center_crop",
        "no validation",
        crop_without_validation,
        says="instead of raising ValueError",
    ),
    Mutant("center_crop", "crops the top-left corner", crop_top_left),
    Mutant("center_crop", "drops the channels", crop_grayscale_only, says="shape"),
    Mutant(
        "center_crop",
        "converts to float",
        lambda img, h, w: center_crop(img, h, w) * 1.0,
        says="dtype",
    ),
    Mutant("colour_name", "threshold > 128", colour_strict, says="exactly 128"),
    Mutant("colour_name", "ignores the order", colour_ignores_order, says="ignored the order"),
    Mutant(
        "colour_name",
        "capitalised",
        lambda p, order="RGB": colour_name(p, order).capitalize(),
        says="lower case",
    ),
    Mutant("colour_name", "red and blue names swapped", colour_swaps_red_blue_names),
    Mutant(
        "colour_name",
        "pads or cuts the pixel to 3 values",
        colour_any_length,
        says="instead of raising ValueError",
    ),
]
