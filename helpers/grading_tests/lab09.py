"""Hidden tests of lab 09 (CIFAR-10 and overfitting): 2 points per exercise, 3 for the CNN.

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
_as_int = _common.as_int
_as_float = _common.as_float
_call = _common.call
_expect_value_error = _common.expect_value_error


def _close(a, b, tol):
    d = a - b
    d = -d if d < 0 else d
    return d <= tol  # False for NaN


class _History:
    def __init__(self, history):
        self.history = history


def test_overfitting_gap(fn):
    cases = [
        ({"accuracy": [0.35, 0.71, 0.93, 0.97], "val_accuracy": [0.33, 0.52, 0.58, 0.57]}, 0.40),
        ({"loss": [1.0, 0.8], "accuracy": [0.66, 0.64], "val_accuracy": [0.70, 0.61]}, 0.03),
        ({"accuracy": [0.2, 0.45], "val_accuracy": [0.25, 0.5]}, -0.05),
    ]
    for history, expected in cases:
        for wrapped, label in ((history, "dict"), (_History(history), "History")):
            what = f"overfitting_gap({label} ending at {history['accuracy'][-1]}, "
            what += f"{history['val_accuracy'][-1]})"
            got = _as_float(_call(fn, wrapped, what=what), what)
            if not _close(got, expected, 1e-9):
                raise Failed(f"{what}: expected {expected}, got {got}")
    _expect_value_error(fn, {"accuracy": [0.5, 0.7]}, what="overfitting_gap(no val_accuracy)")


def test_conv_params(fn):
    for k, c_in, c_out in [(3, 64, 128), (5, 1, 20), (11, 3, 96), (1, 256, 64), (3, 512, 512)]:
        what = f"conv_params({k}, {c_in}, {c_out})"
        got = _as_int(_call(fn, k, c_in, c_out, what=what), what)
        if got != k * k * c_in * c_out + c_out:
            raise Failed(f"{what}: expected {k * k * c_in * c_out + c_out}, got {got}")


def test_separable_params(fn):
    for k, c_in, c_out, dm in [(3, 64, 128, 1), (5, 24, 48, 1), (3, 128, 256, 1), (3, 16, 32, 4),
                               (7, 10, 3, 2)]:  # fmt: skip
        what = f"separable_params({k}, {c_in}, {c_out}, depth_multiplier={dm})"
        expected = k * k * c_in * dm + c_in * dm * c_out + c_out
        got = _as_int(_call(fn, k, c_in, c_out, depth_multiplier=dm, what=what), what)
        if got != expected:
            raise Failed(f"{what}: expected {expected}, got {got}")
    got = _as_int(_call(fn, 3, 128, 256, what="separable_params(3, 128, 256)"), "default")
    if got != 3 * 3 * 128 + 128 * 256 + 256:
        raise Failed(f"separable_params(3, 128, 256): expected 34,240, got {got}")


def _expected_baseline(h, w, c, n):
    rows = [("Conv2D", (None, h, w, 32), 9 * c * 32 + 32)]
    h, w = h - 2, w - 2
    rows.append(("Conv2D", (None, h, w, 32), 9 * 32 * 32 + 32))
    h, w = h // 2, w // 2
    rows.append(("MaxPooling2D", (None, h, w, 32), 0))
    rows.append(("Conv2D", (None, h, w, 64), 9 * 32 * 64 + 64))
    h, w = h - 2, w - 2
    rows.append(("Conv2D", (None, h, w, 64), 9 * 64 * 64 + 64))
    h, w = h // 2, w // 2
    rows.append(("MaxPooling2D", (None, h, w, 64), 0))
    rows.append(("Flatten", (None, h * w * 64), 0))
    rows.append(("Dense", (None, 512), h * w * 64 * 512 + 512))
    rows.append(("Dense", (None, n), 512 * n + n))
    return rows


def test_build_baseline_cnn(fn):
    import keras

    for shape, n in (((28, 28, 1), 7), ((40, 40, 3), 10)):
        what = f"build_baseline_cnn(input_shape={shape}, num_classes={n})"
        model = _call(fn, input_shape=shape, num_classes=n, what=what)
        if not isinstance(model, keras.Model):
            raise Failed(f"{what}: expected a keras Model, got {type(model).__name__}")
        got, acts = [], []
        for layer in model.layers:
            kind = type(layer).__name__
            act = getattr(getattr(layer, "activation", None), "__name__", None)
            if kind == "InputLayer":
                continue
            if kind == "Activation":
                if not acts:
                    raise Failed(f"{what}: starts with an Activation layer")
                acts[-1] = act
                continue
            try:
                out = tuple(layer.output.shape)
            except Exception:
                raise Failed(f"{what}: layer {layer.name} has no output shape") from None
            got.append((kind, out, _as_int(layer.count_params(), "count_params()")))
            acts.append(act)
        expected = _expected_baseline(*shape, n)
        if got != expected:
            raise Failed(f"{what}: expected layers {expected}, got {got}")
        for i, (kind, _, _) in enumerate(got):
            if kind in ("Conv2D", "Dense"):
                want = "softmax" if i == len(got) - 1 else "relu"
                if acts[i] != want:
                    raise Failed(f"{what}: layer {i + 1} should use {want}, uses {acts[i]}")


def _argmax(row):
    best = 0
    for j, v in enumerate(row):
        if v > row[best]:
            best = j
    return best


def test_ensemble_predict(fn):
    np = _np()
    a = [[0.7, 0.2, 0.1], [0.05, 0.15, 0.8], [0.34, 0.36, 0.3], [0.1, 0.5, 0.4]]
    b = [[0.1, 0.85, 0.05], [0.3, 0.6, 0.1], [0.33, 0.31, 0.36], [0.45, 0.1, 0.45]]
    c = [[0.45, 0.5, 0.05], [0.25, 0.65, 0.1], [0.5, 0.2, 0.3], [0.2, 0.2, 0.6]]
    d = [[(r * 7 + k * 3) % 11 / 10 + 0.013 * k for k in range(3)] for r in range(4)]
    for lists in ([a, b, c], [b, c], [a, d, b, c], [c]):
        arrays = [np.array(x, dtype=np.float32) for x in lists]
        what = f"ensemble_predict({len(lists)} arrays of shape (4, 3))"
        got = _call(fn, arrays, what=what)
        if type(got) is not np.ndarray or got.dtype.kind not in "iu" or tuple(got.shape) != (4,):
            raise Failed(f"{what}: expected an integer numpy array of shape (4,)")
        m = len(lists)
        means = [[sum(x[r][k] for x in lists) / m for k in range(3)] for r in range(4)]
        expected = [_argmax(row) for row in means]
        if got.tolist() != expected:
            raise Failed(f"{what}: expected {expected}, got {got.tolist()}")
    _expect_value_error(fn, [], what="ensemble_predict([])")
    _expect_value_error(fn, [np.zeros((4, 3)), np.zeros((4, 2))],
                        what="ensemble_predict(arrays of different shapes)")  # fmt: skip


def test_per_class_accuracy(fn):
    np = _np()
    y_true = [3, 0, 1, 3, 3, 0, 4, 1, 1, 0, 3, 4]
    y_pred = [3, 1, 1, 0, 3, 0, 4, 2, 1, 0, 3, 1]
    for n in (5, 6):
        what = f"per_class_accuracy(12 labels, n={n})"
        got = _call(fn, np.array(y_true), np.array(y_pred), n, what=what)
        if type(got) is not np.ndarray or got.dtype.kind != "f" or tuple(got.shape) != (n,):
            raise Failed(f"{what}: expected a float numpy array of shape ({n},)")
        for c, v in enumerate(got.tolist()):
            idx = [i for i, t in enumerate(y_true) if t == c]
            if not idx:
                if v == v:  # not NaN
                    raise Failed(f"{what}: class {c} has no sample; expected nan, got {v}")
                continue
            expected = sum(1 for i in idx if y_pred[i] == c) / len(idx)
            if type(v) is not float or not _close(v, expected, 1e-9):
                raise Failed(f"{what}: class {c}: expected {expected}, got {v}")
    _expect_value_error(fn, np.array([0, 1, 1]), np.array([0, 1]), 2,
                        what="per_class_accuracy(3 labels, 2 predictions)")  # fmt: skip


QUESTIONS = [
    ("overfitting_gap", 2, test_overfitting_gap),
    ("conv_params", 2, test_conv_params),
    ("separable_params", 2, test_separable_params),
    ("build_baseline_cnn", 3, test_build_baseline_cnn),
    ("ensemble_predict", 2, test_ensemble_predict),
    ("per_class_accuracy", 2, test_per_class_accuracy),
]
