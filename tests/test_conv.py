"""Tests for helpers.conv: checked against TensorFlow, Keras, SciPy and a slow loop.

The reference for the cases TensorFlow cannot run (stride > 1 together with
dilation > 1 on CPU) is ``loop_conv2d`` below: the textbook formula, one
multiplication at a time, sharing no code with helpers.conv.
"""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest

from helpers import conv
from helpers.conv import (
    ConvStep,
    conv2d,
    conv2d_steps,
    convolve2d,
    correlate2d,
    explain_output_size,
    global_pool2d,
    output_size,
    pad2d,
    padding_amounts,
    pool2d,
    receptive_field,
)

# float32 sums of a few dozen products: TensorFlow's float32 result differs from
# our float64 one by roughly 1e-6 relative.
TOL = {np.float32: {"rtol": 1e-5, "atol": 1e-5}, np.float64: {"rtol": 1e-10, "atol": 1e-10}}


@pytest.fixture(scope="module")
def tf():
    return pytest.importorskip("tensorflow")


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def rng_for(*key) -> np.random.Generator:
    """A generator seeded from the test's parameters, so every case is reproducible.

    hash() of strings changes between runs, so the seed is built from the text.
    """
    return np.random.default_rng([ord(ch) for ch in repr(key)])


# --------------------------------------------------------------------------
# Independent reference implementation
# --------------------------------------------------------------------------


def as_pair(v):
    return v if isinstance(v, tuple) else (v, v)


def ref_pads(n, f, stride, dilation, padding):
    """(before, after) along one axis, written out from the TensorFlow docs."""
    f_eff = dilation * (f - 1) + 1
    if padding == "valid":
        return 0, 0
    if padding == "same":
        out = math.ceil(n / stride)
        total = max((out - 1) * stride + f_eff - n, 0)
        return total // 2, total - total // 2
    if padding == "full":
        return f_eff - 1, f_eff - 1
    return padding  # explicit (before, after)


def loop_conv2d(x4, w4, b, stride, dilation, pads):
    """out[n,y,x,f] = b[f] + sum_{i,j,c} xp[n, y*sh + i*dh, x*sw + j*dw, c] * w[i,j,c,f]."""
    (sh, sw), (dh, dw), ((pt, pb), (pl, pr)) = stride, dilation, pads
    xp = np.pad(np.asarray(x4, dtype=np.float64), ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    n, hp, wp, c_in = xp.shape
    fh, fw, _, c_out = w4.shape
    ho = (hp - (dh * (fh - 1) + 1)) // sh + 1
    wo = (wp - (dw * (fw - 1) + 1)) // sw + 1
    out = np.zeros((n, ho, wo, c_out))
    for im, y, x, f in itertools.product(range(n), range(ho), range(wo), range(c_out)):
        total = float(b[f])
        for i, j, c in itertools.product(range(fh), range(fw), range(c_in)):
            total += xp[im, y * sh + i * dh, x * sw + j * dw, c] * float(w4[i, j, c, f])
        out[im, y, x, f] = total
    return out


# --------------------------------------------------------------------------
# output_size, padding_amounts, explain_output_size
# --------------------------------------------------------------------------


def test_output_size_worked_examples():
    assert output_size(13, 6, stride=5, padding="valid") == 2
    assert output_size(13, 6, stride=5, padding="same") == 3
    assert output_size(5, 3, padding=1) == 5
    assert output_size(32, 5) == 28
    assert output_size(5, 3, padding="full") == 7
    assert output_size(7, 3, dilation=2) == 3  # effective size 5
    assert output_size(7, 3, padding=(2, 0)) == 7
    assert output_size(224, 7, stride=2, padding="SAME") == 112  # TensorFlow spelling


@pytest.mark.parametrize("n", [1, 4, 7, 13])
@pytest.mark.parametrize("f", [1, 2, 3, 5])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("dilation", [1, 2])
@pytest.mark.parametrize("padding", ["valid", "same", "full", 1, (0, 2)])
def test_output_size_counts_window_positions(n, f, stride, dilation, padding):
    """Count the window start positions one by one; compare with the formula."""
    before, after = ref_pads(n, f, stride, dilation, padding if padding != 1 else (1, 1))
    f_eff = dilation * (f - 1) + 1
    starts = len(range(0, n + before + after - f_eff + 1, stride))
    if starts == 0:
        with pytest.raises(ValueError, match="larger than the padded input"):
            output_size(n, f, padding=padding, stride=stride, dilation=dilation)
    else:
        assert output_size(n, f, padding=padding, stride=stride, dilation=dilation) == starts
        got = padding_amounts(n, f, padding=padding, stride=stride, dilation=dilation)
        assert got == (before, after)
    if padding == "same":
        assert starts == math.ceil(n / stride)


def test_padding_amounts_examples():
    assert padding_amounts(13, 6, padding="same", stride=5) == (1, 2)
    assert padding_amounts(5, 3, padding="same") == (1, 1)
    assert padding_amounts(4, 2, padding="same") == (0, 1)  # odd pixel goes after
    assert padding_amounts(8, 3, padding="same", stride=2) == (0, 1)
    assert padding_amounts(6, 3, padding="full", dilation=2) == (4, 4)
    assert padding_amounts(6, 3, padding="valid") == (0, 0)
    assert padding_amounts(6, 3, padding=2) == (2, 2)
    assert padding_amounts(6, 3, padding=(0, 3)) == (0, 3)


def test_explain_output_size():
    assert explain_output_size(13, 6, stride=5) == "floor((13 + 0 + 0 - 6) / 5) + 1 = 2"
    assert explain_output_size(5, 3, padding=1) == "floor((5 + 1 + 1 - 3) / 1) + 1 = 5"
    same = explain_output_size(13, 6, stride=5, padding="same")
    assert "ceil(13 / 5) = 3" in same
    assert same.endswith("floor((13 + 1 + 2 - 6) / 5) + 1 = 3")
    assert "f_eff - 1 = 2" in explain_output_size(5, 3, padding="full")
    dil = explain_output_size(9, 3, dilation=3)
    assert dil.startswith("floor((9 + 0 + 0 - 7) / 1) + 1 = 3")
    assert "3*(3-1)+1 = 7" in dil


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"n": 3, "f": 5}, ValueError, r"filter \(size 5\) is larger than the padded input"),
        ({"n": 5, "f": 3, "dilation": 3}, ValueError, r"effective size 3\*\(3-1\)\+1 = 7"),
        ({"n": 0, "f": 3}, ValueError, r"n \(input size\) must be a positive"),
        ({"n": 5, "f": 0}, ValueError, r"f \(filter size\) must be a positive"),
        ({"n": 5, "f": 3, "stride": 0}, ValueError, "stride must be a positive whole number"),
        ({"n": 5, "f": 3, "stride": -1}, ValueError, "stride must be a positive"),
        ({"n": 5, "f": 3, "stride": 1.5}, TypeError, "stride must be a whole number"),
        ({"n": 5, "f": 3, "stride": True}, TypeError, "stride must be a whole number"),
        ({"n": 5, "f": 3, "dilation": 0}, ValueError, "dilation must be a positive"),
        ({"n": 5, "f": 3, "dilation": 2.0}, TypeError, "dilation must be a whole number"),
        ({"n": 5, "f": 3, "padding": -1}, ValueError, "padding must be a non-negative"),
        ({"n": 5, "f": 3, "padding": (1, -2)}, ValueError, r"padding\[1\] \(after\)"),
        ({"n": 5, "f": 3, "padding": "half"}, ValueError, "padding='half' is not understood"),
        ({"n": 5, "f": 3, "padding": 1.0}, TypeError, "padding must be 'valid', 'same'"),
        ({"n": 5, "f": 3, "padding": (1, 2, 3)}, TypeError, "padding must be"),
    ],
)
def test_size_functions_reject_bad_arguments(kwargs, exc, match):
    kwargs = {"padding": "valid", **kwargs}
    for fn in (output_size, padding_amounts, explain_output_size):
        with pytest.raises(exc, match=match):
            fn(**kwargs)


# --------------------------------------------------------------------------
# pad2d
# --------------------------------------------------------------------------


def test_pad2d_values_and_shapes():
    x = np.arange(6).reshape(2, 3)
    got = pad2d(x, ((1, 0), (0, 2)), value=-1)
    np.testing.assert_array_equal(got, [[-1, -1, -1, -1, -1], [0, 1, 2, -1, -1], [3, 4, 5, -1, -1]])
    assert got.dtype == x.dtype
    assert pad2d(x, 1).shape == (4, 5)
    assert pad2d(x, (2, 1)).shape == (6, 5)
    batch = np.ones((2, 4, 5, 3), dtype=np.float32)
    padded = pad2d(batch, (1, 2))
    assert padded.shape == (2, 6, 9, 3) and padded.dtype == np.float32
    assert padded[:, 0].sum() == 0 and padded[:, 1:5, 2:7].sum() == batch.sum()
    assert pad2d(np.ones((3, 3, 2)), ((0, 1), (2, 0))).shape == (4, 5, 2)
    np.testing.assert_array_equal(pad2d(x, 0), x)


@pytest.mark.parametrize(
    "args, exc, match",
    [
        ((np.ones((3, 3)), -1), ValueError, "padding must be a non-negative"),
        ((np.ones((3, 3)), ((0, 1), (2, -1))), ValueError, r"padding\[1\]\[1\] \(right\)"),
        ((np.ones((3, 3)), ((0, 1), 2)), TypeError, r"padding must be an int, a pair"),
        ((np.ones((3, 3)), "same"), TypeError, "padding must be an int"),
        ((np.ones(3), 1), ValueError, "x must be channels-last"),
        ((np.ones((3, 3), dtype=int), 1, 0.5), ValueError, "cannot be stored in x's integer"),
        ((np.ones((3, 3)), 1, "zero"), TypeError, "value must be a real number"),
    ],
)
def test_pad2d_rejects_bad_arguments(args, exc, match):
    with pytest.raises(exc, match=match):
        pad2d(*args)


# --------------------------------------------------------------------------
# conv2d against tf.nn.conv2d and the loop
# --------------------------------------------------------------------------

# (H, W, fh, fw): one tall-kernel and one wide-kernel case, both non-square.
SHAPES = [(9, 8, 3, 2), (8, 11, 2, 3)]
EXPLICIT = ((1, 2), (0, 1))  # asymmetric on purpose
STRIDE_DILATION = [(1, 1), (2, 1), (3, 1), (1, 2), (1, 3), ((1, 2), 1), (1, (2, 3))]
# TensorFlow on CPU refuses stride > 1 together with dilation > 1: loop reference only.
STRIDE_AND_DILATION = [(2, 2), (2, 3), (3, 2), (3, 3), ((2, 1), (1, 3))]


def _case(shape, stride, dilation, padding, c_in, c_out, dtype, n=2):
    """Random inputs, and the arguments for helpers.conv and the references."""
    h, w_, fh, fw = shape
    rng = rng_for(shape, stride, dilation, padding, c_in, c_out, np.dtype(dtype).name)
    x = rng.standard_normal((n, h, w_, c_in)).astype(dtype)
    w = rng.standard_normal((fh, fw, c_in, c_out)).astype(dtype)
    b = rng.standard_normal(c_out).astype(dtype)
    s, d = as_pair(stride), as_pair(dilation)
    if padding == "explicit":
        ours, pads = EXPLICIT, EXPLICIT
    else:
        ours = padding
        pads = (ref_pads(h, fh, s[0], d[0], padding), ref_pads(w_, fw, s[1], d[1], padding))
    return x, w, b, s, d, ours, pads


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("c_in, c_out", [(1, 1), (1, 4), (3, 1), (3, 4)])
@pytest.mark.parametrize("padding", ["valid", "same", "explicit"])
@pytest.mark.parametrize("stride, dilation", STRIDE_DILATION)
@pytest.mark.parametrize("shape", SHAPES)
def test_conv2d_matches_tf_nn_conv2d(tf, shape, stride, dilation, padding, c_in, c_out, dtype):
    x, w, b, s, d, ours, pads = _case(shape, stride, dilation, padding, c_in, c_out, dtype)
    tf_padding = (
        [[0, 0], list(pads[0]), list(pads[1]), [0, 0]]
        if padding == "explicit"
        else (padding.upper())
    )
    expected = tf.nn.conv2d(x, w, strides=[1, *s, 1], padding=tf_padding, dilations=[1, *d, 1])
    expected = expected.numpy() + b
    got = conv2d(x, w, b, stride=stride, padding=ours, dilation=dilation)
    assert got.shape == expected.shape
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, expected, **TOL[dtype])


@pytest.mark.parametrize("c_in, c_out", [(1, 1), (3, 4)])
@pytest.mark.parametrize("padding", ["valid", "same", "explicit"])
@pytest.mark.parametrize("stride, dilation", STRIDE_DILATION + STRIDE_AND_DILATION)
@pytest.mark.parametrize("shape", SHAPES)
def test_conv2d_matches_loop(shape, stride, dilation, padding, c_in, c_out):
    x, w, b, s, d, ours, pads = _case(shape, stride, dilation, padding, c_in, c_out, np.float64)
    expected = loop_conv2d(x, w, b, s, d, pads)
    got = conv2d(x, w, b, stride=stride, padding=ours, dilation=dilation)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_conv2d_full_padding_matches_loop():
    rng = rng_for("full")
    x = rng.standard_normal((1, 5, 6, 2))
    w = rng.standard_normal((3, 2, 2, 3))
    got = conv2d(x, w, padding="full", dilation=(1, 2))
    np.testing.assert_allclose(
        got, loop_conv2d(x, w, np.zeros(3), (1, 1), (1, 2), ((2, 2), (2, 2)))
    )
    assert got.shape == (1, 7, 8, 3)


def test_conv2d_hand_computed_example():
    x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    w = [[1, 0], [0, -1]]
    np.testing.assert_array_equal(conv2d(x, w), [[-4, -4], [-4, -4]])
    np.testing.assert_array_equal(conv2d(x, w, 10), [[6, 6], [6, 6]])
    # 'same' on a 2x2 kernel pads only bottom/right (TensorFlow's rule).
    np.testing.assert_array_equal(
        conv2d(x, w, padding="same"), [[-4, -4, 3], [-4, -4, 6], [7, 8, 9]]
    )
    np.testing.assert_array_equal(conv2d(x, [[1]], stride=2), [[1, 3], [7, 9]])


def test_conv2d_rank_styles_and_dtypes():
    rng = rng_for("ranks")
    img = rng.integers(0, 256, size=(6, 7, 3), dtype=np.uint8)
    w = rng.standard_normal((3, 3, 3, 4))
    expected = loop_conv2d(img[None], w, np.zeros(4), (1, 1), (1, 1), ((0, 0), (0, 0)))[0]
    got = conv2d(img, w)  # uint8 must not overflow
    assert got.shape == (4, 5, 4) and got.dtype == np.float64
    np.testing.assert_allclose(got, expected)
    assert conv2d(img[None], w).shape == (1, 4, 5, 4)
    gray = rng.standard_normal((6, 7))
    k = rng.standard_normal((3, 3))
    assert conv2d(gray, k).shape == (4, 5)
    # A 2-D image with a bank of single-channel filters gives one map per filter.
    bank = np.stack([k, -k], axis=-1)[:, :, None, :]
    both = conv2d(gray, bank)
    assert both.shape == (4, 5, 2)
    np.testing.assert_allclose(both[..., 0], conv2d(gray, k))
    np.testing.assert_allclose(both[..., 1], -conv2d(gray, k))
    # Lists, ints and float16 are accepted.
    assert conv2d([[1, 2], [3, 4]], [[1, 1], [1, 1]]).tolist() == [[10.0]]
    assert conv2d(gray.astype(np.float16), k).dtype == np.float64


def test_conv2d_bias_forms():
    rng = rng_for("bias")
    x = rng.standard_normal((5, 5, 2))
    w = rng.standard_normal((3, 3, 2, 3))
    plain = conv2d(x, w)
    np.testing.assert_allclose(conv2d(x, w, 1.5), plain + 1.5)
    np.testing.assert_allclose(conv2d(x, w, np.array([1, 2, 3])), plain + [1, 2, 3])
    np.testing.assert_allclose(
        conv2d(x[..., :1][..., 0], w[:, :, 0, 0], [2.0]) - 2.0, conv2d(x[..., 0], w[:, :, 0, 0])
    )


def test_conv2d_nan_propagates_locally():
    x = np.zeros((5, 5))
    x[0, 0] = np.nan
    got = conv2d(x, np.ones((2, 2)))
    assert np.isnan(got[0, 0])
    assert not np.isnan(got[1:, :]).any() and not np.isnan(got[:, 1:]).any()


X3 = np.ones((6, 6, 3))
W4 = np.ones((3, 3, 3, 2))


@pytest.mark.parametrize(
    "args, kwargs, exc, match",
    [
        ((np.ones(6), np.ones((3, 3))), {}, ValueError, r"x must be channels-last .* 1-D"),
        ((np.ones((1, 2, 6, 6, 3)), W4), {}, ValueError, "got a 5-D array"),
        ((X3, np.ones((3, 3))), {}, ValueError, r"single 2-D filter.*\(3, 3, 3, F\)"),
        ((X3[..., :1], np.ones((3, 3))), {}, ValueError, r"w\[:, :, None, None\]"),
        ((X3, np.ones((3, 3, 3))), {}, ValueError, r"w has 3-D shape.*w\[\.\.\., None\]"),
        ((X3, np.ones(3)), {}, ValueError, r"w must have shape \(fh, fw\) or"),
        ((X3, np.ones((3, 3, 1, 2))), {}, ValueError, r"channel mismatch: x has 3 channels"),
        ((np.ones((6, 6)), W4), {}, ValueError, r"x is a single-channel \(H, W\) image"),
        ((X3, np.ones((4, 3, 2, 2))), {}, ValueError, r"PyTorch.*transpose\(2, 3, 1, 0\)"),
        ((X3 > 0, W4), {}, TypeError, "x has dtype bool"),
        ((X3, W4 + 1j), {}, TypeError, "w has complex dtype"),
        ((X3.astype(str), W4), {}, TypeError, "x must hold real numbers"),
        (([[1, 2], [3]], [[1]]), {}, ValueError, "x could not be turned into a NumPy array"),
        ((np.ones((0, 6, 3)), W4), {}, ValueError, r"x is empty \(shape \(0, 6, 3\)\)"),
        ((X3, np.ones((3, 3, 3, 0))), {}, ValueError, "w is empty"),
        ((X3, W4, [1, 2, 3]), {}, ValueError, r"b must be a scalar or have shape \(C_out,\)"),
        ((X3, W4, np.ones((1, 2))), {}, ValueError, r"got shape \(1, 2\)"),
        ((X3, W4, [True, False]), {}, TypeError, "b has dtype bool"),
        ((X3, W4), {"stride": 0}, ValueError, "stride must be a positive"),
        ((X3, W4), {"stride": (1, 0)}, ValueError, r"stride\[1\] must be a positive"),
        ((X3, W4), {"stride": 1.0}, TypeError, "stride must be an int or a pair"),
        ((X3, W4), {"dilation": -2}, ValueError, "dilation must be a positive"),
        ((X3, W4), {"dilation": (1, 1.5)}, TypeError, r"dilation\[1\] must be a whole"),
        ((X3, W4), {"padding": -1}, ValueError, "padding must be a non-negative"),
        ((X3, W4), {"padding": (1, -1)}, ValueError, r"padding\[1\] \(columns\)"),
        ((X3, W4), {"padding": "causal"}, ValueError, "padding='causal' is not understood"),
        ((X3, W4), {"padding": None}, TypeError, "padding must be an int, a pair"),
        ((X3, np.ones((7, 3, 3, 2))), {}, ValueError, "larger than the padded input.*rows"),
        ((X3, W4), {"dilation": (1, 3)}, ValueError, r"effective size 3\*\(3-1\)\+1 = 7 along col"),
    ],
)
def test_conv2d_rejects_bad_inputs(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        conv2d(*args, **kwargs)


def test_conv2d_filter_larger_than_input_is_fine_with_padding():
    # The same kernel that is refused with 'valid' works once there is room.
    assert conv2d(X3, np.ones((7, 3, 3, 2)), padding="same").shape == (6, 6, 2)
    assert conv2d(X3, np.ones((7, 3, 3, 2)), padding=((1, 0), (0, 0))).shape == (1, 4, 2)


# --------------------------------------------------------------------------
# conv2d against keras.layers.Conv2D
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kernel, strides, padding, dilation",
    [
        ((3, 3), 1, "valid", 1),
        ((3, 3), 1, "same", 1),
        ((3, 2), 2, "valid", 1),
        ((3, 2), 2, "same", 1),
        ((2, 3), (1, 2), "same", 1),
        ((3, 3), 1, "valid", 2),
        ((3, 3), 1, "same", (2, 1)),
        ((1, 1), 1, "valid", 1),
    ],
)
def test_conv2d_matches_keras_conv2d(keras, kernel, strides, padding, dilation):
    rng = rng_for("keras", kernel, strides, padding, dilation)
    x = rng.standard_normal((2, 9, 10, 3)).astype(np.float32)
    w = rng.standard_normal((*kernel, 3, 4)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    layer = keras.layers.Conv2D(4, kernel, strides=strides, padding=padding, dilation_rate=dilation)
    layer.build((None, 9, 10, 3))
    layer.set_weights([w, b])
    expected = keras.ops.convert_to_numpy(layer(x))
    got = conv2d(x, w, b, stride=strides, padding=padding, dilation=dilation)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, **TOL[np.float32])


# --------------------------------------------------------------------------
# correlate2d / convolve2d
# --------------------------------------------------------------------------


def test_correlate2d_is_conv2d():
    rng = rng_for("corr")
    x = rng.standard_normal((2, 7, 6, 3))
    w = rng.standard_normal((3, 2, 3, 2))
    kwargs = {"stride": 2, "padding": "same", "dilation": 1}
    np.testing.assert_array_equal(correlate2d(x, w, 0.5, **kwargs), conv2d(x, w, 0.5, **kwargs))


def test_convolve2d_is_conv2d_with_flipped_kernel():
    rng = rng_for("flip")
    x = rng.standard_normal((1, 8, 7, 2))
    w = rng.standard_normal((3, 2, 2, 3))
    b = rng.standard_normal(3)
    flipped = np.ascontiguousarray(w[::-1, ::-1])
    for kwargs in ({}, {"padding": "same", "stride": 2}, {"dilation": 2, "padding": 1}):
        np.testing.assert_allclose(convolve2d(x, w, b, **kwargs), conv2d(x, flipped, b, **kwargs))
    # With an asymmetric kernel, convolution and correlation really differ.
    assert not np.allclose(convolve2d(x, w), conv2d(x, w))


def test_impulse_response():
    """Convolving a single bright pixel draws the kernel; correlation draws it flipped."""
    x = np.zeros((5, 5))
    x[2, 2] = 1
    w = np.arange(1, 10, dtype=float).reshape(3, 3)
    np.testing.assert_array_equal(convolve2d(x, w, padding="same")[1:4, 1:4], w)
    np.testing.assert_array_equal(conv2d(x, w, padding="same")[1:4, 1:4], w[::-1, ::-1])


@pytest.mark.parametrize("kernel", [(3, 3), (2, 4), (1, 5)])
def test_convolve2d_matches_scipy(kernel):
    signal = pytest.importorskip("scipy.signal")
    rng = rng_for("scipy", kernel)
    x = rng.standard_normal((7, 8))
    w = rng.standard_normal(kernel)
    for mode in ("valid", "full"):
        np.testing.assert_allclose(
            convolve2d(x, w, padding=mode), signal.convolve2d(x, w, mode=mode), atol=1e-12
        )
        np.testing.assert_allclose(
            correlate2d(x, w, padding=mode), signal.correlate2d(x, w, mode=mode), atol=1e-12
        )


def test_convolve2d_validates_like_conv2d():
    with pytest.raises(ValueError, match="w has 3-D shape"):
        convolve2d(X3, np.ones((3, 3, 3)))
    with pytest.raises(TypeError, match="w has dtype bool"):
        convolve2d(X3, W4 > 0)


# --------------------------------------------------------------------------
# Pooling
# --------------------------------------------------------------------------

A = np.array([[2, 3, 1, 9], [4, 7, 3, 5], [8, 2, 2, 2], [1, 3, 4, 5]])
B = np.array([[0, 123, 127, 167], [54, 234, 124, 0], [64, 76, 0, 241], [0, 235, 222, 0]])


def test_pool2d_worked_examples():
    np.testing.assert_array_equal(pool2d(A, 2, stride=2, mode="max"), [[7, 9], [8, 5]])
    np.testing.assert_array_equal(pool2d(A, 2, stride=2, mode="avg"), [[4, 4.5], [3.5, 3.25]])
    np.testing.assert_array_equal(pool2d(A, 2, mode="average"), [[4, 4.5], [3.5, 3.25]])
    np.testing.assert_array_equal(pool2d(B, 2, stride=2), [[234, 167], [235, 241]])
    # Overlapping 3x3 windows, stride 1.
    np.testing.assert_array_equal(pool2d(A, 3, stride=1), [[8, 9], [8, 7]])
    assert pool2d(A, 2).dtype == np.float64


def test_pool2d_same_ignores_padding():
    # All-negative input: a zero-padded max would wrongly return 0 on the border.
    x = -np.arange(1, 10, dtype=float).reshape(3, 3)
    np.testing.assert_array_equal(pool2d(x, 2, padding="same"), [[-1, -3], [-7, -9]])
    # Average divides by the real cells only: the last column holds one real column.
    np.testing.assert_array_equal(
        pool2d(x, 2, padding="same", mode="avg"), [[-3, -4.5], [-7.5, -9]]
    )


def test_pool2d_rank_styles_and_nan():
    x = rng_for("pool ranks").standard_normal((2, 6, 5, 3))
    assert pool2d(x, 2).shape == (2, 3, 2, 3)
    np.testing.assert_array_equal(pool2d(x[0], 2), pool2d(x, 2)[0])
    np.testing.assert_array_equal(pool2d(x[0, :, :, 1], 2), pool2d(x, 2)[0, :, :, 1])
    y = A.astype(float)
    y[0, 0] = np.nan
    out = pool2d(y, 2, mode="max")
    assert np.isnan(out[0, 0]) and not np.isnan(out[1:, :]).any()


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize(
    "size, strides",
    [(2, None), (3, None), (2, 1), (3, 2), ((2, 3), None), ((3, 2), (1, 2)), ((1, 3), 1)],
)
def test_pool2d_matches_keras(keras, size, strides, padding, mode):
    x = rng_for("pool", size, strides, padding, mode).standard_normal((2, 7, 8, 3))
    x = x.astype(np.float32)
    cls = keras.layers.MaxPooling2D if mode == "max" else keras.layers.AveragePooling2D
    expected = keras.ops.convert_to_numpy(cls(size, strides=strides, padding=padding)(x))
    got = pool2d(x, size, stride=strides, padding=padding, mode=mode)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, **TOL[np.float32])


def test_pool2d_window_larger_than_input():
    with pytest.raises(ValueError, match=r"pool window \(size 5 along rows\) is larger"):
        pool2d(np.ones((4, 6)), 5)
    # With 'same' there is always room (as in Keras).
    assert pool2d(np.ones((4, 6)), 5, padding="same").shape == (1, 2)


@pytest.mark.parametrize(
    "args, kwargs, exc, match",
    [
        ((A, 0), {}, ValueError, "size must be a positive"),
        ((A, (2, 2, 2)), {}, TypeError, "size must be an int or a pair"),
        ((A, 2), {"stride": 0}, ValueError, "stride must be a positive"),
        ((A, 2), {"stride": 1.5}, TypeError, "stride must be an int or a pair"),
        ((A, 2), {"mode": "min"}, ValueError, "mode='min' is not understood"),
        ((A, 2), {"padding": "full"}, ValueError, "pooling takes 'valid' or 'same'"),
        ((A, 2), {"padding": 1}, ValueError, "pooling takes 'valid' or 'same'"),
        ((A > 3, 2), {}, TypeError, "x has dtype bool"),
        ((A[0], 2), {}, ValueError, "x must be channels-last"),
        ((np.ones((2, 0)), 2), {}, ValueError, "x is empty"),
    ],
)
def test_pool2d_rejects_bad_inputs(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        pool2d(*args, **kwargs)


@pytest.mark.parametrize("mode", ["avg", "max"])
def test_global_pool2d_matches_keras(keras, mode):
    x = rng_for("global", mode).standard_normal((3, 5, 4, 6)).astype(np.float32)
    cls = keras.layers.GlobalAveragePooling2D if mode == "avg" else keras.layers.GlobalMaxPooling2D
    expected = keras.ops.convert_to_numpy(cls()(x))
    got = global_pool2d(x, mode)
    assert got.shape == (3, 6)
    np.testing.assert_allclose(got, expected, **TOL[np.float32])
    np.testing.assert_allclose(global_pool2d(x[1], mode), expected[1], **TOL[np.float32])


def test_global_pool2d_small_cases_and_errors():
    assert global_pool2d(A) == pytest.approx(A.mean())
    assert global_pool2d(A, "max") == 9
    assert global_pool2d(A, mode="average") == pytest.approx(61 / 16)
    with pytest.raises(ValueError, match="mode='sum' is not understood"):
        global_pool2d(A, "sum")
    with pytest.raises(ValueError, match="x must be channels-last"):
        global_pool2d(np.ones(4))
    with pytest.raises(TypeError, match="x has complex dtype"):
        global_pool2d(A + 0j)


# --------------------------------------------------------------------------
# Step-by-step view and receptive fields
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"stride": 2},
        {"padding": "same"},
        {"dilation": 2},
        {"stride": (2, 1), "padding": 1},
        {"stride": 2, "dilation": (1, 2), "padding": "full"},
    ],
)
def test_conv2d_steps_agree_with_conv2d(kwargs):
    rng = rng_for("steps", kwargs)
    x = rng.standard_normal((7, 8))
    w = rng.standard_normal((3, 2))
    expected = conv2d(x, w, **kwargs)
    steps = list(conv2d_steps(x, w, **kwargs))
    assert len(steps) == expected.size
    assert [(s.row, s.col) for s in steps] == list(np.ndindex(*expected.shape))  # row-major
    got = np.array([s.value for s in steps]).reshape(expected.shape)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    for s in steps:
        assert s.window.shape == w.shape
        np.testing.assert_array_equal(s.products, s.window * w)
        assert s.value == pytest.approx(s.products.sum())


def test_conv2d_steps_windows_and_records():
    x = np.arange(1, 26, dtype=float).reshape(5, 5)
    w = np.array([[1.0, 0.0], [0.0, -1.0]])
    steps = list(conv2d_steps(x, w, dilation=2, stride=2))
    first = steps[0]
    assert isinstance(first, ConvStep)
    # Dilation 2 samples every other pixel: rows 0 and 2, columns 0 and 2.
    np.testing.assert_array_equal(first.window, [[1, 3], [11, 13]])
    np.testing.assert_array_equal(first.products, [[1, 0], [0, -13]])
    assert first.value == -12.0
    assert (first.rows, first.cols) == (range(0, 3, 2), range(0, 3, 2))
    assert steps[-1].rows == range(2, 5, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.value = 0.0
    with pytest.raises(ValueError, match="read-only"):
        first.window[0, 0] = 99
    # Padding cells appear as zeros, at negative input indices.
    padded = next(conv2d_steps(x, np.ones((3, 3)), padding="same"))
    np.testing.assert_array_equal(padded.window, [[0, 0, 0], [0, 1, 2], [0, 6, 7]])
    assert padded.rows == range(-1, 2)


def test_conv2d_steps_validates_eagerly():
    with pytest.raises(ValueError, match=r"conv2d_steps\(\) takes a 2-D \(H, W\) image"):
        conv2d_steps(np.ones((4, 4, 3)), np.ones((3, 3)))  # no iteration needed
    with pytest.raises(ValueError, match="larger than the padded input"):
        conv2d_steps(np.ones((2, 2)), np.ones((3, 3)))
    with pytest.raises(ValueError, match="stride must be a positive"):
        conv2d_steps(np.ones((4, 4)), np.ones((3, 3)), stride=0)


def test_receptive_field_formula():
    assert receptive_field(0, 0, f=3) == (range(0, 3), range(0, 3))
    assert receptive_field(1, 2, f=3, stride=2) == (range(2, 5), range(4, 7))
    for i, j, f, s in itertools.product(range(4), range(4), (1, 2, 5), (1, 2, 3)):
        rows, cols = receptive_field(i, j, f=f, stride=s)
        assert (rows.start, rows.stop - 1) == (i * s, i * s + f - 1)  # i*s .. i*s + f - 1
        assert (cols.start, cols.stop - 1) == (j * s, j * s + f - 1)
    rows, cols = receptive_field(2, 1, f=(3, 2), stride=(1, 2), dilation=(2, 3), padding_before=1)
    assert list(rows) == [1, 3, 5] and list(cols) == [1, 4]


@pytest.mark.parametrize(
    "kwargs", [{}, {"stride": 2}, {"dilation": 2}, {"stride": (2, 1), "padding": "same"}]
)
def test_receptive_field_matches_what_changes_the_output(kwargs):
    """Poke each input pixel; the outputs that move are exactly those that see it."""
    h, w_, f = 7, 6, (3, 2)
    kernel = np.ones(f)
    base = conv2d(np.zeros((h, w_)), kernel, **kwargs)
    pads = [
        padding_amounts(n, k, padding=kwargs.get("padding", "valid"), stride=s, dilation=d)
        for n, k, s, d in zip(
            (h, w_),
            f,
            as_pair(kwargs.get("stride", 1)),
            as_pair(kwargs.get("dilation", 1)),
            strict=True,
        )
    ]
    for r, c in np.ndindex(h, w_):
        poke = np.zeros((h, w_))
        poke[r, c] = 1.0
        moved = conv2d(poke, kernel, **kwargs) != base
        for i, j in np.ndindex(*base.shape):
            rows, cols = receptive_field(
                i,
                j,
                f=f,
                stride=kwargs.get("stride", 1),
                dilation=kwargs.get("dilation", 1),
                padding_before=(pads[0][0], pads[1][0]),
            )
            assert moved[i, j] == (r in rows and c in cols), (r, c, i, j)


@pytest.mark.parametrize(
    "args, kwargs, exc, match",
    [
        ((-1, 0), {"f": 3}, ValueError, "row must be a non-negative"),
        ((0, 1.0), {"f": 3}, TypeError, "col must be a whole number"),
        ((0, 0), {"f": 0}, ValueError, "f must be a positive"),
        ((0, 0), {"f": 3, "stride": 0}, ValueError, "stride must be a positive"),
        ((0, 0), {"f": 3, "padding_before": -1}, ValueError, "padding_before must be a non-neg"),
    ],
)
def test_receptive_field_rejects_bad_arguments(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        receptive_field(*args, **kwargs)


def test_public_api_is_documented():
    for name in conv.__all__:
        assert getattr(conv, name).__doc__, f"{name} has no docstring"
    assert "channels-last" in conv.__doc__ and "HWIO" in conv.__doc__
    assert "tensorflow" not in conv.__dict__ and "tf" not in conv.__dict__
