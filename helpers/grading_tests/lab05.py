"""Hidden tests of lab 05 (pooling): 2 points per exercise.

Self-contained (see ``helpers/grading_tests/__init__.py``): exact type checks, then plain
Python arithmetic on ``.tolist()`` copies, on inputs the public checks do not use.
"""

import importlib.util as _ilu
from pathlib import Path as _Path

_spec = _ilu.spec_from_file_location("_hidden_common", _Path(__file__).with_name("_common.py"))
_common = _ilu.module_from_spec(_spec)
_spec.loader.exec_module(_common)  # by path, never through `helpers`: see _common.py
Failed = _common.Failed
_NP_FLOATS = _common.NP_FLOATS
_np = _common.np
_exact_type_in = _common.exact_type_in
_as_int = _common.as_int
_call = _common.call
_expect_value_error = _common.expect_value_error


def _as_float(got, what):
    if type(got) is float or _exact_type_in(got, _NP_FLOATS):
        return float(got)
    raise Failed(f"{what}: expected a float, got {type(got).__name__}")


def _close(a, b, tol):
    d = a - b
    d = -d if d < 0 else d
    s = -b if b < 0 else b
    return d <= tol * (1 + s)  # False for NaN


def _flat(values):
    if isinstance(values, list):
        out = []
        for v in values:
            out.extend(_flat(v))
        return out
    return [values]


def _expect_array(got, expected_nested, shape, kinds, what, tol=1e-9):
    """`expected_nested`: nested Python lists of floats with the given shape."""
    np = _np()
    if type(got) is not np.ndarray:
        raise Failed(f"{what}: expected a numpy.ndarray, got {type(got).__name__}")
    if tuple(got.shape) != tuple(shape):
        raise Failed(f"{what}: expected shape {tuple(shape)}, got {tuple(got.shape)}")
    if got.dtype.kind not in kinds:
        raise Failed(f"{what}: wrong dtype {got.dtype}")
    values = _flat(got.tolist())
    wanted = _flat(expected_nested)
    if len(values) != len(wanted):
        raise Failed(f"{what}: wrong number of values")
    for v, e in zip(values, wanted, strict=True):
        if type(v) not in (int, float) or not _close(float(v), e, tol):
            raise Failed(f"{what}: expected {expected_nested}, got {got.tolist()}")


def _pool_ref(rows, size, stride, op):
    h, w = len(rows), len(rows[0])
    oh, ow = (h - size) // stride + 1, (w - size) // stride + 1
    out = []
    for i in range(oh):
        line = []
        for j in range(ow):
            window = [float(rows[r][c]) for r in range(i * stride, i * stride + size)
                      for c in range(j * stride, j * stride + size)]  # fmt: skip
            line.append(max(window) if op == "max" else sum(window) / len(window))
        out.append(line)
    return out, (oh, ow)


def _pool_inputs():
    np = _np()
    a = [[5, 1, 0, 2, 8, 3], [2, 9, 4, 4, 1, 0], [7, 7, 3, 6, 2, 2], [0, 1, 5, 9, 9, 4],
         [3, 3, 3, 1, 0, 6]]  # fmt: skip
    b = [[-4.5, -1.25, -3.0, -8.0], [-2.0, -6.5, -0.5, -7.0], [-9.0, -3.5, -1.0, -2.75]]
    c = [[(7 * r + 3 * col) % 11 for col in range(10)] for r in range(8)]
    return [
        (np.array(a, dtype=np.int64), a, {}, 2, 2),
        (np.array(a, dtype=np.uint8), a, {"size": 3, "stride": 1}, 3, 1),
        (np.array(b), b, {"size": 2, "stride": 1}, 2, 1),
        (np.array(c, dtype=np.float32), c, {"size": 3, "stride": 3}, 3, 3),
        (np.array(c, dtype=np.int32), c, {"size": 4, "stride": 2}, 4, 2),
    ]


def _test_pool(fn, name, op, kinds):
    for arr, rows, kwargs, size, stride in _pool_inputs():
        what = f"{name}(x of shape {arr.shape}, {kwargs})"
        expected, shape = _pool_ref(rows, size, stride, op)
        got = _call(fn, arr.copy(), what=what, **kwargs)
        _expect_array(got, expected, shape, kinds, what, tol=1e-6)


def test_pool_output_size(fn):
    valid = [(32, 2, 2), (31, 3, 2), (224, 3, 2), (7, 7, 1), (100, 5, 3), (13, 2, 1)]
    for n, f, s in valid:
        what = f"pool_output_size({n}, {f}, {s})"
        got = _as_int(_call(fn, n, f, s, what=what), what)
        if got != (n - f) // s + 1:
            raise Failed(f"{what}: expected {(n - f) // s + 1}, got {got}")
    for n, f, s in [(31, 2, 2), (13, 5, 3), (224, 3, 1), (1, 3, 2)]:
        what = f"pool_output_size({n}, {f}, {s}, 'same')"
        got = _as_int(_call(fn, n, f, s, "same", what=what), what)
        if got != -(-n // s):
            raise Failed(f"{what}: expected {-(-n // s)}, got {got}")
    for bad in [(8, 0, 2), (8, 2, -1), (2, 3, 1), (8, 2, 2, "causal")]:
        _expect_value_error(fn, *bad, what=f"pool_output_size{bad}")


def test_max_pool2d(fn):
    _test_pool(fn, "max_pool2d", "max", "fiu")


def test_avg_pool2d(fn):
    _test_pool(fn, "avg_pool2d", "avg", "f")


def test_fraction_dropped(fn):
    cases = [
        ((32, 32, 16), {}, 2, 2), ((31, 45, 3), {}, 2, 2),
        ((20, 20, 8), {"size": 2, "stride": 1}, 2, 1),
        ((227, 227, 3), {"size": 3, "stride": 2}, 3, 2), ((12, 10, 5), {"size": 4}, 4, 4),
    ]  # fmt: skip
    for shape, kwargs, f, s in cases:
        what = f"fraction_dropped({shape}, {kwargs})"
        h, w = shape[0], shape[1]
        oh, ow = (h - f) // s + 1, (w - f) // s + 1
        expected = 1 - (oh * ow) / (h * w)
        got = _as_float(_call(fn, shape, what=what, **kwargs), what)
        if not _close(got, expected, 1e-12):
            raise Failed(f"{what}: expected {expected!r}, got {got!r}")


def test_global_average_pool(fn):
    np = _np()
    x = [[[r + c, (r * c) % 5, 250, -r] for c in range(6)] for r in range(3)]
    for arr in (np.array(x, dtype=np.int64), np.array(x, dtype=np.float32)):
        what = f"global_average_pool(x of shape {arr.shape}, dtype {arr.dtype})"
        expected = [sum(x[r][c][k] for r in range(3) for c in range(6)) / 18 for k in range(4)]
        _expect_array(_call(fn, arr, what=what), expected, (4,), "f", what, tol=1e-6)
    big = np.full((9, 9, 2), 255, dtype=np.uint8)  # sums must not wrap around in uint8
    _expect_array(_call(fn, big, what="global_average_pool(uint8 255s)"), [255.0, 255.0], (2,),
                  "f", "global_average_pool(uint8 array of 255s)")  # fmt: skip
    _expect_value_error(fn, np.zeros((5, 5)), what="global_average_pool(2-D array)")


def test_depthwise_max_pool(fn):
    np = _np()
    x = [[[((3 * r + 5 * c + 7 * k) % 13) - 6 for k in range(6)] for c in range(3)]
         for r in range(2)]  # fmt: skip
    arr = np.array(x, dtype=np.float64)
    for k in (1, 2, 3, 6):
        what = f"depthwise_max_pool(x of shape (2, 3, 6), {k})"
        expected = [[[max(x[r][c][g * k:(g + 1) * k]) for g in range(6 // k)] for c in range(3)]
                    for r in range(2)]  # fmt: skip
        _expect_array(_call(fn, arr, k, what=what), expected, (2, 3, 6 // k), "fiu", what)
    _expect_value_error(fn, arr, 5, what="depthwise_max_pool(6 channels, 5)")
    _expect_value_error(fn, arr, -2, what="depthwise_max_pool(6 channels, -2)")


QUESTIONS = [
    ("pool_output_size", 2, test_pool_output_size),
    ("max_pool2d", 2, test_max_pool2d),
    ("avg_pool2d", 2, test_avg_pool2d),
    ("fraction_dropped", 2, test_fraction_dropped),
    ("global_average_pool", 2, test_global_average_pool),
    ("depthwise_max_pool", 2, test_depthwise_max_pool),
]
