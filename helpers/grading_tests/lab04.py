"""Hidden tests of lab 04 (convolutional layers): 2 points per exercise, 3 for Equation 14-1.

Self-contained (see ``helpers/grading_tests/__init__.py``): exact type checks, then plain
Python arithmetic and comparisons, on inputs the public checks do not use.
"""

import importlib.util as _ilu
from pathlib import Path as _Path

_spec = _ilu.spec_from_file_location("_hidden_common", _Path(__file__).with_name("_common.py"))
_common = _ilu.module_from_spec(_spec)
_spec.loader.exec_module(_common)  # by path, never through `helpers`: see _common.py
Failed = _common.Failed
_as_int = _common.as_int
_call = _common.call
_expect_value_error = _common.expect_value_error


def _int_tuple(got, n, what):
    if type(got) is not tuple:
        raise Failed(f"{what}: expected a tuple, got {type(got).__name__}")
    if len(got) != n:
        raise Failed(f"{what}: expected {n} numbers, got {len(got)}")
    return tuple(_as_int(g, what) for g in got)


def test_receptive_field_rows(fn):
    for i, f, s in [(2, 3, 1), (5, 4, 3), (0, 11, 2), (9, 2, 5), (1, 1, 1)]:
        what = f"receptive_field_rows({i}, {f}, stride={s})"
        got = _call(fn, i, f, stride=s, what=what)
        if type(got) is not range:
            raise Failed(f"{what}: expected a range, got {type(got).__name__}")
        if (got.start, got.stop, got.step) != (i * s, i * s + f, 1):
            raise Failed(f"{what}: expected range({i * s}, {i * s + f}), got {got!r}")
    got = _call(fn, 6, 2, what="receptive_field_rows(6, 2)")
    if type(got) is not range or (got.start, got.stop, got.step) != (6, 8, 1):
        raise Failed(f"receptive_field_rows(6, 2): expected range(6, 8), got {got!r}")
    for bad in [(-2, 3, 1), (1, 0, 2), (1, 3, 0), (1, -3, 1)]:
        _expect_value_error(fn, *bad, what=f"receptive_field_rows{bad}")


def test_conv_params(fn):
    for fh, fw, c, nf in [
        (5, 5, 1, 6),
        (5, 5, 6, 16),
        (3, 3, 64, 128),
        (1, 1, 256, 64),
        (2, 7, 3, 9),
    ]:
        what = f"conv_params({fh}, {fw}, {c}, {nf})"
        got = _as_int(_call(fn, fh, fw, c, nf, what=what), what)
        expected = fh * fw * c * nf + nf
        if got != expected:
            raise Failed(f"{what}: expected {expected}, got {got}")
        what += ", bias=False"
        got = _as_int(_call(fn, fh, fw, c, nf, bias=False, what=what), what)
        if got != fh * fw * c * nf:
            raise Failed(f"{what}: expected {fh * fw * c * nf}, got {got}")
    for bad in [(3, 0, 1, 1), (0, 3, 1, 1), (3, 3, -4, 2), (3, 3, 2, -1)]:
        _expect_value_error(fn, *bad, what=f"conv_params{bad}")


def test_conv_output_shape(fn):
    def ceil_div(a, b):
        return -(-a // b)

    cases = [
        ((32, 32, 3), 6, 5, 1, "valid"),
        ((32, 32, 3), 6, 5, 1, "same"),
        ((17, 23, 2), 5, 4, 3, "valid"),
        ((17, 23, 2), 5, 4, 3, "same"),
        ((100, 60, 8), 3, (5, 2), (4, 7), "valid"),
        ((100, 60, 8), 3, (5, 2), (4, 7), "same"),
        ((6, 6, 1), 1, 6, 2, "valid"),
    ]
    for shape, nf, k, s, pad in cases:
        what = f"conv_output_shape({shape}, {nf}, {k!r}, strides={s!r}, padding={pad!r})"
        got = _int_tuple(_call(fn, shape, nf, k, strides=s, padding=pad, what=what), 3, what)
        fh, fw = (k, k) if type(k) is int else k
        sh, sw = (s, s) if type(s) is int else s
        if pad == "same":
            expected = (ceil_div(shape[0], sh), ceil_div(shape[1], sw), nf)
        else:
            expected = ((shape[0] - fh) // sh + 1, (shape[1] - fw) // sw + 1, nf)
        if got != expected:
            raise Failed(f"{what}: expected {expected}, got {got}")
    what = "conv_output_shape((15, 9, 4), 7, 2)"
    got = _int_tuple(_call(fn, (15, 9, 4), 7, 2, what=what), 3, what)
    if got != (14, 8, 7):
        raise Failed(f"{what}: expected (14, 8, 7) with the defaults, got {got}")
    for bad in [
        ((8, 8, 1), 2, 3, 1, "causal"),
        ((3, 8, 1), 2, 4, 1, "valid"),
        ((8, 3, 1), 2, (2, 5), 1, "valid"),
    ]:
        _expect_value_error(fn, *bad, what=f"conv_output_shape{bad}")


def test_feature_map_bytes(fn):
    for shape, nbytes in [
        ((64, 64, 32), 4),
        ((10, 224, 224, 3), 1),
        ((7,), 8),
        ((3, 0), 2),
        ((2, 75, 50, 100), 2),
    ]:
        what = f"feature_map_bytes({shape}, dtype_bytes={nbytes})"
        got = _as_int(_call(fn, shape, dtype_bytes=nbytes, what=what), what)
        expected = nbytes
        for d in shape:
            expected *= d
        if got != expected:
            raise Failed(f"{what}: expected {expected}, got {got}")
    what = "feature_map_bytes((12, 10, 5))"
    if _as_int(_call(fn, (12, 10, 5), what=what), what) != 2_400:
        raise Failed(f"{what}: expected 2400 with the default dtype_bytes=4")
    for bad in [((2, -3, 4), 4), ((2, 2), -1)]:
        _expect_value_error(fn, *bad, what=f"feature_map_bytes{bad}")


def test_dense_vs_conv_params(fn):
    for (h, w, c), nf, k in [
        ((16, 16, 3), 4, 3),
        ((5, 7, 2), 3, 5),
        ((100, 100, 1), 1, 1),
        ((8, 8, 16), 32, 3),
    ]:
        what = f"dense_vs_conv_params({(h, w, c)}, {nf}, {k})"
        got = _int_tuple(_call(fn, (h, w, c), nf, k, what=what), 2, what)
        outputs = h * w * nf
        expected = (h * w * c * outputs + outputs, k * k * c * nf + nf)
        if got != expected:
            raise Failed(f"{what}: expected {expected}, got {got}")


def test_neuron_output(fn):
    import numpy as np

    rng = np.random.default_rng(2024)
    cases = [
        ((7, 9, 2), (3, 3, 2, 3), 2, (1, 3)),
        ((12, 10, 4), (4, 2, 4, 5), (3, 2), (2, 4)),
        ((5, 5, 1), (5, 5, 1, 2), 1, (0, 0)),
        ((10, 11, 3), (1, 1, 3, 4), (4, 5), (2, 2)),
    ]
    for shape, kshape, stride, (i, j) in cases:
        x = rng.integers(-5, 6, size=shape).astype(np.float64)
        w = rng.integers(-3, 4, size=kshape).astype(np.float64)
        b = rng.integers(-9, 10, size=kshape[-1]).astype(np.float64)
        sh, sw = (stride, stride) if type(stride) is int else stride
        expected = []
        for k in range(kshape[3]):
            z = float(b[k])
            for u in range(kshape[0]):
                for v in range(kshape[1]):
                    for kk in range(kshape[2]):
                        z += float(x[i * sh + u, j * sw + v, kk]) * float(w[u, v, kk, k])
            expected.append(z)
        what = f"neuron_output(x{shape}, w{kshape}, b, {i}, {j}, stride={stride!r})"
        got = _call(fn, x.copy(), w.copy(), b.copy(), i, j, stride=stride, what=what)
        if type(got) is not np.ndarray:
            raise Failed(f"{what}: expected a numpy.ndarray, got {type(got).__name__}")
        if got.shape != (kshape[3],) or got.dtype.kind != "f":
            raise Failed(
                f"{what}: expected float shape {(kshape[3],)}, got {got.dtype} {got.shape}"
            )
        for k in range(kshape[3]):
            value = float(got[k])  # integer-valued inputs: the exact answer is an integer
            diff = value - expected[k]
            if not (-1e-6 <= diff <= 1e-6):  # also rejects NaN
                raise Failed(f"{what}: map {k} expected {expected[k]}, got {value}")
    x = np.zeros((6, 6, 2))
    w = np.zeros((3, 3, 2, 1))
    b = np.zeros(1)
    for bi, bj, s in [(4, 0, 1), (0, 2, 2), (0, -1, 1), (2, 0, (2, 1))]:
        _expect_value_error(
            fn,
            x,
            w,
            b,
            bi,
            bj,
            s,
            what=f"neuron_output on 6x6, 3x3 filter, ({bi}, {bj}), stride {s}",
        )


QUESTIONS = [
    ("receptive_field_rows", 2, test_receptive_field_rows),
    ("conv_params", 2, test_conv_params),
    ("conv_output_shape", 2, test_conv_output_shape),
    ("feature_map_bytes", 2, test_feature_map_bytes),
    ("dense_vs_conv_params", 2, test_dense_vs_conv_params),
    ("neuron_output", 3, test_neuron_output),
]
