"""Hidden tests of lab 03 (convolution from scratch): 2 points per exercise.

Self-contained (see ``helpers/grading_tests/__init__.py``): the expected values are computed
here with plain Python loops over lists; results are checked for their exact type, converted
with ``ndarray.tolist()`` and compared number by number. Inputs differ from the public checks'.
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
_as_float = _common.as_float
_call = _common.call
_expect_value_error = _common.expect_value_error


def _abs(v):
    return -v if v < 0 else v


def _expect_close(got, expected, what, tol=1e-9):
    value = _as_float(got, what)
    if not _abs(value - expected) <= tol * (1 + _abs(expected)):  # `not <=` rejects NaN
        raise Failed(f"{what}: expected {expected!r}, got {value!r}")


def _grid(got, what, kinds="f"):
    """An exact ndarray of a dtype kind in ``kinds``, as a list of lists of Python numbers."""
    np = _np()
    if type(got) is not np.ndarray:
        raise Failed(f"{what}: expected a NumPy array, got {type(got).__name__}")
    if got.ndim != 2:
        raise Failed(f"{what}: expected a 2-D array, got shape {got.shape}")
    if got.dtype.kind not in kinds:
        raise Failed(f"{what}: unexpected dtype {got.dtype}")
    return got.tolist()


def _compare_grids(got_rows, expected_rows, what, tol=1e-9):
    if len(got_rows) != len(expected_rows) or any(
        len(g) != len(e) for g, e in zip(got_rows, expected_rows, strict=True)
    ):
        shape = (len(expected_rows), len(expected_rows[0]))
        raise Failed(f"{what}: expected shape {shape}")
    for r, (g_row, e_row) in enumerate(zip(got_rows, expected_rows, strict=True)):
        for c, (g, e) in enumerate(zip(g_row, e_row, strict=True)):
            g = float(g)
            if not _abs(g - e) <= tol * (1 + _abs(e)):
                raise Failed(f"{what}: at ({r}, {c}) expected {e!r}, got {g!r}")


def _rand_grid(rows, cols, seed, lo=-5, hi=5):
    """Deterministic pseudo-random integers (a linear congruential generator, no imports)."""
    state = seed
    out = []
    for _ in range(rows):
        row = []
        for _ in range(cols):
            state = (1103515245 * state + 12345) % 2**31
            row.append(lo + state % (hi - lo + 1))
        out.append(row)
    return out


def _loop_conv(image, kernel, p, s, d):
    h, w = len(image), len(image[0])
    fh, fw = len(kernel), len(kernel[0])
    padded = [[0.0] * (w + 2 * p) for _ in range(h + 2 * p)]
    for r in range(h):
        for c in range(w):
            padded[r + p][c + p] = float(image[r][c])
    out_h = (h + 2 * p - (d * (fh - 1) + 1)) // s + 1
    out_w = (w + 2 * p - (d * (fw - 1) + 1)) // s + 1
    out = []
    for r in range(out_h):
        row = []
        for c in range(out_w):
            total = 0.0
            for i in range(fh):
                for j in range(fw):
                    total += padded[r * s + i * d][c * s + j * d] * kernel[i][j]
            row.append(total)
        out.append(row)
    return out


def test_output_size(fn):
    cases = [(14, 6, "valid", 4, 1, 3), (16, 6, "same", 5, 1, 4), (11, 3, 1, 1, 1, 11),
             (227, 11, 0, 4, 1, 55), (64, 3, "same", 2, 1, 32), (15, 3, 0, 1, 3, 9),
             (17, 5, 2, 3, 1, 6), (31, 2, "valid", 2, 1, 15), (9, 4, "same", 4, 2, 3),
             (12, 3, 4, 5, 2, 4)]  # fmt: skip
    for n, f, pad, s, d, expected in cases:
        what = f"output_size({n}, {f}, padding={pad!r}, stride={s}, dilation={d})"
        got = _as_int(_call(fn, n, f, padding=pad, stride=s, dilation=d, what=what), what)
        if got != expected:
            raise Failed(f"{what}: expected {expected}, got {got}")
    bad_args = [(2, 3, 0), (6, 3, -2), (6, 3, "causal"), (6, 3, 0, -1), (6, 3, 0, 1, 4), (-1, 1, 0)]
    for bad in bad_args:
        _expect_value_error(fn, *bad, what=f"output_size{bad}")


def test_pad_image(fn):
    np = _np()
    cases = [
        (_rand_grid(3, 2, 1), 2, "int64"),
        (_rand_grid(1, 4, 2, 0, 255), 1, "uint8"),
        ([[0.25, -1.5], [2.0, 3.0]], 1, "float32"),
        (_rand_grid(2, 2, 3), 0, "int64"),
    ]
    for rows, p, dtype in cases:
        image = np.array(rows, dtype=dtype)
        what = f"pad_image({rows}, {p}) with dtype {dtype}"
        got = _call(fn, image, p, what=what)
        grid = _grid(got, what, kinds="iuf")
        if str(got.dtype) != dtype:
            raise Failed(f"{what}: dtype {got.dtype}, expected {dtype}")
        w = len(rows[0])
        expected = [[0.0] * (w + 2 * p) for _ in range(p)]
        expected += [[0.0] * p + [float(v) for v in r] + [0.0] * p for r in rows]
        expected += [[0.0] * (w + 2 * p) for _ in range(p)]
        _compare_grids(grid, expected, what)
        if image.tolist() != rows and dtype != "float32":
            raise Failed(f"{what}: the input image was changed")
    _expect_value_error(fn, np.ones((2, 2)), -3, what="pad_image(2x2, -3)")


def test_conv2d_single_channel(fn):
    np = _np()
    cases = [((6, 6), (3, 3), 1, 1, 1, 11), ((8, 7), (3, 3), 0, 2, 1, 12),
             ((10, 9), (3, 3), 1, 1, 3, 13), ((7, 10), (2, 4), 3, 2, 1, 14),
             ((9, 9), (5, 5), 2, 3, 1, 15), ((4, 6), (1, 1), 0, 1, 1, 16),
             ((11, 8), (3, 2), 0, 3, 2, 17)]  # fmt: skip
    for (h, w), (fh, fw), p, s, d, seed in cases:
        image = _rand_grid(h, w, seed, 0, 9)
        kernel = _rand_grid(fh, fw, seed + 100)
        kernel[0][0] = 7  # asymmetric
        what = (
            f"conv2d_single_channel({h}x{w} image, {fh}x{fw} kernel, padding={p}, "
            f"stride={s}, dilation={d})"
        )
        got = _call(fn, np.array(image, dtype=float), np.array(kernel, dtype=float), padding=p,
                    stride=s, dilation=d, what=what)  # fmt: skip
        _compare_grids(_grid(got, what), _loop_conv(image, kernel, p, s, d), what)
    image = [[255, 255, 255], [255, 255, 255], [255, 255, 255]]
    what = "conv2d_single_channel(uint8 3x3 image of 255, 3x3 kernel of ones)"
    got = _call(fn, np.array(image, dtype="uint8"), np.ones((3, 3)), what=what)
    _compare_grids(_grid(got, what), [[2295.0]], what)


def test_flip_kernel(fn):
    np = _np()
    for rows in ([[1, 2], [3, 4]], [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]],
                 [[0.5], [-1.0], [2.0]], _rand_grid(5, 5, 7)):  # fmt: skip
        kernel = np.array(rows, dtype=float)
        what = f"flip_kernel({rows})"
        got = _call(fn, kernel, what=what)
        expected = [[float(v) for v in reversed(r)] for r in reversed(rows)]
        _compare_grids(_grid(got, what, kinds="iuf"), expected, what)
        if kernel.tolist() != [[float(v) for v in r] for r in rows]:
            raise Failed(f"{what}: the input kernel was changed")
        got[0, 0] = 1e9
        if kernel.tolist() != [[float(v) for v in r] for r in rows]:
            raise Failed(f"{what}: the result is a view of the input; return a new array")


def test_multichannel_pixel(fn):
    np = _np()
    for (h, w, c), bias, seed in [((3, 3, 3), 2.5, 21), ((2, 2, 2), -1, 22), ((4, 4, 5), 0.0, 23),
                                  ((3, 3, 1), 10, 24)]:  # fmt: skip
        win = [[_rand_grid(1, c, seed * 1000 + r * 10 + q)[0] for q in range(w)] for r in range(h)]
        ker = [[_rand_grid(1, c, seed * 2000 + r * 10 + q)[0] for q in range(w)] for r in range(h)]
        expected = float(bias)
        for r in range(h):
            for q in range(w):
                for k in range(c):
                    expected += win[r][q][k] * ker[r][q][k]
        what = f"multichannel_pixel({h}x{w}x{c} window, bias={bias})"
        got = _call(fn, np.array(win, dtype=float), np.array(ker, dtype=float), bias, what=what)
        if not (type(got) is float or _exact_type_in(got, _NP_FLOATS)):
            raise Failed(f"{what}: expected a float, got {type(got).__name__}")
        _expect_close(got, expected, what)
    _expect_value_error(fn, np.ones((3, 3, 3)), np.ones((3, 3, 1)), 0.0,
                        what="multichannel_pixel(3x3x3 window, 3x3x1 kernel)")  # fmt: skip


def test_sobel_magnitude(fn):
    np = _np()
    sx = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    sy = [[1, 2, 1], [0, 0, 0], [-1, -2, -1]]
    diagonal = [[10.0 if c > r else 0.0 for c in range(6)] for r in range(6)]
    for rows, name in [(_rand_grid(5, 8, 41, 0, 255), "random 5x8"), (diagonal, "diagonal edge"),
                       (_rand_grid(3, 3, 42), "3x3")]:  # fmt: skip
        gx = _loop_conv(rows, sx, 0, 1, 1)
        gy = _loop_conv(rows, sy, 0, 1, 1)
        expected = [[(a * a + b * b) ** 0.5 for a, b in zip(ra, rb, strict=True)]
                    for ra, rb in zip(gx, gy, strict=True)]  # fmt: skip
        what = f"sobel_magnitude({name})"
        got = _call(fn, np.array(rows, dtype=float), what=what)
        _compare_grids(_grid(got, what), expected, what)


QUESTIONS = [
    ("output_size", 2, test_output_size),
    ("pad_image", 2, test_pad_image),
    ("conv2d_single_channel", 2, test_conv2d_single_channel),
    ("flip_kernel", 2, test_flip_kernel),
    ("multichannel_pixel", 2, test_multichannel_pixel),
    ("sobel_magnitude", 2, test_sobel_magnitude),
]
