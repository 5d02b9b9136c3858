"""Lab 03 cases: a learner's correct functions, and plausible wrong ones (see
tests/test_lab_exercises.py)."""

import numpy as np

from helpers.labs.spec import Mutant


def output_size(n, f, padding=0, stride=1, dilation=1):
    if n < 1 or f < 1 or stride < 1 or dilation < 1:
        raise ValueError("sizes")
    f_eff = dilation * (f - 1) + 1
    if padding == "same":
        return -(-n // stride)
    if padding == "valid":
        padding = 0
    if isinstance(padding, str) or padding < 0:
        raise ValueError("padding")
    out = (n + 2 * padding - f_eff) // stride + 1
    if out < 1:
        raise ValueError("too small")
    return out


def pad_image(image, p):
    image = np.asarray(image)
    if image.ndim != 2 or p < 0:
        raise ValueError("bad")
    return np.pad(image, p)


def conv2d_single_channel(image, kernel, padding=0, stride=1, dilation=1):
    x = pad_image(np.asarray(image, dtype=np.float64), padding)
    k = np.asarray(kernel, dtype=np.float64)
    (fh, fw), span = k.shape, lambda f: dilation * (f - 1) + 1
    oh, ow = (x.shape[0] - span(fh)) // stride + 1, (x.shape[1] - span(fw)) // stride + 1
    out = np.zeros((oh, ow))
    for r in range(oh):
        for c in range(ow):
            win = x[r * stride : r * stride + span(fh) : dilation,
                    c * stride : c * stride + span(fw) : dilation]  # fmt: skip
            out[r, c] = (win * k).sum()
    return out


def flip_kernel(kernel):
    kernel = np.asarray(kernel)
    if kernel.ndim != 2:
        raise ValueError("2-D")
    return kernel[::-1, ::-1].copy()


def multichannel_pixel(window, kernel, bias):
    window, kernel = np.asarray(window, float), np.asarray(kernel, float)
    if window.shape != kernel.shape:
        raise ValueError("shapes")
    return float((window * kernel).sum() + bias)


SX = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
SY = np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]])


def sobel_magnitude(image):
    return np.sqrt(conv2d_single_channel(image, SX) ** 2 + conv2d_single_channel(image, SY) ** 2)


SOLUTION = {f.__name__: f for f in (output_size, pad_image, conv2d_single_channel, flip_kernel,
                                    multichannel_pixel, sobel_magnitude)}  # fmt: skip


# ----------------------------------------------------------------------------- mutants


def same_as_symmetric_padding(n, f, padding=0, stride=1, dilation=1):
    if padding == "same":
        padding = (f - 1) // 2
    return output_size(n, f, padding, stride, dilation)


def size_rounds_to_nearest(n, f, padding=0, stride=1, dilation=1):
    if padding == "same":
        return -(-n // stride)
    p = 0 if padding == "valid" else padding
    return round((n + 2 * p - dilation * (f - 1) - 1) / stride) + 1


def size_float_division(n, f, padding=0, stride=1, dilation=1):
    p = 0 if padding == "valid" else padding
    if p == "same":
        return -(-n // stride)
    return (n + 2 * p - dilation * (f - 1) - 1) / stride + 1


def size_without_errors(n, f, padding=0, stride=1, dilation=1):
    try:
        return output_size(n, f, padding, stride, dilation)
    except ValueError:
        return 0


def pad_returns_input_for_zero(image, p):
    return image if p == 0 else pad_image(image, p)


def pad_accepts_3d(image, p):
    image = np.asarray(image)
    if p < 0:
        raise ValueError("p")
    return np.pad(image, [(p, p), (p, p)] + [(0, 0)] * (image.ndim - 2))


def pad_as_float(image, p):
    return pad_image(np.asarray(image, float), p)


def conv_flipped(image, kernel, padding=0, stride=1, dilation=1):
    return conv2d_single_channel(image, np.asarray(kernel)[::-1, ::-1], padding, stride, dilation)


def conv_ignores_stride(image, kernel, padding=0, stride=1, dilation=1):
    return conv2d_single_channel(image, kernel, padding, 1, dilation)


def conv_ignores_dilation(image, kernel, padding=0, stride=1, dilation=1):
    return conv2d_single_channel(image, kernel, padding, stride, 1)


def conv_uint8_wraps(image, kernel, padding=0, stride=1, dilation=1):
    image = np.asarray(image)
    if image.dtype == np.uint8:
        out = conv2d_single_channel(image, np.asarray(kernel).astype(np.uint8), padding, stride,
                                    dilation)  # fmt: skip
        return out.astype(np.uint8).astype(np.float64)
    return conv2d_single_channel(image, kernel, padding, stride, dilation)


def flip_in_place(kernel):
    kernel[:] = kernel[::-1, ::-1].copy()
    return kernel.copy()


def pixel_bias_per_channel(w, k, b):
    return multichannel_pixel(w, k, 0) + b * np.asarray(w).shape[-1]


def sobel_x_only(image):
    return np.abs(conv2d_single_channel(image, SX))


MUTANTS = [
    Mutant("output_size", "'same' as (f-1)//2 padding", same_as_symmetric_padding),
    Mutant("output_size", "rounds to nearest", size_rounds_to_nearest, says="rounded"),
    Mutant("output_size", "float division", size_float_division, says="whole number"),
    Mutant(
        "output_size",
        "returns 0 instead of raising",
        size_without_errors,
        says="instead of raising ValueError",
    ),
    Mutant(
        "pad_image", "returns its input for p = 0", pad_returns_input_for_zero, says="shares memory"
    ),
    Mutant(
        "pad_image",
        "pads a 3-D image instead of refusing it",
        pad_accepts_3d,
        says="instead of raising ValueError",
    ),
    Mutant("pad_image", "float result", pad_as_float, says="dtype"),
    Mutant("pad_image", "pads one side only", lambda image, p: np.pad(image, ((p, 0), (p, 0)))),
    Mutant("conv2d_single_channel", "flips the kernel", conv_flipped, says="true convolution"),
    Mutant("conv2d_single_channel", "ignores the stride", conv_ignores_stride),
    Mutant("conv2d_single_channel", "ignores the dilation", conv_ignores_dilation),
    Mutant(
        "conv2d_single_channel",
        "ignores the padding",
        lambda image, kernel, padding=0, stride=1, dilation=1: conv2d_single_channel(
            image, kernel, 0, stride, dilation
        ),
    ),
    Mutant("conv2d_single_channel", "uint8 arithmetic", conv_uint8_wraps),
    Mutant(
        "conv2d_single_channel",
        "returns a list",
        lambda *a, **k: conv2d_single_channel(*a, **k).tolist(),
        says="NumPy array",
    ),
    Mutant("flip_kernel", "up-down only", lambda k: np.flipud(k).copy(), says="upside down only"),
    Mutant(
        "flip_kernel", "left-right only", lambda k: np.fliplr(k).copy(), says="left to right only"
    ),
    Mutant(
        "flip_kernel", "returns a view", lambda k: np.asarray(k)[::-1, ::-1], says="shares memory"
    ),
    Mutant("flip_kernel", "transposes", lambda k: np.asarray(k).T.copy(), says="transpose"),
    Mutant("flip_kernel", "flips in place", flip_in_place, says="changed its input"),
    Mutant(
        "multichannel_pixel",
        "forgets the bias",
        lambda w, k, b: multichannel_pixel(w, k, 0),
        says="forgot the bias",
    ),
    Mutant(
        "multichannel_pixel",
        "first channel only",
        lambda w, k, b: float((np.asarray(w)[..., 0] * np.asarray(k)[..., 0]).sum() + b),
        says="only the first channel",
    ),
    Mutant(
        "multichannel_pixel",
        "returns an array",
        lambda w, k, b: np.array([multichannel_pixel(w, k, b)]),
        says="expected a number",
    ),
    Mutant("multichannel_pixel", "bias once per channel", pixel_bias_per_channel),
    Mutant(
        "sobel_magnitude",
        "pads the image",
        lambda image: sobel_magnitude(pad_image(np.asarray(image, float), 1)),
        says="padded the image",
    ),
    Mutant(
        "sobel_magnitude",
        "|Gx| + |Gy|",
        lambda image: (
            np.abs(conv2d_single_channel(image, SX)) + np.abs(conv2d_single_channel(image, SY))
        ),
        says="|Gx| + |Gy|",
    ),
    Mutant("sobel_magnitude", "Gx only", sobel_x_only),
]
