"""Lab 04 cases: a learner's correct functions, and plausible wrong ones (see
tests/test_lab_exercises.py)."""

import math

import numpy as np

from helpers.labs.spec import Mutant


def receptive_field_rows(i, f, stride=1):
    if i < 0 or f < 1 or stride < 1:
        raise ValueError("bad arguments")
    return range(i * stride, i * stride + f)


def conv_params(fh, fw, in_channels, filters, bias=True):
    if min(fh, fw, in_channels, filters) < 1:
        raise ValueError("sizes must be >= 1")
    return fh * fw * in_channels * filters + (filters if bias else 0)


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def conv_output_shape(input_shape, filters, kernel, strides=1, padding="valid"):
    (h, w, _), (fh, fw), (sh, sw) = input_shape, _pair(kernel), _pair(strides)
    if padding == "same":
        return (math.ceil(h / sh), math.ceil(w / sw), filters)
    if padding != "valid" or fh > h or fw > w:
        raise ValueError("bad padding or filter too large")
    return ((h - fh) // sh + 1, (w - fw) // sw + 1, filters)


def feature_map_bytes(shape, dtype_bytes=4):
    if dtype_bytes < 1 or any(d < 0 for d in shape):
        raise ValueError("bad input")
    return math.prod(shape) * dtype_bytes


def dense_vs_conv_params(input_shape, filters, kernel):
    h, w, c = input_shape
    out = h * w * filters
    return (h * w * c * out + out, kernel * kernel * c * filters + filters)


def neuron_output(x, w, b, i, j, stride=1):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    fh, fw, c_in, _ = w.shape
    if i < 0 or j < 0 or i * sh + fh > x.shape[0] or j * sw + fw > x.shape[1]:
        raise ValueError("field outside the input")
    z = np.array(b, dtype=np.float64)
    for u in range(fh):
        for v in range(fw):
            for k in range(c_in):
                z += x[i * sh + u, j * sw + v, k] * w[u, v, k, :]
    return z


SOLUTION = {
    f.__name__: f
    for f in (
        receptive_field_rows,
        conv_params,
        conv_output_shape,
        feature_map_bytes,
        dense_vs_conv_params,
        neuron_output,
    )
}


# ----------------------------------------------------------------------------- mutants


class AlwaysEqual:
    """The classic cheat: equal to everything."""

    def __eq__(self, other):
        return True

    def __int__(self):
        return 152


def rows_without_errors(i, f, stride=1):
    return range(i * stride, i * stride + f)


def shape_valid_only(shape, filters, kernel, strides=1, padding="valid"):
    return conv_output_shape(shape, filters, kernel, strides, "valid")


def shape_no_stride(shape, filters, kernel, strides=1, padding="valid"):
    return conv_output_shape(shape, filters, kernel, 1, padding)


def shape_accepts_anything(shape, filters, kernel, strides=1, padding="valid"):
    if padding in ("valid", "same"):
        return conv_output_shape(shape, filters, kernel, strides, padding)
    return (1, 1, filters)


def shape_valid_without_fit_check(shape, filters, kernel, strides=1, padding="valid"):
    (h, w, _), (fh, fw), (sh, sw) = shape, _pair(kernel), _pair(strides)
    if padding == "same":
        return (math.ceil(h / sh), math.ceil(w / sw), filters)
    if padding != "valid":
        raise ValueError("padding")
    return ((h - fh) // sh + 1, (w - fw) // sw + 1, filters)


def shape_swapped(shape, filters, kernel, strides=1, padding="valid"):
    return conv_output_shape(shape, filters, _pair(kernel)[::-1], _pair(strides)[::-1], padding)


def neuron_swapped_stride(x, w, b, i, j, stride=1):
    sh, sw = _pair(stride)
    return neuron_output(x, w, b, i, j, (sw, sh))


def neuron_modifies_input(x, w, b, i, j, stride=1):
    out = neuron_output(x, w, b, i, j, stride)
    x[...] = 0
    return out


def neuron_no_bounds(x, w, b, i, j, stride=1):
    sh, sw = _pair(stride)
    z = np.array(b, dtype=np.float64)
    for u in range(w.shape[0]):
        for v in range(w.shape[1]):
            for c in range(w.shape[2]):
                z += x[(i * sh + u) % x.shape[0], (j * sw + v) % x.shape[1], c] * w[u, v, c]
    return z


def neuron_first_channel(x, w, b, i, j, stride=1):
    return neuron_output(x[:, :, :1], w[:, :, :1], b, i, j, stride)


def neuron_bias_per_channel(x, w, b, i, j, stride=1):
    return neuron_output(x, w, b, i, j, stride) + (x.shape[2] - 1) * np.asarray(b)


MUTANTS = [
    Mutant(
        "receptive_field_rows",
        "returns a list",
        lambda i, f, stride=1: list(receptive_field_rows(i, f, stride)),
        says="expected a range, got list",
    ),
    Mutant(
        "receptive_field_rows",
        "returns a tuple",
        lambda i, f, stride=1: tuple(receptive_field_rows(i, f, stride)),
        says="expected a range, got tuple",
    ),
    Mutant(
        "receptive_field_rows",
        "stops one row early",
        lambda i, f, stride=1: range(i * stride, i * stride + f - 1),
        says="one row early",
    ),
    Mutant(
        "receptive_field_rows",
        "ignores the stride",
        lambda i, f, stride=1: receptive_field_rows(i, f),
        says="ignored the stride",
    ),
    Mutant(
        "receptive_field_rows",
        "no ValueError",
        rows_without_errors,
        says="instead of raising ValueError",
    ),
    Mutant(
        "conv_params",
        "always without bias",
        lambda fh, fw, c, n, bias=True: conv_params(fh, fw, c, n, False),
        says="forgot the biases",
    ),
    Mutant(
        "conv_params",
        "always with bias",
        lambda fh, fw, c, n, bias=True: conv_params(fh, fw, c, n, True),
        says="bias=False",
    ),
    Mutant(
        "conv_params",
        "forgets the input channels",
        lambda fh, fw, c, n, bias=True: conv_params(fh, fw, 1, n, bias),
        says="forgot the input channels",
    ),
    Mutant(
        "conv_params",
        "returns a float",
        lambda *a, **k: float(conv_params(*a, **k)),
        says="whole number",
    ),
    Mutant(
        "conv_params",
        "an object equal to everything",
        lambda *a, **k: AlwaysEqual(),
        says="AlwaysEqual",
    ),
    Mutant(
        "conv_params",
        "no ValueError",
        lambda fh, fw, c, n, bias=True: fh * fw * c * n + (n if bias else 0),
        says="instead of raising ValueError",
    ),
    Mutant(
        "conv_output_shape",
        "'same' computed like 'valid'",
        shape_valid_only,
        says="'same' like 'valid'",
    ),
    Mutant("conv_output_shape", "ignores the stride", shape_no_stride, says="ignored the stride"),
    Mutant(
        "conv_output_shape",
        "returns a list",
        lambda *a, **k: list(conv_output_shape(*a, **k)),
        says="expected a tuple, got list",
    ),
    Mutant(
        "conv_output_shape",
        "accepts any padding",
        shape_accepts_anything,
        says="instead of raising ValueError",
    ),
    Mutant(
        "conv_output_shape",
        "no fit check for 'valid'",
        shape_valid_without_fit_check,
        says="instead of raising ValueError",
    ),
    Mutant("conv_output_shape", "swaps rows and columns", shape_swapped),
    Mutant(
        "conv_output_shape",
        "returns the input size",
        lambda s, nf, k, strides=1, padding="valid": (s[0], s[1], nf),
    ),
    Mutant(
        "feature_map_bytes",
        "megabytes",
        lambda s, dtype_bytes=4: feature_map_bytes(s, dtype_bytes) / 1e6,
        says="bytes, not megabytes",
    ),
    Mutant("feature_map_bytes", "counts numbers, not bytes", lambda s, dtype_bytes=4: math.prod(s)),
    Mutant(
        "feature_map_bytes",
        "always 4 bytes",
        lambda s, dtype_bytes=4: feature_map_bytes(s),
        says="ignored dtype_bytes",
    ),
    Mutant(
        "feature_map_bytes",
        "returns a float",
        lambda s, dtype_bytes=4: float(feature_map_bytes(s, dtype_bytes)),
        says="whole number of bytes",
    ),
    Mutant(
        "dense_vs_conv_params",
        "dense without biases",
        lambda s, nf, k: (s[0] * s[1] * s[2] * s[0] * s[1] * nf, k * k * s[2] * nf + nf),
        says="dense layer's biases",
    ),
    Mutant(
        "dense_vs_conv_params",
        "conv without biases",
        lambda s, nf, k: (dense_vs_conv_params(s, nf, k)[0], k * k * s[2] * nf),
        says="convolutional layer's biases",
    ),
    Mutant("dense_vs_conv_params", "one number", lambda s, nf, k: (1,), says="expected 2 items"),
    Mutant(
        "dense_vs_conv_params",
        "returns a list",
        lambda s, nf, k: list(dense_vs_conv_params(s, nf, k)),
        says="expected a tuple",
    ),
    Mutant(
        "neuron_output",
        "forgets the bias",
        lambda x, w, b, i, j, stride=1: neuron_output(x, w, b * 0, i, j, stride),
        says="forgot the bias",
    ),
    Mutant(
        "neuron_output",
        "ignores the stride",
        lambda x, w, b, i, j, stride=1: neuron_output(x, w, b, i, j, 1),
        says="ignored the stride",
    ),
    Mutant("neuron_output", "swaps the strides", neuron_swapped_stride),
    Mutant("neuron_output", "first input channel only", neuron_first_channel),
    Mutant("neuron_output", "bias once per input channel", neuron_bias_per_channel),
    Mutant(
        "neuron_output",
        "one map only",
        lambda x, w, b, i, j, stride=1: neuron_output(x, w, b, i, j, stride)[:1],
        says="expected shape",
    ),
    Mutant(
        "neuron_output",
        "returns a list",
        lambda *a, **k: list(neuron_output(*a, **k)),
        says="NumPy array",
    ),
    Mutant(
        "neuron_output",
        "integer dtype",
        lambda *a, **k: neuron_output(*a, **k).astype(np.int64),
        says="float64 copy of b",
    ),
    Mutant("neuron_output", "changes its input", neuron_modifies_input, says="changed its input"),
    Mutant(
        "neuron_output",
        "no bounds check (wraps around)",
        neuron_no_bounds,
        says="instead of raising ValueError",
    ),
    Mutant("neuron_output", "off by one", lambda *a, **k: neuron_output(*a, **k) + 1),
]
