"""Lab 04 (convolutional layers): receptive fields, sizes, parameters, bytes, Equation 14-1.

References in plain Python and NumPy. Hidden cases are drawn per submission: random sizes,
strides (ints and pairs), paddings and positions, with the edge cases (a field ending exactly at
the border, a filter as large as the input, a zero dimension) always in.
"""

import math

import numpy as np

from helpers.labs import judge
from helpers.labs.spec import Case, Exercise, Mistake
from helpers.labs.specs import _common

# ----------------------------------------------------------------------------- references


def receptive_field_rows(i, f, stride=1):
    if i < 0 or f < 1 or stride < 1:
        raise ValueError("i must be >= 0, f and stride >= 1")
    return range(i * stride, i * stride + f)


def conv_params(fh, fw, in_channels, filters, bias=True):
    if min(fh, fw, in_channels, filters) < 1:
        raise ValueError("every size must be at least 1")
    return _common.conv_params(fh, fw, in_channels, filters, bias)


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def conv_output_shape(input_shape, filters, kernel, strides=1, padding="valid"):
    (h, w, _), (fh, fw), (sh, sw) = input_shape, _pair(kernel), _pair(strides)
    return (_common.output_size(h, fh, sh, padding), _common.output_size(w, fw, sw, padding),
            filters)  # fmt: skip


def feature_map_bytes(shape, dtype_bytes=4):
    if dtype_bytes < 1 or any(d < 0 for d in shape):
        raise ValueError("a negative dimension or dtype_bytes < 1")
    return math.prod(shape) * dtype_bytes


def dense_vs_conv_params(input_shape, filters, kernel):
    h, w, c = input_shape
    return (_common.dense_params(h * w * c, h * w * filters),
            _common.conv_params(kernel, kernel, c, filters))  # fmt: skip


def neuron_output(x, w, b, i, j, stride=1):
    x, w = np.asarray(x, np.float64), np.asarray(w, np.float64)
    (sh, sw), (fh, fw) = _pair(stride), w.shape[:2]
    if i < 0 or j < 0 or i * sh + fh > x.shape[0] or j * sw + fw > x.shape[1]:
        raise ValueError("the receptive field does not fit")
    window = x[i * sh : i * sh + fh, j * sw : j * sw + fw, :]
    return np.einsum("uvc,uvck->k", window, w) + np.asarray(b, np.float64)


# ----------------------------------------------------------------------------- mistakes


def _rows_one_short(i, f, stride=1):
    return range(i * stride, i * stride + f - 1)


def _rows_ignore_stride(i, f, stride=1):
    return range(i, i + f)


def _params_no_bias(fh, fw, in_channels, filters, bias=True):
    return _common.conv_params(fh, fw, in_channels, filters, bias=False)


def _params_always_bias(fh, fw, in_channels, filters, bias=True):
    return _common.conv_params(fh, fw, in_channels, filters)


def _params_no_depth(fh, fw, in_channels, filters, bias=True):
    return _common.conv_params(fh, fw, 1, filters, bias)


def _shape_same_as_valid(input_shape, filters, kernel, strides=1, padding="valid"):
    return conv_output_shape(input_shape, filters, kernel, strides, "valid")


def _shape_no_stride(input_shape, filters, kernel, strides=1, padding="valid"):
    return conv_output_shape(input_shape, filters, kernel, 1, padding)


def _shape_swapped_pairs(input_shape, filters, kernel, strides=1, padding="valid"):
    return conv_output_shape(input_shape, filters, _pair(kernel)[::-1], _pair(strides)[::-1],
                             padding)  # fmt: skip


def _bytes_ignore_dtype(shape, dtype_bytes=4):
    return math.prod(shape) * 4


def _dense_no_bias(input_shape, filters, kernel):
    dense, conv = dense_vs_conv_params(input_shape, filters, kernel)
    return (dense - input_shape[0] * input_shape[1] * filters, conv)


def _conv_no_bias(input_shape, filters, kernel):
    dense, conv = dense_vs_conv_params(input_shape, filters, kernel)
    return (dense, conv - filters)


def _neuron_no_bias(x, w, b, i, j, stride=1):
    return neuron_output(x, w, np.zeros_like(np.asarray(b, np.float64)), i, j, stride)


def _neuron_ignores_stride(x, w, b, i, j, stride=1):
    return neuron_output(x, w, b, i, j, 1)


def _neuron_swapped_stride(x, w, b, i, j, stride=1):
    return neuron_output(x, w, b, i, j, _pair(stride)[::-1])


def _neuron_first_channel(x, w, b, i, j, stride=1):
    x, w = np.asarray(x, np.float64), np.asarray(w, np.float64)
    return neuron_output(x[:, :, :1], w[:, :, :1], b, i, j, stride)


# ----------------------------------------------------------------------------- cases

_REPR = [{"method": "__repr__"}]  # a range arrives as an object: judge its repr too
_ROWS_HINT = "each step of i moves the field by stride rows; it is f rows tall; mind range's stop."
_ROWS_ERROR_HINT = "i must be >= 0; f and stride must be >= 1."


def _rows_hidden(rng):
    cases = [Case((0, 1, 1), group="values"),
             Case((int(rng.integers(1, 20)), int(rng.integers(1, 8))), group="values",
                  hint="the default stride is 1.")]  # fmt: skip
    for _ in range(6):
        i, f, s = int(rng.integers(0, 40)), int(rng.integers(1, 12)), int(rng.integers(1, 6))
        cases.append(Case((i, f), {"stride": s}, group="values"))
    cases += [Case((-int(rng.integers(1, 9)), 3, 1), group="errors"),
              Case((int(rng.integers(0, 9)), 0, 1), group="errors"),
              Case((int(rng.integers(0, 9)), 3, 0), group="errors"),
              Case((1, -int(rng.integers(1, 5)), 2), group="errors"),
              Case((2, 3, -int(rng.integers(1, 4))), group="errors")]  # fmt: skip
    for c in cases:
        c.then = _REPR
        if c.group == "errors":
            c.hint = _ROWS_ERROR_HINT
    return cases


_PARAMS_HINT = "a weight per window cell on every input channel, per filter; bias: one per filter."
_PARAMS_ERROR_HINT = "every size must be at least 1."


def _params_hidden(rng):
    cases = [
        Case((1, 1, 1, 1), group="values"),
        Case(
            (1, 1, 1, 1),
            {"bias": False},
            group="values",
            hint="without bias, only the weights count.",
        ),
    ]
    for _ in range(4):
        fh, fw = (int(v) for v in rng.integers(1, 8, size=2))
        c, nf = int(rng.integers(1, 257)), int(rng.integers(1, 257))
        cases.append(Case((fh, fw, c, nf), group="values"))
        cases.append(Case((fh, fw, c, nf), {"bias": False}, group="values",
                          hint="without bias, only the weights count."))  # fmt: skip
    cases.append(Case((3, 3, int(rng.integers(2, 65)), int(rng.integers(2, 65))), {"bias": True},
                      group="values"))  # fmt: skip
    bad = [(0, 3, 3, 8), (3, 0, 3, 8), (3, 3, 0, 8), (3, 3, 3, 0)]
    k = int(rng.integers(0, 4))
    bad[k] = tuple(-int(rng.integers(1, 5)) if n == k else v for n, v in enumerate(bad[k]))
    cases += [Case(b, group="errors", hint=_PARAMS_ERROR_HINT) for b in bad]
    return cases


def _shape_hint(padding):
    start = ("'valid': the whole windows that fit, per axis (round down); " if padding == "valid"
             else "'same': only the stride decides, per axis (round up); ")  # fmt: skip
    return start + "kernel and strides may be pairs (rows, columns); the last entry is filters."


_SHAPE_ERROR_HINT = "only 'valid' and 'same' exist here, and a 'valid' filter must fit."


def _shape_case(shape, nf, k, s, pad, group="values"):
    return Case((shape, nf, k), {"strides": s, "padding": pad}, group=group, hint=_shape_hint(pad))


def _shape_hidden(rng):
    cases = []
    for _ in range(8):
        h, w = (int(v) for v in rng.integers(3, 120, size=2))
        shape = (h, w, int(rng.integers(1, 65)))
        nf = int(rng.integers(1, 257))
        if rng.random() < 0.5:
            k = int(rng.integers(1, min(h, w) + 1))
        else:
            k = (int(rng.integers(1, h + 1)), int(rng.integers(1, w + 1)))
        s = (
            int(rng.integers(1, 6))
            if rng.random() < 0.5
            else tuple(int(v) for v in rng.integers(1, 6, size=2))
        )
        for pad in ("valid", "same"):
            cases.append(_shape_case(shape, nf, k, s, pad))
    n = int(rng.integers(3, 12))
    cases.append(_shape_case((n, n + 2, 1), 1, (n, n + 2), 2, "valid"))  # the filter fills it
    cases.append(
        Case(
            ((int(rng.integers(5, 40)), int(rng.integers(5, 40)), 3), 7, 2),
            group="values",
            hint="the defaults are strides=1 and padding='valid'.",
        )
    )
    m = int(rng.integers(3, 10))
    cases += [Case(((8, 8, 1), 2, 3, 1, str(rng.choice(["full", "causal", "Same", "VALID"]))),
                   group="errors", hint=_SHAPE_ERROR_HINT),
              Case(((m, 20, 1), 2, m + int(rng.integers(1, 4)), 1, "valid"), group="errors",
                   hint=_SHAPE_ERROR_HINT),
              Case(((20, m, 1), 2, (2, m + 1), 1, "valid"), group="errors",
                   hint=_SHAPE_ERROR_HINT)]  # fmt: skip
    return cases


_BYTES_HINT = "multiply all dimensions and the bytes per number (4 for float32); return an int."
_BYTES_ERROR_HINT = "a negative dimension or dtype_bytes < 1 is an error."


def _bytes_hidden(rng):
    cases = [Case(((3, 0), 2), group="values"), Case(((7,), 8), group="values")]
    for _ in range(5):
        shape = tuple(int(d) for d in rng.integers(1, 300, size=int(rng.integers(1, 5))))
        cases.append(Case((shape,), {"dtype_bytes": int(rng.choice([1, 2, 4, 8]))},
                          group="values"))  # fmt: skip
    shape = tuple(int(d) for d in rng.integers(1, 64, size=3))
    cases.append(Case((shape,), group="values", hint="the default is 4."))
    cases += [
        Case(((2, -int(rng.integers(1, 9)), 4), 4), group="errors", hint=_BYTES_ERROR_HINT),
        Case(((2, 2), -int(rng.integers(0, 3))), group="errors", hint=_BYTES_ERROR_HINT),
    ]
    return cases


_DENSE_HINT = (
    "dense: a weight per (input, output) pair and a bias per output; the outputs are "
    "the conv layer's ('same' padding, stride 1); conv: as in exercise 2."
)


def _dense_hidden(rng):
    cases = [Case(((1, 1, 1), 1, 1))]
    for _ in range(5):
        h, w = (int(v) for v in rng.integers(1, 65, size=2))
        cases.append(Case(((h, w, int(rng.integers(1, 17))), int(rng.integers(1, 65)),
                           int(rng.choice([1, 3, 5, 7])))))  # fmt: skip
    return cases


_NEURON_HINT = (
    "Equation 14-1: the bias plus input × weight summed over the window's rows, columns "
    "and input channels; "
    "check the stride (rows use s_h, columns s_w) and that the bias is added once."
)
_NEURON_VALUE_HINT = (_NEURON_HINT + " This neuron's receptive field fits inside x: raise "
                      "ValueError only when it does not.")  # fmt: skip
_NEURON_ERROR_HINT = "the whole receptive field must lie inside x, and i, j cannot be negative."


def _neuron_arrays(rng, shape, kshape, integers=False):
    if integers:
        return (rng.integers(-5, 6, size=shape).astype(np.float64),
                rng.integers(-3, 4, size=kshape).astype(np.float64),
                rng.integers(-9, 10, size=kshape[-1]).astype(np.float64))  # fmt: skip
    return rng.normal(size=shape), rng.normal(size=kshape), rng.normal(size=kshape[-1])


def _neuron_hidden(rng):
    cases = []
    for n in range(6):
        fh, fw = (int(v) for v in rng.integers(1, 5, size=2))
        c_in, c_out = int(rng.integers(1, 5)), int(rng.integers(1, 6))
        stride = (int(rng.integers(1, 4)) if n % 2 else
                  (int(rng.integers(1, 4)), int(rng.integers(1, 4))))  # fmt: skip
        sh, sw = _pair(stride)
        h, w = fh + sh * int(rng.integers(1, 5)), fw + sw * int(rng.integers(1, 5))
        i_max, j_max = (h - fh) // sh, (w - fw) // sw
        # the last position that fits (its field touches the border), or a random one
        i, j = (i_max, j_max) if n < 2 else (int(rng.integers(0, i_max + 1)),
                                             int(rng.integers(0, j_max + 1)))  # fmt: skip
        x, wk, b = _neuron_arrays(rng, (h, w, c_in), (fh, fw, c_in, c_out), integers=n % 3 == 0)
        cases.append(Case((x, wk, b, i, j), {"stride": stride}, group="values",
                          hint=_NEURON_VALUE_HINT))  # fmt: skip
    x, wk, b = _neuron_arrays(rng, (6, 6, 2), (3, 3, 2, 1))
    far = int(rng.integers(4, 7))
    for bi, bj, s in [(far, 0, 1), (0, 2, 2), (0, -int(rng.integers(1, 3)), 1), (2, 0, (2, 1))]:
        cases.append(Case((x, wk, b, bi, bj, s), group="errors", hint=_NEURON_ERROR_HINT))
    return cases


def _neuron_public():
    x_hand = np.arange(9, dtype=np.float64).reshape(3, 3, 1)
    cases = [
        Case(
            (x_hand, np.ones((2, 2, 1, 1)), np.array([0.5]), 1, 1),
            {"stride": 1},
            label="neuron_output(x(3, 3, 1), w(2, 2, 1, 1), b(1,), i=1, j=1, stride=1) "
            "[by hand: 4 + 5 + 7 + 8 + 0.5 = 24.5]",
            hint=_NEURON_VALUE_HINT,
        )
    ]
    rng = np.random.default_rng(404)
    arrays = []
    for shape, kshape, stride, (i, j) in [
        ((6, 7, 3), (3, 3, 3, 2), 1, (2, 4)),
        ((11, 13, 3), (3, 4, 3, 4), (2, 3), (3, 2)),
        ((9, 9, 5), (5, 5, 5, 3), 2, (2, 0)),
        ((8, 10, 2), (2, 3, 2, 6), (3, 1), (0, 7)),
    ]:
        x, w, b = rng.normal(size=shape), rng.normal(size=kshape), rng.normal(size=kshape[-1])
        arrays.append((x, w, b))
        cases.append(Case((x, w, b, i, j), {"stride": stride}, hint=_NEURON_VALUE_HINT,
                          label=f"neuron_output(x{shape}, w{kshape}, b{b.shape}, i={i}, j={j}, "
                                f"stride={stride!r}) [random input]"))  # fmt: skip
    x, w, b = arrays[0]
    for i, j, stride in [(5, 0, 1), (0, 6, 2), (-1, 0, 1), (0, 4, (1, 2))]:
        cases.append(Case((x, w, b, i, j, stride), hint=_NEURON_ERROR_HINT,
                          label=f"neuron_output(x(6, 7, 3), w(3, 3, 3, 2), b, i={i}, j={j}, "
                                f"stride={stride!r})"))  # fmt: skip
    return cases


EXERCISES = [
    Exercise(
        "receptive_field_rows",
        points=2,
        reference=receptive_field_rows,
        judge=judge.Custom("lab04.range_value"),
        public=[
            Case((i, f), {"stride": s}, then=_REPR)
            for i, f, s in [(3, 5, 2), (0, 3, 1), (1, 3, 2), (7, 1, 4), (10, 7, 3)]
        ]
        + [Case((4, 3), hint="with the default stride 1, row 4 sees rows 4, 5 and 6.", then=_REPR)]
        + [
            Case(bad, hint=_ROWS_ERROR_HINT, then=_REPR)
            for bad in [(-1, 3, 1), (2, 0, 1), (2, 3, 0), (0, 3, -2)]
        ],
        hidden=_rows_hidden,
        groups={"values": 1, "errors": 1},
        hint=_ROWS_HINT,
        mistakes=[
            Mistake(
                _rows_one_short,
                "the range stops one row early.",
                "range(a, b) excludes b: the stop is one past the last row.",
            ),
            Mistake(
                _rows_ignore_stride,
                "you ignored the stride.",
                "output row i starts at input row i*stride.",
            ),
        ],
    ),
    Exercise(
        "conv_params",
        points=2,
        reference=conv_params,
        judge=judge.Int(),
        public=[
            Case(a)
            for a in [
                (5, 5, 3, 2),
                (5, 5, 3, 200),
                (3, 3, 1, 64),
                (3, 3, 32, 64),
                (7, 1, 4, 5),
                (1, 1, 1, 1),
            ]
        ]
        + [
            Case(a, {"bias": False}, hint="without bias, only the weights count.")
            for a in [(5, 5, 3, 2), (3, 3, 32, 64)]
        ]
        + [
            Case(a, hint=_PARAMS_ERROR_HINT)
            for a in [(0, 3, 3, 8), (3, 3, 0, 8), (3, 3, 3, 0), (3, -1, 3, 8)]
        ],
        hidden=_params_hidden,
        groups={"values": 1, "errors": 1},
        hint=_PARAMS_HINT,
        mistakes=[
            Mistake(
                _params_no_bias,
                "you forgot the biases.",
                "with bias=True each filter has one bias.",
            ),
            Mistake(
                _params_always_bias,
                "you counted the biases with bias=False.",
                "without bias, only the weights count.",
            ),
            Mistake(
                _params_no_depth,
                "you forgot the input channels.",
                "each filter spans all in_channels input maps, with a weight per cell on each.",
            ),
        ],
    ),
    Exercise(
        "conv_output_shape",
        points=2,
        reference=conv_output_shape,
        judge=judge.Exact(),
        public=[
            _shape_case(*c)
            for c in [
                ((28, 28, 1), 32, 3, 1, "valid"),
                ((28, 28, 1), 32, 3, 1, "same"),
                ((150, 100, 3), 200, 5, 1, "same"),
                ((13, 13, 3), 4, 6, 5, "valid"),
                ((13, 13, 3), 4, 6, 5, "same"),
                ((11, 13, 3), 4, (3, 4), (2, 3), "valid"),
                ((224, 224, 3), 64, 7, 2, "same"),
                ((9, 20, 8), 16, (9, 1), (1, 2), "valid"),
                ((7, 7, 1), 2, 3, (2, 1), "same"),
            ]
        ]
        + [Case(((10, 12, 3), 6, 3), hint="the defaults are strides=1 and padding='valid'.")]
        + [
            Case(bad, hint=_SHAPE_ERROR_HINT)
            for bad in [
                ((28, 28, 1), 8, 3, 1, "full"),
                ((28, 28, 1), 8, 3, 1, "SAME"),
                ((4, 4, 1), 8, 5, 1, "valid"),
                ((10, 3, 1), 8, (3, 4), 1, "valid"),
            ]
        ],
        hidden=_shape_hidden,
        groups={"values": 1, "errors": 1},
        hint="kernel and strides may be pairs (rows, columns); the last entry is filters.",
        mistakes=[
            Mistake(
                _shape_same_as_valid,
                "you treated 'same' like 'valid'.",
                "'same' pads so that only the stride decides the size (round up).",
            ),
            Mistake(
                _shape_no_stride,
                "you ignored the stride.",
                "the stride divides the number of positions (exercise 1 of chapter 03).",
            ),
            Mistake(
                _shape_swapped_pairs,
                "you swapped rows and columns.",
                "a pair is (rows, columns): the first entry goes with the height.",
            ),
        ],
    ),
    Exercise(
        "feature_map_bytes",
        points=2,
        reference=feature_map_bytes,
        judge=judge.Custom("lab04.byte_count"),
        public=[
            Case((shape,), {"dtype_bytes": n})
            for shape, n in [
                ((150, 100, 200), 4),
                ((100, 150, 100, 200), 4),
                ((32, 224, 224, 64), 2),
                ((28, 28, 1), 1),
                ((5, 0, 3), 4),
            ]
        ]
        + [Case(((150, 100, 200),), hint="the default is 4.")]
        + [Case(bad, hint=_BYTES_ERROR_HINT) for bad in [((3, -1), 4), ((3, 3), 0)]],
        hidden=_bytes_hidden,
        groups={"values": 1, "errors": 1},
        hint=_BYTES_HINT,
        mistakes=[
            Mistake(
                _bytes_ignore_dtype,
                "you ignored dtype_bytes.",
                "multiply by the bytes per number given, not always 4.",
            )
        ],
    ),
    Exercise(
        "dense_vs_conv_params",
        points=2,
        reference=dense_vs_conv_params,
        judge=judge.Exact(),
        public=[
            Case(a)
            for a in [
                ((28, 28, 1), 8, 3),
                ((32, 32, 3), 6, 5),
                ((10, 12, 4), 2, 1),
                ((64, 64, 3), 32, 5),
            ]
        ],
        hidden=_dense_hidden,
        hint=_DENSE_HINT,
        mistakes=[
            Mistake(
                _dense_no_bias,
                "you forgot the dense layer's biases.",
                "a dense layer has one bias per output.",
            ),
            Mistake(
                _conv_no_bias,
                "you forgot the convolutional layer's biases.",
                "a Conv2D layer has one bias per filter.",
            ),
        ],
    ),
    Exercise(
        "neuron_output",
        points=3,
        reference=neuron_output,
        judge=judge.Custom("lab04.feature_maps"),
        public=_neuron_public(),
        hidden=_neuron_hidden,
        groups={"values": 2, "errors": 1},
        hint=_NEURON_HINT,
        mistakes=[
            Mistake(
                _neuron_no_bias, "you forgot the bias.", "start from b[k], then add the products."
            ),
            Mistake(
                _neuron_ignores_stride,
                "you ignored the stride.",
                "the field of (i, j) moves by the stride per step of i and of j.",
            ),
            Mistake(
                _neuron_swapped_stride,
                "you swapped the row and column strides.",
                "a stride pair is (s_h, s_w): rows use s_h, columns s_w.",
            ),
            Mistake(
                _neuron_first_channel,
                "only the first input channel was used.",
                "sum over all input channels k' too.",
            ),
        ],
    ),
]
