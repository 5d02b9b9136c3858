"""Lab 15 cases: a learner's correct functions, and plausible wrong ones (see
tests/test_lab_exercises.py)."""

import math

import numpy as np

from helpers.labs.spec import Mutant


def center_crop(image, crop):
    image = np.asarray(image)
    if image.ndim not in (2, 3) or crop <= 0 or crop > 1:
        raise ValueError("bad crop")
    h, w = image.shape[:2]
    side = round(min(h, w) * crop)
    top, left = (h - side) // 2, (w - side) // 2
    return image[top : top + side, left : left + side]


def preprocess_family(images, mode):
    x = np.asarray(images).astype(np.float32)
    if mode == "caffe":
        return x[..., ::-1] - np.array([103.939, 116.779, 123.68], dtype=np.float32)
    if mode == "tf":
        return x / 127.5 - 1
    if mode == "lite":
        return (x - 127) / 128
    raise ValueError(mode)


def top_k(probs, k):
    probs = np.asarray(probs)
    if k < 1 or k > len(probs):
        raise ValueError("k")
    return np.argsort(-probs, kind="stable")[:k]


def headless_output_shape(height, width, pooling=None, channels=1280, reduction=32):
    if pooling is None:
        return (math.ceil(height / reduction), math.ceil(width / reduction), channels)
    if pooling in ("avg", "max"):
        return (channels,)
    raise ValueError(pooling)


def mbconv_params(c_in, c_out, expansion, kernel):
    mid = c_in * expansion
    expand = c_in * mid + 4 * mid if expansion != 1 else 0
    return expand + kernel * kernel * mid + 4 * mid + mid * c_out + 4 * c_out


SOLUTION = {f.__name__: f for f in (center_crop, preprocess_family, top_k,
                                    headless_output_shape, mbconv_params)}  # fmt: skip


# ----------------------------------------------------------------------------- mutants


def crop_top_left(image, crop):
    image = np.asarray(image)
    side = round(min(image.shape[:2]) * crop)
    return image[:side, :side]


def crop_int_side(image, crop):
    image = np.asarray(image)
    if crop <= 0 or crop > 1:
        raise ValueError("bad crop")
    h, w = image.shape[:2]
    side = int(min(h, w) * crop)
    top, left = (h - side) // 2, (w - side) // 2
    return image[top : top + side, left : left + side]


def crop_no_checks(image, crop):
    image = np.asarray(image)
    h, w = image.shape[:2]
    side = max(1, round(min(h, w) * crop))
    top, left = (h - side) // 2, (w - side) // 2
    return image[top : top + side, left : left + side]


def caffe_without_flip(images, mode):
    if mode == "caffe":
        return np.asarray(images, np.float32) - np.float32([103.939, 116.779, 123.68])
    return preprocess_family(images, mode)


def tf_to_unit_range(images, mode):
    if mode == "tf":
        return np.asarray(images, np.float32) / 255
    return preprocess_family(images, mode)


def lite_as_tf(images, mode):
    if mode == "lite":
        return np.asarray(images, np.float32) / 127.5 - 1
    return preprocess_family(images, mode)


def topk_reversed_ascending(probs, k):
    return np.argsort(np.asarray(probs), kind="stable")[::-1][:k]


def topk_no_errors(probs, k):
    return np.argsort(-np.asarray(probs), kind="stable")[:k]


def topk_probabilities(probs, k):
    return np.sort(np.asarray(probs))[::-1][:k]


def shape_floor(height, width, pooling=None, channels=1280, reduction=32):
    if pooling is None:
        return (height // reduction, width // reduction, channels)
    return headless_output_shape(height, width, pooling, channels, reduction)


def shape_keeps_batch_axis_list(height, width, pooling=None, channels=1280, reduction=32):
    return list(headless_output_shape(height, width, pooling, channels, reduction))


def shape_fixed_channels(height, width, pooling=None, channels=1280, reduction=32):
    return headless_output_shape(height, width, pooling, 1280, reduction)


def params_without_bn(c_in, c_out, expansion, kernel):
    mid = c_in * expansion
    return (c_in * mid if expansion != 1 else 0) + kernel * kernel * mid + mid * c_out


def params_always_expand(c_in, c_out, expansion, kernel):
    mid = c_in * expansion
    return c_in * mid + 4 * mid + kernel * kernel * mid + 4 * mid + mid * c_out + 4 * c_out


def params_full_depthwise(c_in, c_out, expansion, kernel):
    return mbconv_params(c_in, c_out, expansion, kernel) + kernel * kernel * (c_in * expansion) * (
        c_in * expansion - 1
    )


MUTANTS = [
    Mutant("center_crop", "keeps the top-left corner", crop_top_left, says="top-left"),
    Mutant("center_crop", "int() instead of round() for the side", crop_int_side),
    Mutant("center_crop", "accepts crop = 0", crop_no_checks),
    Mutant("preprocess_family", "caffe without RGB->BGR", caffe_without_flip, says="BGR"),
    Mutant("preprocess_family", "tf mode in [0, 1]", tf_to_unit_range, says="[-1, 1]"),
    Mutant("preprocess_family", "lite mode as tf", lite_as_tf),
    Mutant("top_k", "ties: higher index first", topk_reversed_ascending, says="higher index"),
    Mutant("top_k", "no error for k > classes", topk_no_errors),
    Mutant("top_k", "returns probabilities, not indices", topk_probabilities),
    Mutant("headless_output_shape", "rounds down", shape_floor, says="rounded"),
    Mutant("headless_output_shape", "returns a list", shape_keeps_batch_axis_list),
    Mutant("headless_output_shape", "ignores channels", shape_fixed_channels),
    Mutant("mbconv_params", "no batch norms", params_without_bn, says="batch norm"),
    Mutant("mbconv_params", "expand conv even with expansion 1", params_always_expand),
    Mutant("mbconv_params", "depthwise as a full conv", params_full_depthwise, says="depthwise"),
]
