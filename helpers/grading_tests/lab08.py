"""Hidden tests of lab 08 (Fashion-MNIST): 2 points per exercise, 3 for the two models.

Self-contained (see ``helpers/grading_tests/__init__.py``): exact type checks, then plain
Python arithmetic on ``.tolist()`` copies, on inputs the public checks do not use (other
labels and matrices, a 36×36×2 Géron network with 7 classes, a model with a 5×3 stride-2
convolution, and a synthetic 10-class image task instead of Fashion-MNIST for the training
exercise, so nothing is loaded from the course's data).
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


def test_class_counts(fn):
    np = _np()
    cases = [
        (np.array([4, 4, 4, 0, 2], dtype=np.int32), {"num_classes": 6}, [1, 0, 1, 0, 3, 0]),
        (np.array([9] * 5 + [1] * 2, dtype=np.uint8), {}, [0, 2, 0, 0, 0, 0, 0, 0, 0, 5]),
        (np.arange(7) % 7, {"num_classes": 7}, [1] * 7),
    ]
    for y, kwargs, expected in cases:
        before = y.tolist()
        what = f"class_counts({before}, {kwargs})"
        got = _call(fn, y, what=what, **kwargs)
        if type(got) is not np.ndarray or got.ndim != 1 or got.dtype.kind not in "iu":
            raise Failed(f"{what}: expected a 1-D NumPy integer array")
        if got.tolist() != expected:
            raise Failed(f"{what}: expected {expected}, got {got.tolist()}")
        if y.tolist() != before:
            raise Failed(f"{what} changed its input")
    _expect_value_error(fn, np.array([0, 1, 6]), 5, what="class_counts([0, 1, 6], 5)")
    _expect_value_error(fn, np.array([-3]), what="class_counts([-3])")
    _expect_value_error(fn, np.array([1.0, 2.0]), what="class_counts(float labels)")


def test_conv_macs(fn):
    cases = [((32, 32, 3, 3, 16), 442368), ((16, 16, 3, 16, 32), 1179648),
             ((55, 55, 11, 3, 96), 105415200), ((2, 3, 1, 4, 5), 120),
             ((9, 9, 5, 7, 1), 14175)]  # fmt: skip
    for args, expected in cases:
        what = f"conv_macs{args}"
        got = _as_int(_call(fn, *args, what=what), what)
        if got != expected:
            raise Failed(f"{what}: expected {expected}, got {got}")
    for bad in [(4, 4, 3, 0, 2), (-1, 4, 3, 1, 2), (4, 4, 3, 1, -5)]:
        _expect_value_error(fn, *bad, what=f"conv_macs{bad}")


def test_model_macs(fn):
    import keras
    from keras import layers

    model = keras.Sequential([
        keras.Input((40, 30, 2)),
        layers.Conv2D(12, (5, 3), strides=(2, 1)),  # valid: 18 × 28 × 12
        layers.BatchNormalization(),
        layers.Conv2D(6, 3, padding="same"),  # 18 × 28 × 6
        layers.AveragePooling2D(2),  # 9 × 14 × 6
        layers.Flatten(),  # 756
        layers.Dense(20),
        layers.Dropout(0.2),
        layers.Dense(3),
    ])  # fmt: skip
    expected = 18 * 28 * 5 * 3 * 2 * 12 + 18 * 28 * 3 * 3 * 12 * 6 + 756 * 20 + 20 * 3
    got = _as_int(_call(fn, model, what="model_macs(hidden model)"), "model_macs(hidden model)")
    if got != expected:
        raise Failed(f"model_macs(hidden model): expected {expected}, got {got}")
    tiny = keras.Sequential([keras.Input((5,)), layers.Dense(4), layers.Dense(2)])
    got = _as_int(_call(fn, tiny, what="model_macs(dense only)"), "model_macs(dense only)")
    if got != 5 * 4 + 4 * 2:
        raise Failed(f"model_macs(dense only): expected 28, got {got}")


def test_build_geron_cnn(fn):
    import keras
    from keras import layers

    np = _np()
    shape, classes = (36, 36, 2), 7
    what = f"build_geron_cnn({shape}, {classes})"
    model = _call(fn, shape, classes, what=what)
    if not isinstance(model, keras.Model):
        raise Failed(f"{what}: expected a Keras model")
    want_shapes = [[7, 7, 2, 64], [64], [3, 3, 64, 128], [128], [3, 3, 128, 128], [128],
                   [3, 3, 128, 256], [256], [3, 3, 256, 256], [256], [4096, 128], [128],
                   [128, 64], [64], [64, 7], [7]]  # fmt: skip
    weights = model.get_weights()
    got_shapes = [[int(d) for d in w.shape] for w in weights]
    if got_shapes != want_shapes:
        raise Failed(f"{what}: weight shapes {got_shapes}, expected {want_shapes}")
    kinds = [type(layer).__name__ for layer in model.layers]
    if kinds.count("MaxPooling2D") != 3 or kinds.count("Dropout") != 2:
        raise Failed(f"{what}: expected three MaxPooling2D and two Dropout layers, got {kinds}")
    rates = [layer.rate for layer in model.layers if type(layer).__name__ == "Dropout"]
    if [float(r) for r in rates] != [0.5, 0.5]:
        raise Failed(f"{what}: expected dropout rates 0.5 and 0.5, got {rates}")
    conv = dict(padding="same", activation="relu")
    ref = keras.Sequential([
        keras.Input(shape),
        layers.Conv2D(64, 7, **conv), layers.MaxPooling2D(2),
        layers.Conv2D(128, 3, **conv), layers.Conv2D(128, 3, **conv), layers.MaxPooling2D(2),
        layers.Conv2D(256, 3, **conv), layers.Conv2D(256, 3, **conv), layers.MaxPooling2D(2),
        layers.Flatten(), layers.Dense(128, activation="relu"), layers.Dropout(0.5),
        layers.Dense(64, activation="relu"), layers.Dropout(0.5),
        layers.Dense(classes, activation="softmax"),
    ])  # fmt: skip
    ref.set_weights(weights)
    x = np.random.default_rng(88).uniform(0, 1, size=(2, *shape)).astype("float32")
    got = keras.ops.convert_to_numpy(model(x, training=False))
    want = keras.ops.convert_to_numpy(ref(x, training=False))
    if type(got) is not np.ndarray or tuple(got.shape) != (2, classes):
        raise Failed(f"{what}: expected outputs of shape (2, {classes})")
    for g_row, w_row in zip(got.tolist(), want.tolist(), strict=True):
        for g, w in zip(g_row, w_row, strict=True):
            if not (-1e-4 <= g - w <= 1e-4):
                raise Failed(f"{what}: the model computes different outputs from Géron's CNN "
                             "with the same weights (activations? pooling?)")  # fmt: skip


def test_most_confused_pair(fn):
    np = _np()
    cases = [
        ([[30, 2, 11, 0], [0, 25, 0, 1], [4, 0, 33, 12], [0, 3, 0, 40]], (2, 3)),
        ([[70, 1], [1, 60]], (0, 1)),
        ([[0, 0, 0], [0, 0, 0], [5, 0, 0]], (2, 0)),
    ]
    for rows, expected in cases:
        cm = np.array(rows, dtype=np.int32)
        what = f"most_confused_pair({rows})"
        got = _call(fn, cm, what=what)
        if type(got) is not tuple or len(got) != 2:
            raise Failed(f"{what}: expected a tuple of two ints")
        pair = (_as_int(got[0], what), _as_int(got[1], what))
        if pair != expected:
            raise Failed(f"{what}: expected {expected}, got {pair}")
        if cm.tolist() != rows:
            raise Failed(f"{what} changed its input")
    _expect_value_error(fn, np.zeros((3, 2)), what="most_confused_pair(3×2 array)")


def test_overfitting_gap(fn):
    cases = [
        ([0.6, 0.75, 0.85, 0.9, 0.93, 0.96], [0.7, 0.8, 0.86, 0.88, 0.87, 0.86], 0.1, 4),
        ([0.91, 0.92], [0.93, 0.93], -0.01, 1),
        ([1.0], [0.0], 1.0, 1),
    ]
    for train, val, gap, best in cases:
        what = f"overfitting_gap({train}, {val})"
        got = _call(fn, train, val, what=what)
        if type(got) is not tuple or len(got) != 2:
            raise Failed(f"{what}: expected a tuple (gap, best_epoch)")
        g, b = _as_float(got[0], what), _as_int(got[1], what)
        if not (-1e-9 <= g - gap <= 1e-9) or b != best:
            raise Failed(f"{what}: expected ({gap}, {best}), got ({g}, {b})")
    _expect_value_error(fn, [0.5, 0.6, 0.7], [0.5, 0.6], what="overfitting_gap(lengths 3, 2)")
    _expect_value_error(fn, [1.5], [0.5], what="overfitting_gap([1.5], [0.5])")
    _expect_value_error(fn, [], [], what="overfitting_gap([], [])")


def _synthetic_task(np, n_train=1000, n_test=400):
    """Ten classes, each a fixed random blob pattern, drawn with noise and small shifts."""
    rng = np.random.default_rng(808)
    templates = rng.uniform(0, 1, size=(10, 7, 7)).repeat(4, axis=1).repeat(4, axis=2)

    def draw(n):
        y = rng.integers(0, 10, size=n)
        x = 0.7 * templates[y] + 0.3 * rng.uniform(0, 1, size=(n, 28, 28))
        shifts = rng.integers(-1, 2, size=(n, 2))
        x = np.stack(
            [np.roll(img, tuple(s), axis=(0, 1)) for img, s in zip(x, shifts, strict=True)]
        )
        return x[..., None].astype("float32"), y.astype("int64")

    return draw(n_train), draw(n_test)


def test_train_small_cnn(fn):
    import keras

    np = _np()
    (x, y), (xt, yt) = _synthetic_task(np)
    what = "train_small_cnn(synthetic 10-class images)"
    model = _call(fn, x, y, what=what)
    if not isinstance(model, keras.Model):
        raise Failed(f"{what}: expected the trained Keras model")
    probs = keras.ops.convert_to_numpy(model.predict(xt, verbose=0))
    if type(probs) is not np.ndarray or tuple(probs.shape) != (len(xt), 10):
        raise Failed(f"{what}: expected outputs of shape ({len(xt)}, 10)")
    predicted = [max(range(10), key=row.__getitem__) for row in probs.tolist()]
    correct = sum(1 for p, t in zip(predicted, yt.tolist(), strict=True) if p == t)
    if correct < 0.9 * len(xt):
        raise Failed(f"{what}: {correct} of {len(xt)} test images right; need 90 %")


QUESTIONS = [
    ("class_counts", 2, test_class_counts),
    ("conv_macs", 2, test_conv_macs),
    ("model_macs", 2, test_model_macs),
    ("build_geron_cnn", 3, test_build_geron_cnn),
    ("most_confused_pair", 2, test_most_confused_pair),
    ("overfitting_gap", 2, test_overfitting_gap),
    ("train_small_cnn", 3, test_train_small_cnn),
]
