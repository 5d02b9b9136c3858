"""Lab 03 (convolution from scratch): sizes, padding, conv2d, flip, channels, Sobel.

References are written here with NumPy; ``helpers.conv`` (tested against TensorFlow) supplies
the true-convolution mistake. Hidden cases are drawn per submission: random sizes, strides,
paddings and dilations, with the edge cases (uint8 overflow, p = 0, 1×1 kernels) always in.
"""

import numpy as np

from helpers import conv
from helpers.labs import judge
from helpers.labs.spec import Case, Exercise, Mistake

SHARPEN = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
SOBEL_Y = np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]])
PATCH = np.array([[105, 102, 100, 97, 96], [103, 99, 103, 101, 102], [101, 98, 104, 102, 100],
                  [99, 101, 106, 104, 99], [104, 104, 104, 100, 98]])  # fmt: skip

# ----------------------------------------------------------------------------- references


def output_size(n, f, padding=0, stride=1, dilation=1):
    if n < 1 or f < 1 or stride < 1 or dilation < 1:
        raise ValueError("n, f, stride and dilation must be positive")
    f_eff = dilation * (f - 1) + 1
    if padding == "same":
        return -(-n // stride)
    if padding == "valid":
        padding = 0
    if isinstance(padding, str) or padding < 0:
        raise ValueError("padding must be 'valid', 'same' or a non-negative int")
    out = (n + 2 * padding - f_eff) // stride + 1
    if out < 1:
        raise ValueError("the filter does not fit")
    return out


def pad_image(image, p):
    image = np.asarray(image)
    if image.ndim != 2 or p < 0:
        raise ValueError("a 2-D image and p >= 0")
    out = np.zeros((image.shape[0] + 2 * p, image.shape[1] + 2 * p), dtype=image.dtype)
    out[p : p + image.shape[0], p : p + image.shape[1]] = image
    return out


def conv2d_single_channel(image, kernel, padding=0, stride=1, dilation=1):
    x = pad_image(np.asarray(image, dtype=np.float64), padding)
    k = np.asarray(kernel, dtype=np.float64)
    (fh, fw) = k.shape
    sh, sw = dilation * (fh - 1) + 1, dilation * (fw - 1) + 1
    oh, ow = (x.shape[0] - sh) // stride + 1, (x.shape[1] - sw) // stride + 1
    if oh < 1 or ow < 1:
        raise ValueError("the kernel does not fit")
    out = np.zeros((oh, ow))
    for r in range(oh):
        for c in range(ow):
            window = x[
                r * stride : r * stride + sh : dilation, c * stride : c * stride + sw : dilation
            ]
            out[r, c] = float((window * k).sum())
    return out


def flip_kernel(kernel):
    kernel = np.asarray(kernel)
    if kernel.ndim != 2:
        raise ValueError("a 2-D kernel")
    return kernel[::-1, ::-1].copy()


def multichannel_pixel(window, kernel, bias):
    window, kernel = np.asarray(window, np.float64), np.asarray(kernel, np.float64)
    if window.shape != kernel.shape:
        raise ValueError("window and kernel shapes differ")
    return float((window * kernel).sum() + bias)


def sobel_magnitude(image):
    gx = conv2d_single_channel(image, SOBEL_X)
    gy = conv2d_single_channel(image, SOBEL_Y)
    return np.sqrt(gx**2 + gy**2)


# ----------------------------------------------------------------------------- mistakes


def _rounded_size(n, f, padding=0, stride=1, dilation=1):
    if padding == "same":
        return -(-n // stride)
    p = 0 if padding == "valid" else padding
    return round((n + 2 * p - dilation * (f - 1) - 1) / stride) + 1


def _no_dilation_size(n, f, padding=0, stride=1, dilation=1):
    return output_size(n, f, padding, stride, 1)


def _true_convolution(image, kernel, padding=0, stride=1, dilation=1):
    return conv.convolve2d(np.asarray(image, np.float64), np.asarray(kernel, np.float64),
                           padding=padding, stride=stride, dilation=dilation)  # fmt: skip


def _ignores_stride(image, kernel, padding=0, stride=1, dilation=1):
    return conv2d_single_channel(image, kernel, padding, 1, dilation)


def _up_down_only(kernel):
    return np.asarray(kernel)[::-1].copy()


def _left_right_only(kernel):
    return np.asarray(kernel)[:, ::-1].copy()


def _transpose(kernel):
    return np.asarray(kernel).T.copy()


def _no_bias(window, kernel, bias):
    return multichannel_pixel(window, kernel, 0.0)


def _first_channel(window, kernel, bias):
    w, k = np.asarray(window, np.float64), np.asarray(kernel, np.float64)
    return float((w[..., 0] * k[..., 0]).sum() + bias)


def _abs_sum(image):
    return np.abs(conv2d_single_channel(image, SOBEL_X)) + np.abs(
        conv2d_single_channel(image, SOBEL_Y)
    )


def _same_padding_sobel(image):
    gx = conv2d_single_channel(image, SOBEL_X, padding=1)
    gy = conv2d_single_channel(image, SOBEL_Y, padding=1)
    return np.sqrt(gx**2 + gy**2)


# ----------------------------------------------------------------------------- cases


def _size_hint(pad, s, d):
    if pad == "same":
        return "with 'same', Keras gives ceil(n / stride) outputs, whatever the filter size."
    if d > 1:
        return "with dilation, use the effective filter size (taps d pixels apart)."
    if s > 1:
        return "count the whole strides that fit after the first position: round DOWN."
    return "stride 1: every position where the filter fits in the padded input ('valid': p = 0)."


def _size_case(n, f, pad, s, d, group="sizes"):
    return Case((n, f), {"padding": pad, "stride": s, "dilation": d}, group=group,
                hint=_size_hint(pad, s, d))  # fmt: skip


_SIZE_ERRORS = [(3, 5, 0), (0, 3, 0), (5, 0, 0), (5, 3, -1), (5, 3, "full"), (5, 3, 0, 0),
                (5, 3, 0, 1, 0), (5, 3, 0, 1, 3)]  # fmt: skip
_SIZE_ERROR_HINT = ("raise ValueError for sizes < 1, negative padding, unknown words, and when "
                    "the (effective) filter does not fit (the output would be < 1).")  # fmt: skip


def _sizes_hidden(rng):
    cases = []
    for _ in range(10):
        f = int(rng.integers(1, 8))
        d = int(rng.choice([1, 1, 2, 3]))
        s = int(rng.integers(2, 6))
        pad = int(rng.integers(0, 4)) if rng.random() < 0.7 else str(rng.choice(["valid", "same"]))
        n = int(rng.integers(d * (f - 1) + 1, 120))
        cases.append(_size_case(n, f, pad, s, d))
    # Always: a fractional quotient above one half (catches round()), dilation, stride 1.
    cases += [
        _size_case(14, 3, 0, 3, 1),
        _size_case(int(rng.integers(20, 60)), 3, 1, 1, 2),
        _size_case(int(rng.integers(9, 40)), int(rng.integers(2, 6)), "same", 1, 1),
    ]
    bad = [(int(rng.integers(1, 4)), int(rng.integers(5, 9)), 0), (int(rng.integers(4, 9)), 3, -2),
           (6, 3, "causal"), (6, 3, 0, -1), (6, 3, 0, 1, 4), (-1, 1, 0)]  # fmt: skip
    cases += [Case(b, group="errors", hint=_SIZE_ERROR_HINT) for b in bad]
    return cases


_PAD_HINT = "make a larger array of zeros (the image's dtype) and copy the image into its middle."


def _pad_hidden(rng):
    cases = []
    for dtype in ("int64", "uint8", "float32", "float64"):
        h, w = (int(v) for v in rng.integers(1, 7, size=2))
        image = (rng.integers(0, 256, size=(h, w)) if dtype != "float32"
                 else rng.normal(size=(h, w))).astype(dtype)  # fmt: skip
        cases.append(Case((image, int(rng.integers(1, 4))), group="padding"))
    cases.append(Case((rng.normal(size=(3, 2)), 0), group="padding",
                      hint="p = 0 adds nothing, but still returns a new array."))  # fmt: skip
    cases += [Case((np.ones((2, 2)), -int(rng.integers(1, 5))), group="errors",
                   hint="a negative padding makes no sense: raise ValueError."),
              Case((np.zeros((2, 2, 3)), 1), group="errors",
                   hint="only 2-D images are accepted: raise ValueError.")]  # fmt: skip
    return cases


_CONV_HINT = ("the window of output (r, c) moves by the stride per output position, and its "
              "taps are dilation pixels apart; the shape comes from exercise 1, per "
              "axis.")  # fmt: skip


def _asymmetric_kernel(rng, shape):
    kernel = rng.integers(-3, 4, size=shape).astype(float)
    kernel[0, 0] = 5.0  # never symmetric, so a flipped kernel is caught
    return kernel


def _conv_hidden(rng):
    cases = []
    settings = [(1, 0, 1), (2, 0, 1), (1, 1, 2), (3, 2, 1), (2, 1, 2), (1, 0, 1)]
    for s, p, d in settings:
        fh, fw = (int(v) for v in rng.integers(1, 4, size=2))
        need_h, need_w = d * (fh - 1) + 1, d * (fw - 1) + 1
        h = int(rng.integers(max(need_h, 3), 12))
        w = int(rng.integers(max(need_w, 3), 12))
        cases.append(
            Case(
                (rng.normal(size=(h, w)), _asymmetric_kernel(rng, (fh, fw))),
                {"padding": p, "stride": s, "dilation": d},
                group="convolution",
            )
        )
    cases.append(
        Case(
            (np.full((4, 5), 250, dtype=np.uint8), np.full((3, 3), 2.0)),
            group="convolution",
            hint="convert the image to float64 first: uint8 arithmetic wraps at 256.",
        )
    )
    return cases


def _flip_hidden(rng):
    cases = [Case((rng.integers(-9, 10, size=(int(rng.integers(1, 6)), int(rng.integers(2, 6))))
                   .astype(float),)) for _ in range(4)]  # fmt: skip
    cases.append(Case((_asymmetric_kernel(rng, (3, 3)),)))
    return cases


_PIXEL_HINT = ("multiply element by element, sum over rows, columns AND channels, then add the "
               "bias once.")  # fmt: skip


def _pixel_hidden(rng):
    cases = []
    for shape in [(3, 3, 3), (2, 2, int(rng.integers(2, 6))), (int(rng.integers(1, 5)), 3, 1),
                  (4, 4, int(rng.integers(2, 8)))]:  # fmt: skip
        bias = float(np.round(rng.normal() * 3, 2)) or 1.5
        cases.append(Case((rng.normal(size=shape), rng.normal(size=shape), bias)))
    cases.append(
        Case(
            (np.ones((3, 3, 3)), np.ones((3, 3, 2)), 0.0),
            hint="the window and the kernel must have the same shape: raise ValueError.",
        )
    )
    return cases


def _sobel_hidden(rng):
    h, w = (int(v) for v in rng.integers(4, 10, size=2))
    diagonal = np.fromfunction(lambda r, c: 10.0 * (c > r), (6, 6))
    return [Case((rng.normal(size=(h, w)),)), Case((diagonal,)),
            Case((rng.integers(0, 256, size=(5, 7)).astype(np.uint8),)),
            Case((rng.normal(size=(3, 3)),))]  # fmt: skip


EXERCISES = [
    Exercise(
        "output_size",
        points=2,
        reference=output_size,
        judge=judge.Int(),
        public=[
            _size_case(n, f, pad, s, d)
            for n, f, pad, s, d in [
                (13, 6, "valid", 5, 1),
                (13, 6, "same", 5, 1),
                (5, 3, 1, 1, 1),
                (28, 5, 0, 1, 1),
                (32, 3, "same", 1, 1),
                (10, 3, 0, 3, 1),
                (224, 7, 3, 2, 1),
                (9, 3, 0, 1, 2),
                (20, 3, 2, 2, 3),
                (7, 4, "same", 2, 1),
            ]
        ]
        + [Case(b, hint=_SIZE_ERROR_HINT) for b in _SIZE_ERRORS],
        hidden=_sizes_hidden,
        groups={"sizes": 1, "errors": 1},
        mistakes=[
            Mistake(
                _rounded_size,
                "you rounded the quotient to nearest.",
                "the number of steps rounds DOWN (//), not to nearest.",
            ),
            Mistake(
                _no_dilation_size,
                "you ignored the dilation.",
                "with dilation the filter's taps spread out: use its effective size.",
            ),
        ],
    ),  # fmt: skip
    Exercise(
        "pad_image",
        points=2,
        reference=pad_image,
        judge=judge.Array(atol=0.0, kinds="iuf", same_dtype=True),
        copy=True,
        public=[
            Case((np.array([[1, 2], [3, 4]]), 1)),
            Case((np.arange(12, dtype=np.uint8).reshape(3, 4) + 200, 2)),
            Case((np.linspace(-1, 1, 10).reshape(2, 5), 3)),
            Case((np.array([[7.5]]), 1)),
            Case(
                (np.array([[1.0, 2.0], [3.0, 4.0]]), 0),
                hint="p = 0 adds nothing, but still returns a new array.",
            ),
            Case(
                (np.array([[1.0, 2.0], [3.0, 4.0]]), -1),
                hint="a negative padding makes no sense: raise ValueError.",
            ),
            Case((np.zeros((2, 2, 3)), 1), hint="only 2-D images are accepted: raise ValueError."),
        ],
        hidden=_pad_hidden,
        groups={"padding": 1, "errors": 1},
        hint=_PAD_HINT,
    ),  # fmt: skip
    Exercise(
        "conv2d_single_channel",
        points=2,
        reference=conv2d_single_channel,
        judge=judge.Array(atol=1e-9, rtol=1e-12, kinds="f"),
        public=[
            Case(
                (PATCH, SHARPEN),
                {"padding": 1},
                label="conv2d_single_channel(the sharpen example, padding=1)",
                hint="with padding 1, a 5x5 image and a 3x3 kernel give a 5x5 output; "
                "its first value is 320.",
            )
        ]
        + [
            Case(
                (
                    np.random.default_rng(30 + i).normal(size=ishape),
                    _asymmetric_kernel(np.random.default_rng(60 + i), kshape),
                ),
                {"padding": p, "stride": s, "dilation": d},
            )
            for i, (ishape, kshape, p, s, d) in enumerate(
                [
                    ((6, 7), (3, 3), 0, 1, 1),
                    ((7, 9), (3, 3), 0, 2, 1),
                    ((9, 8), (3, 3), 0, 1, 2),
                    ((8, 8), (2, 3), 2, 3, 1),
                    ((10, 11), (3, 2), 1, 2, 2),
                    ((5, 5), (5, 5), 0, 1, 1),
                ]
            )
        ]
        + [
            Case(
                (np.full((4, 4), 250, dtype=np.uint8), np.ones((2, 2)) * 2),
                hint="convert the image to float64 first: uint8 arithmetic wraps around at 256.",
            )
        ],
        hidden=_conv_hidden,
        groups={"convolution": 2},
        hint=_CONV_HINT,
        mistakes=[
            Mistake(
                _true_convolution,
                "you computed a true convolution (flipped kernel).",
                "CNN 'convolution' does not flip: each window cell meets the kernel cell in place.",
            ),
            Mistake(
                _ignores_stride,
                "you ignored the stride.",
                "each output position moves the window on by the stride.",
            ),
        ],
    ),  # fmt: skip
    Exercise(
        "flip_kernel",
        points=2,
        reference=flip_kernel,
        judge=judge.Array(atol=0.0, kinds="iuf"),
        copy=True,
        public=[
            Case((np.arange(1, 10).reshape(3, 3),)),
            Case((np.array([[1.5, -2.0, 0.0], [4.0, 5.0, 6.0]]),)),
            Case((np.arange(16.0).reshape(4, 4),)),
            Case((SOBEL_X,)),
        ],
        hidden=_flip_hidden,
        hint="a flip reverses both axes (a transpose is not a flip).",
        mistakes=[
            Mistake(_up_down_only, "you flipped upside down only.", "also flip left to right."),
            Mistake(_left_right_only, "you flipped left to right only.", "also flip upside down."),
            Mistake(
                _transpose,
                "you transposed the kernel.",
                "a flip is not a transpose: reverse each axis.",
            ),
        ],
    ),  # fmt: skip
    Exercise(
        "multichannel_pixel",
        points=2,
        reference=multichannel_pixel,
        judge=judge.Float(rel=1e-9, abs=1e-9),
        public=[
            Case(
                (
                    np.stack(
                        [
                            [[0, 0, 0], [0, 156, 155], [0, 153, 154]],
                            [[0, 0, 0], [0, 167, 166], [0, 164, 165]],
                            [[0, 0, 0], [0, 163, 162], [0, 160, 161]],
                        ],
                        axis=-1,
                    ),
                    np.stack(
                        [
                            [[-1, -1, 1], [0, 1, -1], [0, 1, 1]],
                            [[1, 0, 0], [1, -1, -1], [1, 0, -1]],
                            [[0, 1, 1], [0, 1, 0], [1, -1, 1]],
                        ],
                        axis=-1,
                    ),
                    1,
                ),
                label="multichannel_pixel(the chapter's RGB example, bias=1)",
            )
        ]
        + [
            Case(
                (
                    np.random.default_rng(31 + i).normal(size=shape),
                    np.random.default_rng(41 + i).normal(size=shape),
                    bias,
                )
            )
            for i, (shape, bias) in enumerate(
                [((3, 3, 2), -0.5), ((2, 2, 4), 3.25), ((5, 5, 1), 0.0), ((1, 1, 3), 2)]
            )
        ]
        + [
            Case(
                (np.ones((3, 3, 3)), np.ones((3, 3, 2)), 0.0),
                hint="the window and the kernel must have the same shape: raise ValueError.",
            )
        ],
        hidden=_pixel_hidden,
        hint=_PIXEL_HINT,
        mistakes=[
            Mistake(_no_bias, "you forgot the bias.", "add the bias once, after the sum."),
            Mistake(
                _first_channel, "only the first channel was used.", "sum over all channels too."
            ),
        ],
    ),  # fmt: skip
    Exercise(
        "sobel_magnitude",
        points=2,
        reference=sobel_magnitude,
        judge=judge.Array(atol=1e-9, rtol=1e-12, kinds="f"),
        public=[
            Case(
                (np.where(np.arange(6) >= 3, 10.0, 0.0)[None, :].repeat(5, 0),),
                label="sobel_magnitude(a vertical step edge)",
            ),
            Case(
                (np.where(np.arange(6) >= 3, 10.0, 0.0)[:, None].repeat(5, 1),),
                label="sobel_magnitude(a horizontal step edge)",
            ),
            Case((np.random.default_rng(32).normal(size=(7, 9)),)),
            Case((np.random.default_rng(33).integers(0, 256, size=(6, 6)).astype(np.uint8),)),
        ],
        hidden=_sobel_hidden,
        hint="Gx with Sx and Gy with Sy (correlation, no padding), then the length of the "
        "gradient vector at each pixel.",
        mistakes=[
            Mistake(
                _abs_sum,
                "you returned |Gx| + |Gy|.",
                "the magnitude is the square root of the sum of squares.",
            ),
            Mistake(
                _same_padding_sobel,
                "you padded the image: the output has the input's shape.",
                "a 3x3 filter without padding gives (H - 2, W - 2).",
            ),
        ],
    ),  # fmt: skip
]
