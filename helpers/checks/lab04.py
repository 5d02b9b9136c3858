"""Checks of lab 04 (convolutional layers): receptive fields, sizes, parameters, Eq. 14-1."""

from __future__ import annotations

from . import CheckFailed, call, expect_int, expect_raises, fail, passed

__all__ = [
    "check_receptive_field_rows",
    "check_conv_params",
    "check_conv_output_shape",
    "check_feature_map_bytes",
    "check_dense_vs_conv_params",
    "check_neuron_output",
]


def _expect_int_tuple(got, expected: tuple[int, ...], *, what: str, hint: str) -> None:
    """``got`` must be a tuple (exactly) of len(expected) whole numbers equal to ``expected``."""
    if type(got) is not tuple:
        fail(f"{what}: expected a tuple, got {type(got).__name__} {got!r}.", hint)
    if len(got) != len(expected):
        fail(f"{what}: expected a tuple of {len(expected)} numbers, got {len(got)}: {got!r}.", hint)
    for n, (g, e) in enumerate(zip(got, expected, strict=True)):
        expect_int(g, e, what=f"{what}[{n}]", hint=hint)


def check_receptive_field_rows(fn) -> str:
    """Exercise 1: ``receptive_field_rows(i, f, stride=1)`` = range(i*stride, i*stride + f)."""
    ex = "receptive_field_rows"
    hint = "row i sees rows i*stride ... i*stride + f - 1: range(i*stride, i*stride + f)."
    for i, f, s in [(3, 5, 2), (0, 3, 1), (1, 3, 2), (7, 1, 4), (10, 7, 3)]:
        got = call(fn, i, f, stride=s, exercise=ex)
        what = f"{ex}({i}, {f}, stride={s})"
        if type(got) is not range:
            fail(
                f"{what}: expected a range, got {type(got).__name__} {got!r}.",
                "return range(first, last + 1), not a list or a tuple.",
            )
        expected = range(i * s, i * s + f)
        if (got.start, got.stop, got.step) != (expected.start, expected.stop, expected.step):
            fail(f"{what}: expected {expected!r}, got {got!r}.", hint)
    got = call(fn, 4, 3, exercise=ex)
    if type(got) is not range or got != range(4, 7):
        fail(f"{ex}(4, 3): with the default stride 1 expected range(4, 7), got {got!r}.", hint)
    for bad in [(-1, 3, 1), (2, 0, 1), (2, 3, 0), (0, 3, -2)]:
        expect_raises(fn, *bad, exercise=ex, hint="i must be >= 0; f and stride must be >= 1.")
    return passed(ex)


def check_conv_params(fn) -> str:
    """Exercise 2: ``conv_params(fh, fw, in_channels, filters, bias=True)``."""
    ex = "conv_params"
    hint = "(fh * fw * in_channels) * filters weights, plus one bias per filter when bias=True."
    cases = [
        ((5, 5, 3, 2), 152),
        ((5, 5, 3, 200), 15_200),
        ((3, 3, 1, 64), 640),
        ((3, 3, 32, 64), 18_496),
        ((7, 1, 4, 5), 145),
        ((1, 1, 1, 1), 2),
    ]
    for args, expected in cases:
        expect_int(call(fn, *args, exercise=ex), expected, what=f"{ex}{args}", hint=hint)
    for args, expected in [((5, 5, 3, 2), 150), ((3, 3, 32, 64), 18_432)]:
        expect_int(
            call(fn, *args, bias=False, exercise=ex),
            expected,
            what=f"{ex}{args[:-1] + (args[-1],)} with bias=False",
            hint="without bias, only the weights count.",
        )
    for bad in [(0, 3, 3, 8), (3, 3, 0, 8), (3, 3, 3, 0), (3, -1, 3, 8)]:
        expect_raises(fn, *bad, exercise=ex, hint="every size must be at least 1.")
    return passed(ex)


def check_conv_output_shape(fn) -> str:
    """Exercise 3: ``conv_output_shape(input_shape, filters, kernel, strides, padding)``."""
    ex = "conv_output_shape"
    cases = [
        (((28, 28, 1), 32, 3, 1, "valid"), (26, 26, 32)),
        (((28, 28, 1), 32, 3, 1, "same"), (28, 28, 32)),
        (((150, 100, 3), 200, 5, 1, "same"), (150, 100, 200)),
        (((13, 13, 3), 4, 6, 5, "valid"), (2, 2, 4)),
        (((13, 13, 3), 4, 6, 5, "same"), (3, 3, 4)),
        (((11, 13, 3), 4, (3, 4), (2, 3), "valid"), (5, 4, 4)),
        (((224, 224, 3), 64, 7, 2, "same"), (112, 112, 64)),
        (((9, 20, 8), 16, (9, 1), (1, 2), "valid"), (1, 10, 16)),
        (((7, 7, 1), 2, 3, (2, 1), "same"), (4, 7, 2)),
    ]
    for (shape, nf, k, s, pad), expected in cases:
        what = f"{ex}({shape}, {nf}, {k!r}, strides={s!r}, padding={pad!r})"
        hint = (
            "'valid': (n - f) // s + 1 on each axis; "
            if pad == "valid"
            else "'same': ceil(n / s) on each axis, whatever the filter size; "
        )
        hint += "kernel and strides may be pairs (rows, columns); the last entry is filters."
        got = call(fn, shape, nf, k, strides=s, padding=pad, exercise=ex)
        _expect_int_tuple(got, expected, what=what, hint=hint)
    got = call(fn, (10, 12, 3), 6, 3, exercise=ex)  # default strides=1, padding="valid"
    _expect_int_tuple(
        got,
        (8, 10, 6),
        what=f"{ex}((10, 12, 3), 6, 3) with the defaults",
        hint="the defaults are strides=1 and padding='valid'.",
    )
    for bad in [
        ((28, 28, 1), 8, 3, 1, "full"),
        ((28, 28, 1), 8, 3, 1, "SAME"),
        ((4, 4, 1), 8, 5, 1, "valid"),
        ((10, 3, 1), 8, (3, 4), 1, "valid"),
    ]:
        expect_raises(
            fn,
            *bad,
            exercise=ex,
            hint="only 'valid' and 'same' exist here, and a 'valid' filter must fit.",
        )
    return passed(ex)


def check_feature_map_bytes(fn) -> str:
    """Exercise 4: ``feature_map_bytes(shape, dtype_bytes=4)`` in bytes, as an int."""
    ex = "feature_map_bytes"
    hint = "multiply all dimensions and the bytes per number (4 for float32); return an int."
    cases = [
        ((150, 100, 200), 4, 12_000_000),
        ((100, 150, 100, 200), 4, 1_200_000_000),
        ((32, 224, 224, 64), 2, 205_520_896),
        ((28, 28, 1), 1, 784),
        ((5, 0, 3), 4, 0),
    ]
    for shape, nbytes, expected in cases:
        got = call(fn, shape, dtype_bytes=nbytes, exercise=ex)
        expect_int(
            got,
            expected,
            what=f"{ex}({shape}, dtype_bytes={nbytes})",
            hint=hint + (" Bytes, not megabytes." if isinstance(got, float) else ""),
        )
    expect_int(
        call(fn, (150, 100, 200), exercise=ex),
        12_000_000,
        what=f"{ex}((150, 100, 200)) with the default dtype_bytes",
        hint="the default is 4.",
    )
    for bad in [((3, -1), 4), ((3, 3), 0)]:
        expect_raises(
            fn, *bad, exercise=ex, hint="a negative dimension or dtype_bytes < 1 is an error."
        )
    return passed(ex)


def check_dense_vs_conv_params(fn) -> str:
    """Exercise 5: ``dense_vs_conv_params(input_shape, filters, kernel)`` -> (dense, conv)."""
    ex = "dense_vs_conv_params"
    cases = [((28, 28, 1), 8, 3), ((32, 32, 3), 6, 5), ((10, 12, 4), 2, 1), ((64, 64, 3), 32, 5)]
    for shape, nf, k in cases:
        h, w, c = shape
        outputs = h * w * nf
        expected = (h * w * c * outputs + outputs, k * k * c * nf + nf)
        got = call(fn, shape, nf, k, exercise=ex)
        _expect_int_tuple(
            got,
            expected,
            what=f"{ex}({shape}, {nf}, {k})",
            hint="dense: (inputs * outputs) weights + outputs biases, with inputs = h*w*c and "
            "outputs = h*w*filters ('same' padding, stride 1); conv: (k*k*c)*filters + filters.",
        )
    return passed(ex)


def _call_quietly(fn, args, kwargs, *, what: str):
    """Like :func:`call`, but names the call by ``what`` instead of printing whole arrays."""
    if not callable(fn):
        fail(f"{what}: expected a function, got {type(fn).__name__}.")
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        fail(f"{what}: not implemented yet.", "replace the `raise NotImplementedError` line.")
    except CheckFailed:
        raise
    except Exception as exc:  # the learner's bug: report it as feedback, not as a crash
        fail(
            f"{what} raised {type(exc).__name__}: {exc}",
            "this neuron's receptive field fits inside x; raise ValueError only when it does not.",
        )


def check_neuron_output(fn) -> str:
    """Exercise 6: ``neuron_output(x, w, b, i, j, stride=1)``: Equation 14-1 for all maps."""
    import numpy as np

    from helpers.conv import conv2d

    ex = "neuron_output"
    # A case small enough to do by hand: a 3x3 input, one 2x2 filter of ones, bias 0.5.
    x_hand = np.arange(9, dtype=np.float64).reshape(3, 3, 1)
    w_hand = np.ones((2, 2, 1, 1))
    cases = [(x_hand, w_hand, np.array([0.5]), 1, 1, 1, "by hand: 4 + 5 + 7 + 8 + 0.5 = 24.5")]
    rng = np.random.default_rng(404)
    for shape, kshape, stride, (i, j) in [
        ((6, 7, 3), (3, 3, 3, 2), 1, (2, 4)),
        ((11, 13, 3), (3, 4, 3, 4), (2, 3), (3, 2)),
        ((9, 9, 5), (5, 5, 5, 3), 2, (2, 0)),
        ((8, 10, 2), (2, 3, 2, 6), (3, 1), (0, 7)),
    ]:
        x = rng.normal(size=shape)
        w = rng.normal(size=kshape)
        b = rng.normal(size=kshape[-1])
        cases.append((x, w, b, i, j, stride, "random input"))

    for x, w, b, i, j, stride, note in cases:
        what = f"{ex}(x{x.shape}, w{w.shape}, b{b.shape}, i={i}, j={j}, stride={stride!r}) [{note}]"
        copies = (x.copy(), w.copy(), b.copy())
        got = _call_quietly(fn, (x, w, b, i, j), {"stride": stride}, what=what)
        if not all(np.array_equal(a, c) for a, c in zip((x, w, b), copies, strict=True)):
            fail(f"{what}: your function changed its input arrays.", "work on copies.")
        if type(got) is not np.ndarray:
            fail(
                f"{what}: expected a NumPy array, got {type(got).__name__}.",
                "return the outputs of all feature maps at (i, j) as an array of shape (C_out,).",
            )
        if got.shape != (w.shape[-1],):
            fail(
                f"{what}: expected shape {(w.shape[-1],)}, got {got.shape}.",
                "one value per filter (feature map): shape (C_out,), not one number or a map.",
            )
        if got.dtype.kind != "f":
            fail(
                f"{what}: expected a float array, got dtype {got.dtype}.",
                "start from np.array(b, dtype=np.float64).",
            )
        expected = conv2d(x, w, b, stride=stride)[i, j, :].astype(np.float64)
        diff = np.abs(got.astype(np.float64) - expected)
        scale = 1.0 + float(np.abs(expected).max())
        if not float(diff.max()) <= 1e-6 * scale:  # `not <=` also rejects NaN
            k = int(np.nanargmax(np.where(np.isnan(diff), np.inf, diff)))
            fail(
                f"{what}: map {k} expected {expected[k]:.6g}, got {got[k]:.6g}.",
                "z[k] = b[k] + sum over u, v, k' of x[i*s_h + u, j*s_w + v, k'] * w[u, v, k', k]; "
                "check the stride (rows use s_h, columns s_w) and that the bias is added once.",
            )
    x, w, b = cases[1][:3]
    for bad_i, bad_j, stride in [(5, 0, 1), (0, 6, 2), (-1, 0, 1), (0, 4, (1, 2))]:
        expect_raises(
            lambda i, j, s: fn(x, w, b, i, j, s),
            bad_i,
            bad_j,
            stride,
            exercise=f"{ex}(x(6, 7, 3), w(3, 3, 3, 2), b, i, j, stride) with (i, j, stride) =",
            hint="the field must fit: i*s_h + f_h <= H and j*s_w + f_w <= W, and i, j >= 0.",
        )
    return passed(ex)
