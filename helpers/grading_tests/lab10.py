"""Hidden tests of lab 10 (data augmentation): 2 points per exercise.

Self-contained (see ``helpers/grading_tests/__init__.py``): exact type checks, then plain
Python arithmetic on ``.tolist()`` copies, on inputs the public checks do not use.
"""

import importlib.util as _ilu
from pathlib import Path as _Path

_spec = _ilu.spec_from_file_location("_hidden_common", _Path(__file__).with_name("_common.py"))
_common = _ilu.module_from_spec(_spec)
_spec.loader.exec_module(_common)  # by path, never through `helpers`: see _common.py
Failed = _common.Failed
_np = _common.np
_call = _common.call
_expect_value_error = _common.expect_value_error


def _flat(values):
    if isinstance(values, list):
        out = []
        for v in values:
            out.extend(_flat(v))
        return out
    return [values]


def _shape_of(nested):
    shape = []
    while isinstance(nested, list):
        shape.append(len(nested))
        nested = nested[0] if nested else None
    return tuple(shape)


def _expect_array(got, expected_nested, kinds, what, tol=1e-9):
    """``got`` must be exactly an ndarray with the nested list's shape and values."""
    np = _np()
    if type(got) is not np.ndarray:
        raise Failed(f"{what}: expected a numpy.ndarray, got {type(got).__name__}")
    shape = _shape_of(expected_nested)
    if tuple(got.shape) != shape:
        raise Failed(f"{what}: expected shape {shape}, got {tuple(got.shape)}")
    if got.dtype.kind not in kinds:
        raise Failed(f"{what}: wrong dtype {got.dtype}")
    values, wanted = _flat(got.tolist()), _flat(expected_nested)
    for v, e in zip(values, wanted, strict=True):
        if type(v) not in (int, float):
            raise Failed(f"{what}: unexpected value type {type(v).__name__}")
        d = float(v) - e
        if not (-tol <= d <= tol):  # False for NaN
            raise Failed(f"{what}: wrong values (expected {e}, got {v})")


def _grid(h, w, c=None, *, mod=17):
    if c is None:
        return [[(5 * r + 3 * k) % mod for k in range(w)] for r in range(h)]
    return [[[(5 * r + 3 * k + 7 * ch) % mod for ch in range(c)] for k in range(w)]
            for r in range(h)]  # fmt: skip


def test_hflip(fn):
    np = _np()
    for rows, dtype in [(_grid(3, 5), np.int64), (_grid(4, 6, 3), np.uint8),
                        (_grid(2, 3, 2), np.float32)]:  # fmt: skip
        arr = np.array(rows, dtype=dtype)
        what = f"hflip(image of shape {arr.shape}, {arr.dtype})"
        got = _call(fn, arr, what=what)
        _expect_array(got, [list(reversed(r)) for r in rows], "iuf", what)
        if got.dtype != arr.dtype:
            raise Failed(f"{what}: the dtype changed to {got.dtype}")
        if arr.tolist() != rows:
            raise Failed(f"{what} changed its input")
        if np.shares_memory(got, arr):
            raise Failed(f"{what} returned a view of its input")
    _expect_value_error(fn, np.zeros((1, 3, 3, 1)), what="hflip(a 4-D batch)")


def _shift_expected(rows, dx, dy, fill):
    h, w = len(rows), len(rows[0])
    pixel = rows[0][0]
    filler = [fill] * len(pixel) if isinstance(pixel, list) else fill
    out = []
    for r in range(h):
        line = []
        for c in range(w):
            sr, sc = r - dy, c - dx
            line.append(rows[sr][sc] if 0 <= sr < h and 0 <= sc < w else filler)
        out.append(line)
    return out


def test_shift_image(fn):
    np = _np()
    base = _grid(5, 6, mod=23)
    colour = _grid(4, 3, 2)
    cases = [
        (base, np.int64, 1, 2, 0), (base, np.uint8, -2, 1, 255), (base, np.float64, 4, -3, 0.5),
        (base, np.int32, 0, 5, 1), (base, np.int64, -7, 0, 3), (colour, np.float32, 1, -1, 0.0),
    ]  # fmt: skip
    for rows, dtype, dx, dy, fill in cases:
        arr = np.array(rows, dtype=dtype)
        what = f"shift_image(image of shape {arr.shape}, {arr.dtype}, {dx}, {dy}, fill={fill})"
        got = _call(fn, arr.copy(), dx, dy, fill=fill, what=what)
        _expect_array(got, _shift_expected(rows, dx, dy, fill), "iuf", what, tol=1e-6)
        if got.dtype != arr.dtype:
            raise Failed(f"{what}: the dtype changed to {got.dtype}")


def test_add_gaussian_noise(fn):
    np = _np()
    img = [[((3 * r + 2 * c) % 10) / 9 for c in range(7)] for r in range(4)]
    for sigma, seed in [(0.05, 11), (0.5, 12), (0.0, 13)]:
        arr = np.array(img)
        what = f"add_gaussian_noise(image of shape (4, 7), {sigma}, rng=default_rng({seed}))"
        got = _call(fn, arr, sigma, np.random.default_rng(seed), what=what)
        noise = np.random.default_rng(seed).normal(0.0, sigma, size=(4, 7)).tolist()
        expected = [[min(1.0, max(0.0, img[r][c] + noise[r][c])) for c in range(7)]
                    for r in range(4)]  # fmt: skip
        _expect_array(got, expected, "f", what, tol=1e-9)
    _expect_value_error(fn, np.array(img), -1.0, np.random.default_rng(0),
                        what="add_gaussian_noise(sigma=-1)")  # fmt: skip


def test_mixup(fn):
    np = _np()
    x1, x2 = _grid(3, 4, mod=13), _grid(3, 4, mod=7)
    for lam, (c1, c2), dtype in [(0.35, (2, 6), np.uint8), (0.9, (4, 4), np.float64),
                                 (0.5, (0, 3), np.int64)]:  # fmt: skip
        y1 = [1.0 if k == c1 else 0.0 for k in range(7)]
        y2 = [1.0 if k == c2 else 0.0 for k in range(7)]
        what = f"mixup(x1, class {c1}, x2, class {c2}, lam={lam})"
        got = _call(fn, np.array(x1, dtype=dtype), np.array(y1), np.array(x2, dtype=dtype),
                    np.array(y2), lam, what=what)  # fmt: skip
        if type(got) is not tuple or len(got) != 2:
            raise Failed(f"{what}: expected a tuple (x, y)")
        ex = [[lam * a + (1 - lam) * b for a, b in zip(r1, r2, strict=True)]
              for r1, r2 in zip(x1, x2, strict=True)]  # fmt: skip
        ey = [lam * a + (1 - lam) * b for a, b in zip(y1, y2, strict=True)]
        _expect_array(got[0], ex, "f", f"{what}: the image", tol=1e-5)
        _expect_array(got[1], ey, "f", f"{what}: the label", tol=1e-9)
    a, y = np.zeros((2, 2)), np.array([1.0, 0.0])
    _expect_value_error(fn, a, y, a, y, 2.0, what="mixup(lam=2.0)")
    _expect_value_error(fn, a, y, np.zeros((2, 3)), y, 0.5, what="mixup(images of two shapes)")
    _expect_value_error(fn, a, y, a, np.array([0.0, 0.0, 1.0]), 0.5,
                        what="mixup(labels of two shapes)")  # fmt: skip


def test_tta_average(fn):
    np = _np()
    k, n, c = 3, 4, 5
    probs = []
    for i in range(k):
        rows = []
        for j in range(n):
            raw = [float(1 + (i * 7 + j * 3 + m * 5) % 9) for m in range(c)]
            total = sum(raw)
            rows.append([v / total for v in raw])
        probs.append(rows)
    for count in (1, 2, 3):
        what = f"tta_average(list of {count} arrays of shape ({n}, {c}))"
        got = _call(fn, [np.array(p) for p in probs[:count]], what=what)
        expected = [[sum(probs[i][j][m] for i in range(count)) / count for m in range(c)]
                    for j in range(n)]  # fmt: skip
        _expect_array(got, expected, "f", what, tol=1e-9)
    _expect_value_error(fn, [], what="tta_average([])")
    _expect_value_error(fn, [np.array(probs[0]), np.array(probs[1])[:2]],
                        what="tta_average(arrays of two shapes)")  # fmt: skip


def test_build_augmentation(fn):
    import keras

    np = _np()
    model = _call(fn, what="build_augmentation()")
    if not isinstance(model, keras.Sequential):
        raise Failed(
            f"build_augmentation(): expected a keras.Sequential, got {type(model).__name__}"
        )
    kinds = sorted(type(layer).__name__ for layer in model.layers)
    if kinds != ["RandomFlip", "RandomRotation", "RandomTranslation", "RandomZoom"]:
        raise Failed(f"build_augmentation(): wrong layers {kinds}")
    by = {type(layer).__name__: layer for layer in model.layers}
    f = by["RandomRotation"].factor
    lo, hi = (float(f[0]), float(f[1])) if isinstance(f, tuple | list) else (-float(f), float(f))
    if not (-1e-9 <= lo + 0.05 <= 1e-9 and -1e-9 <= hi - 0.05 <= 1e-9):
        raise Failed(f"build_augmentation(): RandomRotation range ({lo}, {hi}), expected ±0.05")
    t = by["RandomTranslation"]
    for v in (t.height_lower, t.width_lower, -t.height_upper, -t.width_upper):
        if not -1e-9 <= float(v) + 0.1 <= 1e-9:
            raise Failed("build_augmentation(): RandomTranslation should allow ±0.1")
    z = by["RandomZoom"]
    if not (
        -1e-9 <= float(z.height_lower) + 0.2 <= 1e-9
        and -1e-9 <= float(z.height_upper) - 0.2 <= 1e-9
    ):
        raise Failed("build_augmentation(): RandomZoom should allow ±0.2")
    if z.width_factor is not None and not (
        -1e-9 <= float(z.width_lower) + 0.2 <= 1e-9 and -1e-9 <= float(z.width_upper) - 0.2 <= 1e-9
    ):
        raise Failed("build_augmentation(): RandomZoom width should allow ±0.2")
    if by["RandomFlip"].mode != "horizontal":
        raise Failed("build_augmentation(): RandomFlip should be horizontal only")
    for name in ("RandomRotation", "RandomTranslation", "RandomZoom"):
        if by[name].fill_mode != "nearest":
            raise Failed(f"build_augmentation(): {name} should use fill_mode='nearest'")
    x = np.linspace(0, 1, 2 * 12 * 12 * 1, dtype="float32").reshape(2, 12, 12, 1)
    same = keras.ops.convert_to_numpy(model(x, training=False))
    if type(same) is not np.ndarray or same.tolist() != x.tolist():
        raise Failed("build_augmentation(): training=False must return the images unchanged")


QUESTIONS = [
    ("hflip", 2, test_hflip),
    ("shift_image", 2, test_shift_image),
    ("add_gaussian_noise", 2, test_add_gaussian_noise),
    ("mixup", 2, test_mixup),
    ("tta_average", 2, test_tta_average),
    ("build_augmentation", 2, test_build_augmentation),
]
