"""Tests of helpers.checks.lab03: the solution passes; typical mistakes fail, and say why."""

import numpy as np
import pytest

from helpers.checks import CheckFailed, lab03


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


class AlwaysEqual(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = float.__hash__


def not_done(*args, **kwargs):
    raise NotImplementedError


CHECKS = [
    (lab03.check_output_size, output_size),
    (lab03.check_pad_image, pad_image),
    (lab03.check_conv2d_single_channel, conv2d_single_channel),
    (lab03.check_flip_kernel, flip_kernel),
    (lab03.check_multichannel_pixel, multichannel_pixel),
    (lab03.check_sobel_magnitude, sobel_magnitude),
]


def test_solutions_pass(capsys):
    for check, fn in CHECKS:
        assert "passed" in check(fn)
    assert capsys.readouterr().out.count("✔") == len(CHECKS)


@pytest.mark.parametrize("check", [c for c, _ in CHECKS])
def test_blank_fails_as_not_implemented(check):
    with pytest.raises(CheckFailed, match="not implemented yet"):
        check(not_done)


@pytest.mark.parametrize("check", [c for c, _ in CHECKS])
def test_always_equal_object_fails(check):
    with pytest.raises(CheckFailed):
        check(lambda *a, **k: AlwaysEqual(1.0))


# --- output_size ---------------------------------------------------------------------------


def test_output_size_same_with_the_symmetric_formula():
    def wrong(n, f, padding=0, stride=1, dilation=1):
        if padding == "same":
            padding = (f - 1) // 2
        return output_size(n, f, padding, stride, dilation)

    expected = r"(?s)output_size\(7, 4, padding='same'.*expected 4, got 3.*ceil"
    with pytest.raises(CheckFailed, match=expected):
        lab03.check_output_size(wrong)


def test_output_size_ignores_dilation():
    def wrong(n, f, padding=0, stride=1, dilation=1):
        return output_size(n, f, padding, stride, 1)

    with pytest.raises(CheckFailed, match=r"(?s)dilation=2\): expected 5, got 7.*f_eff"):
        lab03.check_output_size(wrong)


def test_output_size_float_division():
    def wrong(n, f, padding=0, stride=1, dilation=1):
        p = 0 if padding == "valid" else padding
        if p == "same":
            return -(-n // stride)
        return (n + 2 * p - dilation * (f - 1) - 1) / stride + 1

    with pytest.raises(CheckFailed, match="expected a whole number"):
        lab03.check_output_size(wrong)


def test_output_size_without_errors():
    def wrong(n, f, padding=0, stride=1, dilation=1):
        try:
            return output_size(n, f, padding, stride, dilation)
        except ValueError:
            return 0

    with pytest.raises(CheckFailed, match="returned instead of raising ValueError"):
        lab03.check_output_size(wrong)


# --- pad_image -----------------------------------------------------------------------------


def test_pad_image_float_result():
    expected = r"(?s)dtype float64; keep the image's dtype int64.*dtype="
    with pytest.raises(CheckFailed, match=expected):
        lab03.check_pad_image(lambda image, p: np.pad(np.asarray(image, float), p))


def test_pad_image_one_side_only():
    with pytest.raises(CheckFailed, match=r"expected shape \(4, 4\), got \(3, 3\)"):
        lab03.check_pad_image(lambda image, p: np.pad(image, ((p, 0), (p, 0))))


def test_pad_image_returns_the_input_for_zero():
    def wrong(image, p):
        return image if p == 0 else pad_image(image, p)

    with pytest.raises(CheckFailed, match="return a copy"):
        lab03.check_pad_image(wrong)


# --- conv2d_single_channel -----------------------------------------------------------------


def test_conv_with_flipped_kernel():
    def wrong(image, kernel, padding=0, stride=1, dilation=1):
        flipped = np.asarray(kernel)[::-1, ::-1]
        return conv2d_single_channel(image, flipped, padding, stride, dilation)

    with pytest.raises(CheckFailed, match="true convolution"):
        lab03.check_conv2d_single_channel(wrong)


def test_conv_ignoring_padding():
    def wrong(image, kernel, padding=0, stride=1, dilation=1):
        return conv2d_single_channel(image, kernel, 0, stride, dilation)

    with pytest.raises(CheckFailed, match=r"expected shape \(5, 5\), got \(3, 3\)"):
        lab03.check_conv2d_single_channel(wrong)


def test_conv_ignoring_dilation():
    def wrong(image, kernel, padding=0, stride=1, dilation=1):
        return conv2d_single_channel(image, kernel, padding, stride, 1)

    with pytest.raises(CheckFailed, match=r"(?s)dilation=2\): expected shape.*dilation"):
        lab03.check_conv2d_single_channel(wrong)


def test_conv_uint8_overflow():
    def wrong(image, kernel, padding=0, stride=1, dilation=1):
        image = np.asarray(image)
        if image.dtype == np.uint8:  # integer arithmetic wraps
            k = np.asarray(kernel).astype(np.uint8)
            out = conv2d_single_channel(image, k).astype(np.uint8)
            return out.astype(np.float64)
        return conv2d_single_channel(image, kernel, padding, stride, dilation)

    with pytest.raises(CheckFailed, match="float64 first"):
        lab03.check_conv2d_single_channel(wrong)


def test_conv_returns_a_list():
    def wrong(image, kernel, padding=0, stride=1, dilation=1):
        return conv2d_single_channel(image, kernel, padding, stride, dilation).tolist()

    with pytest.raises(CheckFailed, match="expected a NumPy array"):
        lab03.check_conv2d_single_channel(wrong)


# --- flip_kernel ---------------------------------------------------------------------------


@pytest.mark.parametrize("wrong,message", [
    (lambda k: np.flipud(k).copy(), "upside down only"),
    (lambda k: np.fliplr(k).copy(), "left to right only"),
    (lambda k: np.asarray(k)[::-1, ::-1], "view"),
    (lambda k: np.asarray(k).T.copy(), "transpose is not a flip"),
])  # fmt: skip
def test_flip_kernel_mistakes(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        lab03.check_flip_kernel(wrong)


def test_flip_kernel_in_place():
    def wrong(k):
        k[:] = k[::-1, ::-1].copy()
        return k.copy()

    with pytest.raises(CheckFailed, match="changed the kernel"):
        lab03.check_flip_kernel(wrong)


# --- multichannel_pixel --------------------------------------------------------------------


def test_multichannel_without_bias():
    with pytest.raises(CheckFailed, match="forgot the bias"):
        lab03.check_multichannel_pixel(lambda w, k, b: multichannel_pixel(w, k, 0))


def test_multichannel_first_channel_only():
    def wrong(w, k, b):
        return float((np.asarray(w)[..., 0] * np.asarray(k)[..., 0]).sum() + b)

    with pytest.raises(CheckFailed, match="only the first channel"):
        lab03.check_multichannel_pixel(wrong)


def test_multichannel_returns_array():
    def wrong(w, k, b):
        return np.array([multichannel_pixel(w, k, b)])

    with pytest.raises(CheckFailed, match="return a float"):
        lab03.check_multichannel_pixel(wrong)


def test_multichannel_bias_per_channel():
    def wrong(w, k, b):
        return multichannel_pixel(w, k, 0) + b * np.asarray(w).shape[-1]

    with pytest.raises(CheckFailed, match=r"(?s)expected -25, got -23.*bias once"):
        lab03.check_multichannel_pixel(wrong)


# --- sobel_magnitude -----------------------------------------------------------------------


def test_sobel_same_padding():
    def wrong(image):
        x = pad_image(np.asarray(image, float), 1)
        return sobel_magnitude(x)

    with pytest.raises(CheckFailed, match="without padding"):
        lab03.check_sobel_magnitude(wrong)


def test_sobel_sum_of_absolute_values():
    def wrong(image):
        return np.abs(conv2d_single_channel(image, SX)) + np.abs(conv2d_single_channel(image, SY))

    with pytest.raises(CheckFailed, match=r"\|Gx\| \+ \|Gy\|"):
        lab03.check_sobel_magnitude(wrong)


def test_sobel_x_only():
    with pytest.raises(CheckFailed, match=r"(?s)horizontal step edge.*expected 40, got 0"):
        lab03.check_sobel_magnitude(lambda image: np.abs(conv2d_single_channel(image, SX)))
