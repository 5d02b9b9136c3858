"""Hidden tests of lab 07 (LeNet-5): 2 points per exercise, 3 for the Keras model.

Self-contained (see ``helpers/grading_tests/__init__.py``): exact type checks, then plain
Python arithmetic on ``.tolist()`` copies, on inputs the public checks do not use (a 36×36×2
input with 7 classes, a 48×32×3 one, other layer sizes).
"""

import importlib.util as _ilu
from pathlib import Path as _Path

_spec = _ilu.spec_from_file_location("_hidden_common", _Path(__file__).with_name("_common.py"))
_common = _ilu.module_from_spec(_spec)
_spec.loader.exec_module(_common)  # by path, never through `helpers`: see _common.py
Failed = _common.Failed
_np = _common.np
_as_int = _common.as_int
_call = _common.call
_expect_value_error = _common.expect_value_error


def _expect_ints(fn, name, cases, bad):
    for args, kwargs, expected in cases:
        what = f"{name}{args}" + "".join(f", {k}={v!r}" for k, v in kwargs.items())
        got = _as_int(_call(fn, *args, what=what, **kwargs), what)
        if got != expected:
            raise Failed(f"{what}: expected {expected}, got {got}")
    for args in bad:
        _expect_value_error(fn, *args, what=f"{name}{args}")


def test_conv_params(fn):
    cases = [((5, 2, 6), {}, 306), ((3, 16, 32), {}, 4640), ((11, 3, 96), {}, 34944),
             ((3, 64, 64), {"bias": False}, 36864), ((1, 1, 1), {}, 2),
             ((5, 6, 16), {"bias": True}, 2416)]  # fmt: skip
    _expect_ints(fn, "conv_params", cases, [(0, 1, 1), (3, -1, 4), (3, 4, 0)])


def test_dense_params(fn):
    cases = [((480, 84), {}, 40404), ((2450, 500), {}, 1225500), ((84, 7), {}, 595),
             ((100, 10), {"bias": False}, 1000), ((3, 2), {}, 8)]  # fmt: skip
    _expect_ints(fn, "dense_params", cases, [(0, 5), (7, -1)])


def test_conv_output_size(fn):
    cases = [((36, 5), {}, 32), ((64, 3, 2), {}, 31), ((64, 3, 2, "same"), {}, 32),
             ((7, 7), {}, 1), ((100, 10, 10), {}, 10), ((15, 4, 3), {"padding": "same"}, 5),
             ((17, 2, 2), {"padding": "valid"}, 8)]  # fmt: skip
    _expect_ints(fn, "conv_output_size", cases, [(3, 4), (5, 2, -1), (5, 2, 1, "full"), (0, 1)])


def test_lenet_param_table(fn):
    keys = ["c1", "c3", "c5", "f6", "output"]
    cases = [
        (((36, 36, 2), 7), [306, 2416, 48120, 40404, 595]),
        (((48, 32, 3), 3), [456, 2416, 48120, 50484, 255]),
        ((), [156, 2416, 48120, 10164, 850]),
    ]
    for args, expected in cases:
        what = f"lenet_param_table{args}"
        got = _call(fn, *args, what=what)
        if type(got) is not dict or list(got) != keys:
            raise Failed(f"{what}: expected a dict with keys {keys} in order")
        values = [_as_int(got[k], f"{what}[{k!r}]") for k in keys]
        if values != expected:
            raise Failed(f"{what}: expected {dict(zip(keys, expected, strict=True))}, got {got}")
    _expect_value_error(fn, (20, 20, 1), 10, what="lenet_param_table((20, 20, 1), 10)")


def test_pad_to_32(fn):
    np = _np()
    rng = np.random.default_rng(2024)
    x = rng.integers(0, 256, size=(2, 28, 28)).astype(np.uint8)
    x[:, 0, :] = 255  # a bright first row: its place shows whether the digit is centred
    rows = x.tolist()
    for given in (x.copy(), x.copy()[..., None]):
        before = given.tolist()
        got = _call(fn, given, what="pad_to_32(uint8 batch)")
        if type(got) is not np.ndarray or tuple(got.shape) != (2, 32, 32, 1):
            raise Failed("pad_to_32: expected a numpy.ndarray of shape (2, 32, 32, 1)")
        if str(got.dtype) != "float32":
            raise Failed(f"pad_to_32: expected float32, got {got.dtype}")
        values = got.tolist()
        for n in range(2):
            for i in range(32):
                for j in range(32):
                    inside = 2 <= i < 30 and 2 <= j < 30
                    want = rows[n][i - 2][j - 2] / 255.0 if inside else 0.0
                    d = values[n][i][j][0] - want
                    if not (-1e-6 <= d <= 1e-6):
                        raise Failed(f"pad_to_32: wrong value at image {n}, row {i}, col {j}")
        if given.tolist() != before:
            raise Failed("pad_to_32 changed its input")
    _expect_value_error(fn, np.zeros((1, 30, 30), dtype=np.uint8), what="pad_to_32(30×30)")
    _expect_value_error(fn, np.zeros((1, 28, 28), dtype=np.float64), what="pad_to_32(float)")


def test_build_lenet5(fn):
    import keras
    from keras import layers

    np = _np()
    shape, classes = (36, 36, 2), 7
    what = f"build_lenet5({shape}, {classes})"
    model = _call(fn, shape, classes, what=what)
    if not isinstance(model, keras.Model):
        raise Failed(f"{what}: expected a Keras model")
    want_shapes = [[5, 5, 2, 6], [6], [5, 5, 6, 16], [16], [5, 5, 16, 120], [120], [480, 84],
                   [84], [84, 7], [7]]  # fmt: skip
    weights = model.get_weights()
    got_shapes = [[int(d) for d in w.shape] for w in weights]
    if got_shapes != want_shapes:
        raise Failed(f"{what}: weight shapes {got_shapes}, expected {want_shapes}")
    kinds = [type(layer).__name__ for layer in model.layers]
    if kinds.count("AveragePooling2D") != 2 or "MaxPooling2D" in kinds:
        raise Failed(f"{what}: expected two AveragePooling2D layers, got {kinds}")
    ref = keras.Sequential([
        keras.Input(shape),
        layers.Conv2D(6, 5, activation="tanh"), layers.AveragePooling2D(2),
        layers.Conv2D(16, 5, activation="tanh"), layers.AveragePooling2D(2),
        layers.Conv2D(120, 5, activation="tanh"), layers.Flatten(),
        layers.Dense(84, activation="tanh"), layers.Dense(classes, activation="softmax"),
    ])  # fmt: skip
    ref.set_weights(weights)
    x = np.random.default_rng(11).uniform(0, 1, size=(3, *shape)).astype("float32")
    got = keras.ops.convert_to_numpy(model(x))
    want = keras.ops.convert_to_numpy(ref(x))
    if type(got) is not np.ndarray or tuple(got.shape) != (3, classes):
        raise Failed(f"{what}: expected outputs of shape (3, {classes})")
    for g_row, w_row in zip(got.tolist(), want.tolist(), strict=True):
        for g, w in zip(g_row, w_row, strict=True):
            if not (-1e-4 <= g - w <= 1e-4):
                raise Failed(f"{what}: the model computes different outputs from LeNet-5 "
                             "with the same weights (activations? pooling?)")  # fmt: skip


QUESTIONS = [
    ("conv_params", 2, test_conv_params),
    ("dense_params", 2, test_dense_params),
    ("conv_output_size", 2, test_conv_output_size),
    ("lenet_param_table", 2, test_lenet_param_table),
    ("pad_to_32", 2, test_pad_to_32),
    ("build_lenet5", 3, test_build_lenet5),
]
