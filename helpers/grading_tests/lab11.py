"""Hidden tests of lab 11 (training): 2 points per exercise, 1 per initializer function.

Self-contained (see ``helpers/grading_tests/__init__.py``): exact type checks, then plain
Python arithmetic (``**`` instead of ``math.sqrt``, literal expected values for the cosine),
on inputs the public checks do not use.
"""

import importlib.util as _ilu
from pathlib import Path as _Path

_spec = _ilu.spec_from_file_location("_hidden_common", _Path(__file__).with_name("_common.py"))
_common = _ilu.module_from_spec(_spec)
_spec.loader.exec_module(_common)  # by path, never through `helpers`: see _common.py
Failed = _common.Failed
_np = _common.np
_exact_type_in = _common.exact_type_in
_as_int = _common.as_int
_call = _common.call
_expect_value_error = _common.expect_value_error


def _as_float(got, what):
    if type(got) is float or _exact_type_in(got, _common.NP_FLOATS):
        return float(got)
    raise Failed(f"{what}: expected a float, got {type(got).__name__}")


def _close(a, b, tol):
    d = a - b
    d = -d if d < 0 else d
    s = -b if b < 0 else b
    return d <= tol * s + 1e-15  # False for NaN


def _expect_float(fn, args, kwargs, expected, what, tol=1e-9):
    got = _as_float(_call(fn, *args, what=what, **kwargs), what)
    if not _close(got, expected, tol):
        raise Failed(f"{what}: expected {expected!r}, got {got!r}")


def test_power_schedule(fn):
    for step, eta0, k in [(0, 0.05, 10), (10, 0.05, 10), (45, 0.3, 15), (999, 0.001, 1),
                          (12, 2.0, 1000), (250, 0.1, 50)]:  # fmt: skip
        _expect_float(fn, (step, eta0, k), {}, eta0 / (1 + step / k),
                      f"power_schedule({step}, {eta0}, {k})")  # fmt: skip


def test_exponential_schedule(fn):
    cases = [
        ((0, 0.3, 0.5, 10), {}), ((10, 0.3, 0.5, 10), {}), ((15, 0.3, 0.5, 10), {}),
        ((15, 0.3, 0.5, 10), {"staircase": True}), ((29, 1.0, 0.9, 10), {"staircase": True}),
        ((30, 1.0, 0.9, 10), {"staircase": True}), ((777, 0.01, 0.96, 100), {}),
        ((777, 0.01, 0.96, 100), {"staircase": False}),
    ]  # fmt: skip
    for (step, eta0, rate, s), kwargs in cases:
        p = step // s if kwargs.get("staircase") else step / s
        _expect_float(fn, (step, eta0, rate, s), kwargs, eta0 * rate**p,
                      f"exponential_schedule({step}, {eta0}, {rate}, {s}, {kwargs})")  # fmt: skip


_ONE_CYCLE = [
    ((0, 500, 0.05), {}, 0.002),
    ((60, 500, 0.05), {}, 0.02504),
    ((125, 500, 0.05), {}, 0.05),
    ((300, 500, 0.05), {}, 0.02763559837010965),
    ((499, 500, 0.05), {}, 5.087641574494669e-05),
    ((800, 500, 0.05), {}, 5e-05),
    ((7, 40, 2.0), {"warmup_fraction": 0.1}, 1.9659599004627792),
    ((20, 40, 2.0), {"warmup_fraction": 0.1}, 1.1744745294892636),
    ((10, 60, 0.3), {"start_div": 5.0, "final_div": 50.0}, 0.22),
    ((45, 60, 0.3), {"start_div": 5.0, "final_div": 50.0}, 0.07950000000000003),
]


def test_one_cycle_lr(fn):
    for args, kwargs, expected in _ONE_CYCLE:
        _expect_float(fn, args, kwargs, expected, f"one_cycle_lr{args} {kwargs}", tol=1e-7)


def _bad_fans(fn, arity, name):
    bad = [(-1,), (0,), (3.5,), (False,)] if arity == 1 else [(0, 5), (5, 0), (1.5, 2), (4, -4)]
    for args in bad:
        _expect_value_error(fn, *args, what=f"{name}{args}")


def test_glorot_limit(fn):
    for fan_in, fan_out in [(300, 100), (27, 576), (2, 1), (1024, 1024), (5 * 5 * 3, 5 * 5 * 6)]:
        _expect_float(fn, (fan_in, fan_out), {}, (6 / (fan_in + fan_out)) ** 0.5,
                      f"glorot_limit({fan_in}, {fan_out})")  # fmt: skip
    _bad_fans(fn, 2, "glorot_limit")


def test_he_normal_std(fn):
    for fan_in in [300, 27, 2, 1152, 5 * 5 * 6]:
        _expect_float(fn, (fan_in,), {}, (2 / fan_in) ** 0.5, f"he_normal_std({fan_in})")
    _bad_fans(fn, 1, "he_normal_std")


def test_batchnorm_params(fn):
    for c in [16, 3, 128, 512, 7]:
        what = f"batchnorm_params({c})"
        got = _call(fn, c, what=what)
        if type(got) is not tuple or len(got) != 2:
            raise Failed(f"{what}: expected a tuple of two ints")
        if (_as_int(got[0], what), _as_int(got[1], what)) != (2 * c, 2 * c):
            raise Failed(f"{what}: expected {(2 * c, 2 * c)}, got {got}")
    for bad in [0, -16, 16.0]:
        _expect_value_error(fn, bad, what=f"batchnorm_params({bad!r})")


def test_leaky_relu(fn):
    np = _np()
    rows = [[-3.0, -0.25, 0.0, 0.125, 7.0], [2.5, -8.0, 1.0, -1.0, 0.5]]
    for dtype, kwargs, alpha in [("float64", {}, 0.3), ("float32", {"alpha": 0.05}, 0.05),
                                 ("int32", {"alpha": 0.5}, 0.5)]:  # fmt: skip
        arr = np.array(rows, dtype=dtype)
        before = arr.tolist()
        what = f"leaky_relu(x of dtype {dtype}, {kwargs})"
        got = _call(fn, arr, what=what, **kwargs)
        if type(got) is not np.ndarray or tuple(got.shape) != (2, 5) or got.dtype.kind != "f":
            raise Failed(f"{what}: expected a float numpy.ndarray of shape (2, 5)")
        if arr.tolist() != before:
            raise Failed(f"{what}: the input was changed")
        src = arr.tolist()
        for i, line in enumerate(got.tolist()):
            for j, v in enumerate(line):
                x = float(src[i][j])
                e = x if x > 0 else alpha * x
                if type(v) is not float or not _close(v, e, 1e-6):
                    raise Failed(f"{what}: expected {e} at ({i}, {j}), got {v}")


def test_make_callbacks(fn):
    import os
    import tempfile

    import keras

    cb = keras.callbacks
    with tempfile.TemporaryDirectory() as tmp:
        folder = _Path(tmp) / "run"
        got = _call(fn, folder, what="make_callbacks(folder)")
        if type(got) is not list or len(got) != 4:
            raise Failed("make_callbacks: expected a list of 4 callbacks")
        kinds = (cb.ModelCheckpoint, cb.EarlyStopping, cb.ReduceLROnPlateau, cb.CSVLogger)
        for item, kind in zip(got, kinds, strict=True):
            if type(item) is not kind:
                raise Failed(f"make_callbacks: expected {kind.__name__}, got {type(item).__name__}")
        ckpt, early, plateau, logger = got
        if _Path(os.fspath(ckpt.filepath)) != folder / "best.keras":
            raise Failed("make_callbacks: ModelCheckpoint path is not folder/'best.keras'")
        if _Path(os.fspath(logger.filename)) != folder / "log.csv":
            raise Failed("make_callbacks: CSVLogger path is not folder/'log.csv'")
        exact = [
            (ckpt.monitor, "val_loss"), (ckpt.save_best_only, True),
            (ckpt.save_weights_only, False), (early.monitor, "val_loss"), (early.patience, 5),
            (early.restore_best_weights, True), (plateau.monitor, "val_loss"),
            (plateau.patience, 2),
        ]  # fmt: skip
        for value, wanted in exact:
            if type(value) is not type(wanted) or value != wanted:
                raise Failed(f"make_callbacks: a setting is {value!r}, expected {wanted!r}")
        for value, wanted in [(plateau.factor, 0.2), (plateau.min_lr, 1e-5)]:
            if type(value) not in (int, float) or not _close(float(value), wanted, 1e-9):
                raise Failed(f"make_callbacks: ReduceLROnPlateau has {value!r}, expected {wanted}")


QUESTIONS = [
    ("power_schedule", 2, test_power_schedule),
    ("exponential_schedule", 2, test_exponential_schedule),
    ("one_cycle_lr", 2, test_one_cycle_lr),
    ("glorot_limit", 1, test_glorot_limit),
    ("he_normal_std", 1, test_he_normal_std),
    ("batchnorm_params", 2, test_batchnorm_params),
    ("leaky_relu", 2, test_leaky_relu),
    ("make_callbacks", 2, test_make_callbacks),
]
